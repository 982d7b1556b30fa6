"""Order reads, scoped to what the caller may see: buyers their orders, shop members their
shop's orders, staff every order. "Not yours" is NotFound, like "does not exist"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from comptoir.accounts.models import ShopMembership
from comptoir.core import clock
from comptoir.core.errors import NotFound
from comptoir.core.order_numbers import normalise_order_number
from comptoir.core.pagination import Page, paginate

from . import conf
from .enums import OrderStatus, ShipmentDirection, ShipmentStatus, TrackingCode
from .models import Order, Shipment, TrackingEvent
from .transitions import Actor, Transition, allowed_actions

ORDER_ORDER = ("-created_at", "-pk")

# The tabs of "My orders" (and the API's ?status=) → statuses.
BUYER_TABS: dict[str, tuple[str, ...]] = {
    "all": (),
    "to_ship": (OrderStatus.PAID,),
    "shipped": (OrderStatus.SHIPPED,),
    "delivered": (OrderStatus.DELIVERED, OrderStatus.COMPLETED),
    "cancelled": (OrderStatus.CANCELLED, OrderStatus.AWAITING_PAYMENT),
}
SELLER_TABS: dict[str, tuple[str, ...]] = {
    "to_ship": (OrderStatus.PAID,),
    "shipped": (OrderStatus.SHIPPED,),
    "delivered": (OrderStatus.DELIVERED, OrderStatus.COMPLETED),
    "all": (),
}


def _shop_ids(user: Any) -> QuerySet[Any, Any]:
    return ShopMembership.objects.filter(user=user).values("shop_id")


def order_scope(user: Any) -> QuerySet[Order]:
    """Every order ``user`` may see."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Order.objects.none()
    if getattr(user, "is_staff_member", False):
        return Order.objects.all()
    return Order.objects.filter(Q(buyer=user) | Q(shop_id__in=_shop_ids(user)))


def _with_lines(orders: QuerySet[Order]) -> QuerySet[Order]:
    return orders.select_related("shop").prefetch_related(
        "lines__product__images__upload",
        Prefetch(
            "shipments",
            queryset=Shipment.objects.filter(direction=ShipmentDirection.OUTBOUND),
            to_attr="outbound",
        ),
    )


def order_list_for_buyer(
    *, user: Any, tab: str = "all", cursor: str | None = None, limit: int = 10
) -> Page[Order]:
    orders = Order.objects.filter(buyer=user)
    if BUYER_TABS.get(tab):
        orders = orders.filter(status__in=BUYER_TABS[tab])
    return paginate(_with_lines(orders), order=ORDER_ORDER, cursor=cursor, limit=limit)


def order_list_for_seller(
    *, user: Any, tab: str = "to_ship", cursor: str | None = None, limit: int = 20
) -> Page[Order]:
    orders = Order.objects.filter(shop_id__in=_shop_ids(user)).select_related("buyer")
    if SELLER_TABS.get(tab):
        orders = orders.filter(status__in=SELLER_TABS[tab])
    # Oldest first when there is work to do: the seller ships in payment order.
    order = ("paid_at", "pk") if tab == "to_ship" else ORDER_ORDER
    return paginate(_with_lines(orders), order=order, cursor=cursor, limit=limit)


def order_list_visible(
    *, user: Any, status: str | None = None, cursor: str | None = None, limit: int = 25
) -> Page[Order]:
    orders = order_scope(user)
    if status:
        orders = orders.filter(status=status)
    return paginate(_with_lines(orders), order=ORDER_ORDER, cursor=cursor, limit=limit)


def order_get(*, user: Any, number: str) -> Order:
    """One visible order by number (with or without dashes/spaces), or NotFound."""
    digits = normalise_order_number(number or "")
    if digits is None:
        raise NotFound()
    order = (
        order_scope(user)
        .select_related("shop", "buyer")
        .prefetch_related(
            "lines__product__images__upload",
            Prefetch(
                "shipments",
                queryset=Shipment.objects.order_by("shipped_at", "pk").prefetch_related(
                    Prefetch(
                        "events", queryset=TrackingEvent.objects.order_by("-occurred_at", "-pk")
                    )
                ),
            ),
            "events",
            "payments",
        )
        .filter(number=digits)
        .first()
    )
    if order is None:
        raise NotFound()
    return order


def order_actors(order: Order, user: Any) -> set[Actor]:
    actors: set[Actor] = set()
    if order.buyer_id == getattr(user, "pk", None):
        actors.add(Actor.BUYER)
    if ShopMembership.objects.filter(shop_id=order.shop_id, user=user).exists():
        actors.add(Actor.SELLER)
    return actors


@dataclass(frozen=True)
class ProtectionDates:
    """The dates of PRODUCT.md §3 for this order, as the buyer should read them."""

    promised_delivery_date: dt.date | None
    not_received_from: dt.date | None  # from when a "not received" dispute may be opened
    hold_ends_at: dt.datetime | None  # delivered + 60 days
    release_if_undelivered_at: dt.date | None  # promised + 15 days, when never delivered
    days_left: int | None  # of protection after delivery
    late: bool  # not delivered and past the promised date
    parcel_problem: str | None  # lost / returned_to_sender


def protection_dates(order: Order, *, now: dt.datetime | None = None) -> ProtectionDates:
    now = now or clock.now()
    today = clock.today()
    outbound = next(
        (s for s in order.shipments.all() if s.direction == ShipmentDirection.OUTBOUND), None
    )
    problem = None
    problem_date = None
    if outbound is not None and outbound.status in {
        ShipmentStatus.LOST,
        ShipmentStatus.RETURNED_TO_SENDER,
    }:
        problem = outbound.status
        problem_date = outbound.last_event_at.date() if outbound.last_event_at else today
    promised = order.promised_delivery_date
    not_received_from = None
    if order.delivered_at is None and promised is not None:
        not_received_from = min(promised, problem_date) if problem_date else promised
    hold_ends_at = None
    days_left = None
    if order.delivered_at is not None:
        hold_ends_at = order.delivered_at + dt.timedelta(days=conf.protection_hold_days())
        days_left = max(0, (hold_ends_at - now).days)
    release_if_undelivered = None
    if order.delivered_at is None and promised is not None:
        release_if_undelivered = promised + dt.timedelta(days=conf.not_received_release_days())
    late = order.delivered_at is None and promised is not None and today > promised
    return ProtectionDates(
        promised_delivery_date=promised,
        not_received_from=not_received_from,
        hold_ends_at=hold_ends_at,
        release_if_undelivered_at=release_if_undelivered,
        days_left=days_left,
        late=late and order.status == OrderStatus.SHIPPED,
        parcel_problem=problem,
    )


@dataclass(frozen=True)
class OrderView:
    order: Order
    actors: set[Actor]
    actions: list[Transition]
    protection: ProtectionDates
    shipments: list[Shipment] = field(default_factory=list)


def order_view(*, user: Any, number: str) -> OrderView:
    order = order_get(user=user, number=number)
    actors = order_actors(order, user)
    return OrderView(
        order=order,
        actors=actors,
        actions=allowed_actions(order, actors),
        protection=protection_dates(order),
        shipments=list(order.shipments.all()),
    )


def last_event_label(shipment: Shipment) -> str:
    return str(TrackingCode(shipment.last_event_code).label) if shipment.last_event_code else ""
