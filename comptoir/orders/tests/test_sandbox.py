from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from comptoir.core.sweeps import run_sweep
from comptoir.orders.enums import OrderStatus, ShipmentStatus
from comptoir.orders.models import Shipment, TrackingEvent
from comptoir.orders.sandbox import ROUTES, route_for
from comptoir.orders.tests.conftest import T0, checkout, ship

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def test_sweep_moves_parcels_with_time_and_is_idempotent(paid_order, seller, buyer, product):
    ship(paid_order, seller, at=T0, route="standard")
    lost = checkout(buyer, product)
    ship(lost, seller, at=T0, tracking="LP000000001CN", route="lost")
    assert run_sweep("sandbox_carrier", now=T0 + 3 * DAY).handled == 6  # 3 origin scans each
    assert Shipment.objects.get(order=paid_order).status == ShipmentStatus.IN_TRANSIT
    assert run_sweep("sandbox_carrier", now=T0 + 3 * DAY).handled == 0
    result = run_sweep("sandbox_carrier", now=T0 + 40 * DAY)
    assert result.handled == (len(ROUTES["standard"]) - 3) + (len(ROUTES["lost"]) - 3)
    paid_order.refresh_from_db()
    lost.refresh_from_db()
    assert paid_order.status == OrderStatus.DELIVERED
    assert paid_order.delivered_at == T0 + ROUTES["standard"][-1].after
    assert lost.status == OrderStatus.SHIPPED
    assert Shipment.objects.get(order=lost).status == ShipmentStatus.LOST
    codes = list(
        TrackingEvent.objects.filter(shipment__order=paid_order)
        .order_by("occurred_at")
        .values_list("code", flat=True)
    )
    assert codes == ["info_received", *[step.code for step in ROUTES["standard"]]]
    assert run_sweep("sandbox_carrier", now=T0 + 90 * DAY).handled == 0
    assert Shipment.objects.filter(sandbox_next_at__isnull=False).count() == 0


def test_customs_pickup_and_returned_routes(buyer, product, seller):
    orders = {}
    for index, route in enumerate(("customs", "pickup", "returned")):
        order = checkout(buyer, product)
        ship(order, seller, at=T0, tracking=f"LP00000010{index}CN", route=route)
        orders[route] = order
    run_sweep("sandbox_carrier", now=T0 + 12 * DAY)
    status = {route: Shipment.objects.get(order=o).status for route, o in orders.items()}
    assert status == {
        "customs": ShipmentStatus.HELD_AT_CUSTOMS,
        "pickup": ShipmentStatus.AWAITING_PICKUP,
        "returned": ShipmentStatus.AWAITING_PICKUP,
    }
    run_sweep("sandbox_carrier", now=T0 + 30 * DAY)
    status = {route: Shipment.objects.get(order=o).status for route, o in orders.items()}
    assert status == {
        "customs": ShipmentStatus.DELIVERED,
        "pickup": ShipmentStatus.DELIVERED,
        "returned": ShipmentStatus.RETURNED_TO_SENDER,
    }


def test_run_sweeps_command_at(paid_order, seller, capsys):
    ship(paid_order, seller, at=T0, route="standard")
    call_command("run_sweeps", "--at", "2026-04-15T10:00", "--only", "sandbox_carrier")
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.DELIVERED


def test_routes_are_stable_and_mostly_on_time():
    assert route_for("LP123456789CN") == route_for("LP123456789CN")
    picked = [route_for(f"LP{n:09d}CN") for n in range(400)]
    assert picked.count("standard") > 200 and {"lost", "returned", "customs", "pickup"} <= set(
        picked
    )
