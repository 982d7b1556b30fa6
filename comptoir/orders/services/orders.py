"""Order transitions driven by people and other apps: ship, confirm receipt, cancel, complete."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from comptoir.core import clock
from comptoir.core.errors import Conflict, NotFound, ValidationFailed
from comptoir.orders import conf
from comptoir.orders.carriers import SANDBOX, carriers
from comptoir.orders.enums import ShipmentDirection
from comptoir.orders.models import Order, Shipment
from comptoir.orders.notifications import notify_shipped
from comptoir.orders.sandbox import ROUTES, first_due, route_for
from comptoir.orders.transitions import Action, Actor

from ._events import order_lock, transition_apply

_TRACKING = re.compile(r"[A-Z0-9]{8,30}")


def _order_for_update(number: str) -> Order:
    order = Order.objects.filter(number=number).only("pk").first()
    if order is None:
        raise NotFound()
    return order_lock(pk=order.pk)


def normalise_tracking_number(value: str) -> str:
    return re.sub(r"[\s\-]", "", str(value or "")).upper()


def validate_shipping(
    *, carrier: str, tracking_number: str, promised_delivery_date: dt.date | None, today: dt.date
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if carrier not in carriers:
        errors["carrier"] = [_("Choose a carrier from the list.")]
    if not _TRACKING.fullmatch(tracking_number):
        errors["tracking_number"] = [
            _("A tracking number is 8 to 30 letters and digits, such as LP00123456789CN.")
        ]
    limit = conf.promised_delivery_max_days()
    if promised_delivery_date is None:
        errors["promised_delivery_date"] = [_("This field is required.")]
    elif promised_delivery_date <= today:
        errors["promised_delivery_date"] = [_("The promised delivery date must be in the future.")]
    elif promised_delivery_date > today + dt.timedelta(days=limit):
        errors["promised_delivery_date"] = [
            _("The promised delivery date is at most %(days)s days after shipment (%(date)s).")
            % {"days": limit, "date": (today + dt.timedelta(days=limit)).isoformat()}
        ]
    return errors


def _shipment_create(
    *,
    order: Order,
    direction: str,
    carrier: str,
    tracking_number: str,
    sandbox_route: str,
) -> Shipment:
    now = clock.now()
    shipment = Shipment(
        order=order,
        direction=direction,
        carrier=carrier,
        tracking_number=tracking_number,
        shipped_at=now,
    )
    if carrier == SANDBOX:
        shipment.sandbox_route = sandbox_route
        shipment.sandbox_next_at = first_due(sandbox_route, now)
    try:
        with transaction.atomic():
            shipment.save()
    except IntegrityError as exc:
        raise Conflict(
            "tracking_number_in_use",
            _("This tracking number is already used by another parcel."),
            {"fields": {"tracking_number": [_("Already used by another parcel.")]}},
        ) from exc
    from .tracking import tracking_event_record

    tracking_event_record(
        carrier=carrier,
        tracking_number=tracking_number,
        code="info_received",
        occurred_at=now,
        location="",
        external_id=f"comptoir:{shipment.public_id}:info",
    )
    return shipment


@transaction.atomic
def order_ship(
    *,
    number: str,
    seller: Any,
    carrier: str,
    tracking_number: str,
    promised_delivery_date: dt.date | None,
    sandbox_route: str = "",
) -> Shipment:
    """A member of the order's shop hands the parcel to a carrier (anyone else: NotFound)."""
    order = _order_for_update(number)
    if not order.shop.memberships.filter(user=seller).exists():
        raise NotFound()
    tracking_number = normalise_tracking_number(tracking_number)
    errors = validate_shipping(
        carrier=carrier,
        tracking_number=tracking_number,
        promised_delivery_date=promised_delivery_date,
        today=clock.today(),
    )
    if sandbox_route and sandbox_route not in ROUTES:
        errors["sandbox_route"] = [_("Unknown route.")]
    if errors:
        raise ValidationFailed(_("Please check the shipping details."), {"fields": errors})
    from comptoir.orders.transitions import check_transition

    check_transition(order, Action.SHIP, Actor.SELLER)
    shipment = _shipment_create(
        order=order,
        direction=ShipmentDirection.OUTBOUND,
        carrier=carrier,
        tracking_number=tracking_number,
        sandbox_route=sandbox_route or route_for(tracking_number),
    )
    transition_apply(
        order=order,
        action=Action.SHIP,
        actor=Actor.SELLER,
        actor_user=seller,
        changes={
            "shipped_at": shipment.shipped_at,
            "promised_delivery_date": promised_delivery_date,
        },
        data={"carrier": carrier, "tracking_number": tracking_number},
    )
    notify_shipped(order, carrier, tracking_number)
    return shipment


@transaction.atomic
def order_confirm_receipt(*, number: str, buyer: Any) -> Order:
    """The buyer says the parcel arrived: delivered now (unless the carrier said so first)."""
    order = _order_for_update(number)
    if order.buyer_id != buyer.pk:
        raise NotFound()
    now = clock.now()
    changes: dict[str, Any] = {"receipt_confirmed_at": now}
    if order.delivered_at is None:
        changes["delivered_at"] = now
    return transition_apply(
        order=order,
        action=Action.CONFIRM_RECEIPT,
        actor=Actor.BUYER,
        actor_user=buyer,
        changes=changes,
    )


@transaction.atomic
def order_cancel(*, number: str, actor_user: Any = None, reason: str = "") -> Order:
    """Cancel an unpaid order (a paid one is refunded through Buyer protection instead)."""
    order = _order_for_update(number)
    actor = Actor.SYSTEM
    if actor_user is not None:
        if order.buyer_id != actor_user.pk:
            raise NotFound()
        actor = Actor.BUYER
    return transition_apply(
        order=order,
        action=Action.CANCEL,
        actor=actor,
        actor_user=actor_user,
        changes={"cancelled_at": clock.now()},
        data={"reason": reason[:200]},
    )


@transaction.atomic
def order_complete(*, number: str) -> Order:
    """Delivered → completed, for Buyer protection once the order's money is released."""
    order = _order_for_update(number)
    return transition_apply(
        order=order,
        action=Action.COMPLETE,
        actor=Actor.SYSTEM,
        changes={"completed_at": clock.now()},
    )
