"""Checkout ("Acheter maintenant"): one product, a quantity, a shipping address → a paid order."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.catalog.models import Product
from comptoir.core import clock
from comptoir.core.errors import NotFound, ValidationFailed
from comptoir.core.order_numbers import generate_order_number
from comptoir.orders import conf
from comptoir.orders.enums import PaymentStatus
from comptoir.orders.models import Order, OrderLine
from comptoir.orders.payments import payment_capture
from comptoir.orders.transitions import Action, Actor

from ._events import event_add, order_lock, transition_apply

# Countries the marketplace delivers to (ISO 3166-1 alpha-2) and their postal-code shapes.
COUNTRIES: dict[str, Any] = {
    "FR": gettext_lazy("France"),
    "BE": gettext_lazy("Belgium"),
    "CH": gettext_lazy("Switzerland"),
    "LU": gettext_lazy("Luxembourg"),
    "MC": gettext_lazy("Monaco"),
    "DE": gettext_lazy("Germany"),
    "ES": gettext_lazy("Spain"),
    "IT": gettext_lazy("Italy"),
    "NL": gettext_lazy("Netherlands"),
    "GB": gettext_lazy("United Kingdom"),
    "IE": gettext_lazy("Ireland"),
    "CA": gettext_lazy("Canada"),
}
_POSTAL = {
    "FR": r"\d{5}",
    "MC": r"980\d{2}",
    "BE": r"\d{4}",
    "CH": r"\d{4}",
    "LU": r"(L-?)?\d{4}",
    "DE": r"\d{5}",
    "ES": r"\d{5}",
    "IT": r"\d{5}",
    "NL": r"\d{4} ?[A-Z]{2}",
    "GB": r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}",
    "IE": r"[A-Z]\d[\dW] ?[A-Z\d]{4}",
    "CA": r"[A-Z]\d[A-Z] ?\d[A-Z]\d",
}
_PHONE = re.compile(r"\+?[0-9][0-9 .\-()]{5,22}")
_FORBIDDEN = re.compile(r"[<>{}\\]")


@dataclass(frozen=True)
class ShippingAddress:
    name: str
    line1: str
    postal_code: str
    city: str
    country: str
    line2: str = ""
    phone: str = ""

    def cleaned(self) -> ShippingAddress:
        def tidy(value: str) -> str:
            return " ".join(unicodedata.normalize("NFC", str(value or "")).split())

        values = {f.name: tidy(getattr(self, f.name)) for f in fields(self)}
        values["country"] = values["country"].upper()
        values["postal_code"] = values["postal_code"].upper()
        return ShippingAddress(**values)


_LIMITS = {"name": 100, "line1": 120, "line2": 120, "postal_code": 12, "city": 80, "phone": 25}
_REQUIRED = ("name", "line1", "postal_code", "city", "country")


def address_errors(address: ShippingAddress) -> dict[str, list[str]]:
    """Field → messages for a (cleaned) address; empty when it is valid."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for name in _REQUIRED:
        if not getattr(address, name):
            add(name, _("This field is required."))
    for name, limit in _LIMITS.items():
        value = getattr(address, name)
        if len(value) > limit:
            add(name, _("At most %(limit)s characters.") % {"limit": limit})
        if _FORBIDDEN.search(value) or any(unicodedata.category(ch) == "Cc" for ch in value):
            add(name, _("Please remove the characters < > { } \\ from this field."))
    if address.country and address.country not in COUNTRIES:
        add("country", _("We do not deliver to this country yet."))
    pattern = _POSTAL.get(address.country)
    if address.postal_code and pattern and not re.fullmatch(pattern, address.postal_code):
        add("postal_code", _("This postal code does not look right for this country."))
    if address.phone and not _PHONE.fullmatch(address.phone):
        add("phone", _("Enter a phone number such as +33 6 12 34 56 78."))
    if len(address.name) == 1:
        add("name", _("Enter the recipient's full name."))
    return errors


def _new_number() -> str:
    for _attempt in range(10):
        number = generate_order_number()
        if not Order.objects.filter(number=number).exists():
            return number
    raise RuntimeError("Could not find a free order number.")  # pragma: no cover


@transaction.atomic
def order_checkout(
    *,
    buyer: Any,
    product_public_id: str,
    quantity: int,
    address: ShippingAddress,
    checkout_key: str = "",
) -> Order:
    """Create the order, take the payment (``payments.payment_capture``, hooks included) and
    mark it paid, all in one transaction. The same ``checkout_key`` twice returns the first
    order (double click, API retry)."""
    if checkout_key:
        previous = Order.objects.filter(buyer=buyer, checkout_key=checkout_key).first()
        if previous is not None:
            return previous
    product = (
        Product.objects.select_related("shop")
        .filter(public_id=product_public_id, is_active=True)
        .first()
    )
    if product is None:
        raise NotFound()
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise ValidationFailed(
            _("Invalid quantity."), {"fields": {"quantity": [_("Invalid quantity.")]}}
        )
    limit = conf.max_quantity()
    if not 1 <= quantity <= limit:
        message = _("Choose a quantity between 1 and %(max)s.") % {"max": limit}
        raise ValidationFailed(message, {"fields": {"quantity": [message]}})
    if product.shop.memberships.filter(user=buyer).exists():
        raise ValidationFailed(_("You cannot buy from your own shop."))
    address = address.cleaned()
    errors = address_errors(address)
    if errors:
        raise ValidationFailed(
            _("Please check the shipping address."),
            {"fields": {f"address.{k}": v for k, v in errors.items()}},
        )
    subtotal = product.price * quantity
    order = Order(
        number=_new_number(),
        buyer=buyer,
        shop=product.shop,
        currency=product.price_currency,
        subtotal_minor=subtotal.minor_units,
        shipping_minor=product.shipping_minor,
        total_minor=subtotal.minor_units + product.shipping_minor,
        ship_name=address.name,
        ship_line1=address.line1,
        ship_line2=address.line2,
        ship_postal_code=address.postal_code,
        ship_city=address.city,
        ship_country=address.country,
        ship_phone=address.phone,
        checkout_key=checkout_key,
    )
    try:
        with transaction.atomic():
            order.save()
    except IntegrityError:
        if checkout_key:  # the same checkout committed by a concurrent request
            return Order.objects.get(buyer=buyer, checkout_key=checkout_key)
        raise
    OrderLine.objects.create(
        order=order,
        product=product,
        position=0,
        title_fr=product.title_fr,
        title_en=product.title_en,
        unit_price_minor=product.price_minor,
        quantity=quantity,
        line_total_minor=subtotal.minor_units,
    )
    event_add(order=order, action="created", actor_user=buyer)
    order = order_lock(pk=order.pk)
    payment = payment_capture(order=order, provider=conf.payment_provider())
    return transition_apply(
        order=order,
        action=Action.PAY,
        actor=Actor.SYSTEM,
        changes={"paid_at": clock.now(), "payment_status": PaymentStatus.CAPTURED},
        data={"payment_reference": payment.reference, "provider": payment.provider},
    )
