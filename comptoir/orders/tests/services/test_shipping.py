from __future__ import annotations

import datetime as dt

import pytest

from comptoir.core import clock
from comptoir.core.errors import Conflict, NotFound, ValidationFailed
from comptoir.orders.enums import OrderStatus, ShipmentStatus
from comptoir.orders.models import OrderEvent, Shipment, TrackingEvent
from comptoir.orders.services import (
    order_confirm_receipt,
    return_shipment_create,
    tracking_event_record,
)
from comptoir.orders.tests.conftest import T0, checkout, ship

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def record(code, at, external_id, tracking="LP123456789CN", location="Lyon, FR"):
    with clock.frozen_at(at + dt.timedelta(hours=1)):
        return tracking_event_record(
            carrier="sandbox",
            tracking_number=tracking,
            code=code,
            occurred_at=at,
            location=location,
            external_id=external_id,
        )


def test_ship_sets_dates_shipment_and_first_event(paid_order, seller):
    shipment = ship(paid_order, seller, tracking=" lp 1234-5678-9cn ")
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.SHIPPED
    assert paid_order.shipped_at == T0 + DAY
    assert paid_order.promised_delivery_date == (T0 + 21 * DAY).date()
    assert (shipment.carrier, shipment.tracking_number, shipment.direction) == (
        "sandbox",
        "LP123456789CN",
        "outbound",
    )
    assert list(shipment.events.values_list("code", flat=True)) == ["info_received"]
    assert shipment.status == ShipmentStatus.LABEL_CREATED
    event = OrderEvent.objects.filter(order=paid_order).last()
    assert (event.action, event.from_status, event.to_status, event.actor) == (
        "ship",
        "paid",
        "shipped",
        seller,
    )


@pytest.mark.parametrize(
    ("days", "tracking", "field"),
    [
        (61, "LP123456789CN", "promised_delivery_date"),
        (0, "LP123456789CN", "promised_delivery_date"),
        (10, "<b>1</b>", "tracking_number"),
        (10, "SHORT", "tracking_number"),
    ],
)
def test_ship_validation(paid_order, seller, days, tracking, field):
    with pytest.raises(ValidationFailed) as error:
        ship(paid_order, seller, days=days, tracking=tracking)
    assert field in error.value.details["fields"]
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.PAID and not Shipment.objects.exists()


def test_sixty_days_is_the_limit(paid_order, seller):
    ship(paid_order, seller, days=60)
    paid_order.refresh_from_db()
    assert paid_order.promised_delivery_date == (T0 + 61 * DAY).date()


def test_other_seller_and_buyer_cannot_ship(paid_order, other_seller, buyer):
    for user in (other_seller, buyer):
        with pytest.raises(NotFound):
            ship(paid_order, user)
    assert not Shipment.objects.exists()


def test_shipping_twice_or_reusing_a_tracking_number(paid_order, seller, buyer, product):
    ship(paid_order, seller)
    with pytest.raises(Conflict) as error:
        ship(paid_order, seller, tracking="LP999999999CN")
    assert error.value.code == "order_transition_not_allowed"
    other = checkout(buyer, product)
    with pytest.raises(Conflict) as error:
        ship(other, seller)
    assert error.value.code == "tracking_number_in_use"


def test_tracking_events_are_idempotent_and_deliver_the_order(shipped_order):
    first = record("picked_up", T0 + 2 * DAY, "ev-1")
    again = record("picked_up", T0 + 2 * DAY, "ev-1")
    assert first.created and not again.created and first.event.pk == again.event.pk
    record("delivered", T0 + 9 * DAY, "ev-3")
    shipped_order.refresh_from_db()
    assert shipped_order.status == OrderStatus.DELIVERED
    assert shipped_order.delivered_at == T0 + 9 * DAY
    # An older scan arriving late does not move the parcel backwards.
    record("out_for_delivery", T0 + 8 * DAY, "ev-2")
    shipment = Shipment.objects.get()
    assert (shipment.status, shipment.last_event_code) == (ShipmentStatus.DELIVERED, "delivered")
    assert TrackingEvent.objects.count() == 4  # info_received + 3
    assert OrderEvent.objects.filter(order=shipped_order, action="deliver").count() == 1


