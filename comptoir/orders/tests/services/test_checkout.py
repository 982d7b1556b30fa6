from __future__ import annotations

import pytest

from comptoir.core.errors import NotFound, ValidationFailed
from comptoir.core.order_numbers import (
    find_order_numbers,
    format_order_number,
    is_valid_order_number,
)
from comptoir.orders.enums import OrderStatus, PaymentStatus
from comptoir.orders.models import Order, OrderEvent, Payment
from comptoir.orders.payments import payment_capture_hooks
from comptoir.orders.services import ShippingAddress, order_checkout
from comptoir.orders.tests.conftest import ADDRESS, T0, checkout

pytestmark = pytest.mark.django_db


def test_checkout_creates_a_paid_order_with_exact_amounts(buyer, product):
    order = checkout(buyer, product, quantity=3)
    assert order.status == OrderStatus.PAID
    assert order.payment_status == PaymentStatus.CAPTURED
    assert (order.subtotal_minor, order.shipping_minor, order.total_minor) == (11970, 490, 12460)
    assert order.paid_at == T0
    assert is_valid_order_number(order.number)
    line = order.lines.get()
    assert (line.title_fr, line.unit_price_minor, line.quantity, line.line_total_minor) == (
        "Lampe champignon",
        3990,
        3,
        11970,
    )
    payment = Payment.objects.get(order=order)
    assert (payment.provider, payment.amount_minor, payment.currency) == ("sandbox", 12460, "EUR")
    assert payment.reference.startswith("sbx_")
    assert payment.idempotency_key == f"checkout:{order.number}"
    assert list(
        OrderEvent.objects.filter(order=order).values_list("action", "from_status", "to_status")
    ) == [
        ("created", "awaiting_payment", "awaiting_payment"),
        ("pay", "awaiting_payment", "paid"),
    ]


def test_order_numbers_are_found_in_messy_text(buyer, product):
    first, second = checkout(buyer, product), checkout(buyer, product)
    text = (
        f"Bonjour, ma commande n°{format_order_number(first.number)}!! et aussi "
        f"{first.number[:8]} {first.number[8:]}? non: ({second.number}), tel 0612345678."
    )
    assert find_order_numbers(text) == [first.number, second.number]


def test_same_checkout_key_gives_one_order(buyer, product):
    a = checkout(buyer, product, key="k1")
    b = checkout(buyer, product, key="k1")
    assert a.pk == b.pk
    assert Order.objects.count() == 1 and Payment.objects.count() == 1


@pytest.mark.parametrize("quantity", [0, -1, 100, 10**12, True])
def test_bad_quantities_are_refused_and_nothing_is_written(buyer, product, quantity):
    with pytest.raises(ValidationFailed) as error:
        checkout(buyer, product, quantity=quantity)
    assert "quantity" in error.value.details["fields"]
    assert Order.objects.count() == 0 and Payment.objects.count() == 0


def test_missing_and_html_address_fields_are_refused(buyer, product):
    bad = ShippingAddress(
        name="<script>alert(1)</script>", line1="", postal_code="6900", city="Lyon", country="FR"
    )
    with pytest.raises(ValidationFailed) as error:
        order_checkout(buyer=buyer, product_public_id=product.public_id, quantity=1, address=bad)
    fields = error.value.details["fields"]
    assert set(fields) == {"address.name", "address.line1", "address.postal_code"}
    assert Order.objects.count() == 0


def test_unknown_country_and_bad_phone(buyer, product):
    bad = ShippingAddress(
        name="Léa Dubois",
        line1="1 rue X",
        postal_code="12345",
        city="Lyon",
        country="ZZ",
        phone="call me",
    )
    with pytest.raises(ValidationFailed) as error:
        order_checkout(buyer=buyer, product_public_id=product.public_id, quantity=1, address=bad)
    assert set(error.value.details["fields"]) == {"address.country", "address.phone"}


def test_address_is_tidied(buyer, product):
    messy = ShippingAddress(
        name="  Léa   Dubois ", line1="14  rue  X", postal_code="69002", city=" Lyon", country="fr"
    )
    order = order_checkout(
        buyer=buyer, product_public_id=product.public_id, quantity=1, address=messy
    )
    assert (order.ship_name, order.ship_line1, order.ship_city, order.ship_country) == (
        "Léa Dubois",
        "14 rue X",
        "Lyon",
        "FR",
    )


def test_seller_cannot_buy_from_own_shop(seller, product):
    with pytest.raises(ValidationFailed):
        checkout(seller, product)


def test_inactive_or_unknown_product_is_not_found(buyer, product):
    product.is_active = False
    product.save()
    with pytest.raises(NotFound):
        checkout(buyer, product)


def test_payment_hooks_run_inside_the_transaction_and_can_abort_it(buyer, product):
    seen = []

    def hook(*, order, payment):
        seen.append(
            (order.status, payment.amount_minor, Order.objects.filter(pk=order.pk).exists())
        )

    payment_capture_hooks.register("test", hook)
    try:
        order = checkout(buyer, product)
    finally:
        payment_capture_hooks.unregister("test")
    assert seen == [(OrderStatus.AWAITING_PAYMENT, order.total_minor, True)]

    def failing(*, order, payment):
        raise ValidationFailed("Card declined.")

    payment_capture_hooks.register("test", failing)
    try:
        with pytest.raises(ValidationFailed):
            checkout(buyer, product)
    finally:
        payment_capture_hooks.unregister("test")
    assert Order.objects.count() == 1 and Payment.objects.count() == 1


def test_address_constant_is_valid():
    from comptoir.orders.services import address_errors

    assert address_errors(ADDRESS.cleaned()) == {}
