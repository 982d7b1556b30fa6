"""Carrier events: ONE entry point for every carrier (sandbox sweep or a real webhook)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from comptoir.core import clock
from comptoir.core.errors import NotFound, ValidationFailed
from comptoir.orders.carriers import carriers
from comptoir.orders.enums import (
    FINAL_SHIPMENT_STATUSES,
    SHIPMENT_STATUS_AFTER,
    OrderStatus,
    ShipmentDirection,
    ShipmentStatus,
    TrackingCode,
)
from comptoir.orders.models import Order, Shipment, TrackingEvent
from comptoir.orders.notifications import notify_tracking
from comptoir.orders.transitions import Action, Actor

from ._events import event_add, order_lock, transition_apply

# Facts about the outbound parcel worth a line in the order's history.
_ORDER_FACTS = {
    TrackingCode.HELD_AT_CUSTOMS,
    TrackingCode.LOST,
    TrackingCode.RETURNED_TO_SENDER,
    TrackingCode.DELIVERY_ATTEMPTED_NOTICE_LEFT,
    TrackingCode.AT_PICKUP_POINT,
}


@dataclass(frozen=True)
class TrackingResult:
    event: TrackingEvent
    created: bool  # False: this external_id was already recorded (a replay), nothing changed


@transaction.atomic
def tracking_event_record(
    *,
    carrier: str,
    tracking_number: str,
    code: str,
    occurred_at: dt.datetime,
    location: str,
    external_id: str,
) -> TrackingResult:
    """Record one carrier scan, idempotent on (carrier, ``external_id``).

    Moves the shipment's status (a later scan never is overtaken by an older one, and a parcel
    that was delivered, lost or returned stays so — except that a "delivered" scan always
    wins over "lost"); an outbound "delivered" scan delivers the order. Unknown parcel:
    NotFound. A real carrier webhook verifies its signature, maps its codes and calls this."""
    if code not in TrackingCode.values:
        raise ValidationFailed(_("Unknown tracking code."), {"code": code})
    if not external_id or len(external_id) > 120:
        raise ValidationFailed(_("An event id of 1 to 120 characters is required."))
    if timezone.is_naive(occurred_at):
        raise ValidationFailed(_("The event time must carry a time zone."))
    if occurred_at > clock.now() + dt.timedelta(days=1):
        raise ValidationFailed(_("The event time is in the future."))
    if carrier not in carriers:
        raise NotFound()
    replay = TrackingEvent.objects.filter(carrier=carrier, external_id=external_id).first()
    if replay is not None:
        return TrackingResult(event=replay, created=False)
    found = Shipment.objects.filter(carrier=carrier, tracking_number=tracking_number).first()
    if found is None:
        raise NotFound()
    order = order_lock(pk=found.order_id)  # lock order, then shipment: the one fixed order
    shipment = Shipment.objects.select_for_update().get(pk=found.pk)
    try:
        with transaction.atomic():
            event = TrackingEvent.objects.create(
                shipment=shipment,
                carrier=carrier,
                external_id=external_id,
                code=code,
                location=location[:120],
                occurred_at=occurred_at,
                recorded_at=clock.now(),
            )
    except IntegrityError:  # the same event recorded concurrently
        return TrackingResult(
            event=TrackingEvent.objects.get(carrier=carrier, external_id=external_id),
            created=False,
        )
    _shipment_update(shipment, event)
    if shipment.direction == ShipmentDirection.OUTBOUND:
        _order_update(order, shipment, event)
    elif code == TrackingCode.DELIVERED:
        event_add(
            order=order,
            action="return_delivered",
            data={"tracking_number": shipment.tracking_number},
        )
    return TrackingResult(event=event, created=True)


def _shipment_update(shipment: Shipment, event: TrackingEvent) -> None:
    status = SHIPMENT_STATUS_AFTER[event.code]
    changes: dict[str, Any] = {}
    newer = shipment.last_event_at is None or event.occurred_at >= shipment.last_event_at
    if event.code == TrackingCode.DELIVERED and shipment.status != ShipmentStatus.DELIVERED:
        changes = {"status": status, "delivered_at": event.occurred_at}
    elif newer and shipment.status not in FINAL_SHIPMENT_STATUSES:
        changes = {"status": status}
    if newer:
        changes |= {"last_event_at": event.occurred_at, "last_event_code": event.code}
    if changes:
        for name, value in changes.items():
            setattr(shipment, name, value)
        shipment.save(update_fields=list(changes))


def _order_update(order: Order, shipment: Shipment, event: TrackingEvent) -> None:
    if event.code == TrackingCode.DELIVERED and order.status == OrderStatus.SHIPPED:
        transition_apply(
            order=order,
            action=Action.DELIVER,
            actor=Actor.SYSTEM,
            changes={"delivered_at": event.occurred_at},
            data={"tracking_event": event.external_id},
        )
    elif event.code in _ORDER_FACTS:
        event_add(
            order=order,
            action=f"parcel_{event.code}",
            data={"location": event.location, "at": event.occurred_at.isoformat()},
        )
    notify_tracking(order, event.code, event.pk)


@transaction.atomic
def return_shipment_create(
    *, number: str, carrier: str, tracking_number: str, actor_user: Any, sandbox_route: str = ""
) -> Shipment:
    """The buyer sends the item back (a return request or a dispute's return): a return
    parcel, tracked like the outbound one. Called by the Disputes app's services."""
    from .orders import _order_for_update, _shipment_create, normalise_tracking_number

    order = _order_for_update(number)
    if order.buyer_id != getattr(actor_user, "pk", None):
        raise NotFound()
    if order.status not in {OrderStatus.DELIVERED, OrderStatus.SHIPPED}:
        raise ValidationFailed(_("Only a shipped or delivered order can be sent back."))
    tracking_number = normalise_tracking_number(tracking_number)
    if carrier not in carriers:
        raise ValidationFailed(_("Choose a carrier from the list."))
    shipment = _shipment_create(
        order=order,
        direction=ShipmentDirection.RETURN,
        carrier=carrier,
        tracking_number=tracking_number,
        sandbox_route=sandbox_route or "return",
    )
    event_add(
        order=order,
        action="return_shipped",
        actor_user=actor_user,
        data={"carrier": carrier, "tracking_number": tracking_number},
    )
    return shipment