def test_lost_parcel_keeps_the_order_shipped_with_an_event(shipped_order):
    record("lost", T0 + 30 * DAY, "ev-lost")
    shipped_order.refresh_from_db()
    assert shipped_order.status == OrderStatus.SHIPPED
    assert Shipment.objects.get().status == ShipmentStatus.LOST
    assert OrderEvent.objects.filter(order=shipped_order, action="parcel_lost").count() == 1


def test_unknown_parcel_code_or_naive_time(shipped_order):
    with pytest.raises(NotFound):
        record("picked_up", T0 + 2 * DAY, "x", tracking="NOPE12345678")
    with pytest.raises(ValidationFailed):
        record("teleported", T0 + 2 * DAY, "y")
    with pytest.raises(ValidationFailed):
        tracking_event_record(
            carrier="sandbox",
            tracking_number="LP123456789CN",
            code="picked_up",
            occurred_at=dt.datetime(2026, 3, 3),  # noqa: DTZ001
            location="",
            external_id="z",
        )
    assert TrackingEvent.objects.count() == 1


def test_confirm_receipt(shipped_order, buyer, other_buyer, seller):
    with pytest.raises(NotFound):
        order_confirm_receipt(number=shipped_order.number, buyer=other_buyer)
    with pytest.raises(NotFound):
        order_confirm_receipt(number=shipped_order.number, buyer=seller)
    at = T0 + 5 * DAY
    with clock.frozen_at(at):
        order = order_confirm_receipt(number=shipped_order.number, buyer=buyer)
    assert (order.status, order.delivered_at, order.receipt_confirmed_at) == (
        OrderStatus.DELIVERED,
        at,
        at,
    )
    with pytest.raises(Conflict):
        order_confirm_receipt(number=shipped_order.number, buyer=buyer)
    # A carrier scan after the buyer's confirmation does not move the delivery date.
    record("delivered", T0 + 6 * DAY, "late-scan")
    order.refresh_from_db()
    assert order.delivered_at == at


def test_confirm_after_carrier_delivery_keeps_the_scan_date(shipped_order, buyer):
    record("delivered", T0 + 4 * DAY, "d")
    with clock.frozen_at(T0 + 6 * DAY):
        order = order_confirm_receipt(number=shipped_order.number, buyer=buyer)
    assert (order.status, order.delivered_at, order.receipt_confirmed_at) == (
        OrderStatus.DELIVERED,
        T0 + 4 * DAY,
        T0 + 6 * DAY,
    )


def test_confirm_receipt_refused_before_shipping(paid_order, buyer):
    with pytest.raises(Conflict):
        order_confirm_receipt(number=paid_order.number, buyer=buyer)


def test_return_shipment_is_tracked_the_same_way(shipped_order, buyer, other_buyer):
    record("delivered", T0 + 4 * DAY, "d")
    with pytest.raises(NotFound):
        return_shipment_create(
            number=shipped_order.number,
            carrier="sandbox",
            tracking_number="RT123456789FR",
            actor_user=other_buyer,
        )
    with clock.frozen_at(T0 + 6 * DAY):
        back = return_shipment_create(
            number=shipped_order.number,
            carrier="sandbox",
            tracking_number="RT123456789FR",
            actor_user=buyer,
        )
    assert back.direction == "return"
    record("delivered", T0 + 9 * DAY, "rd", tracking="RT123456789FR")
    back.refresh_from_db()
    assert back.status == ShipmentStatus.DELIVERED
    assert OrderEvent.objects.filter(order=shipped_order, action="return_delivered").count() == 1
