"""Orders API: list and read orders (scoped), confirm receipt, ship, and checkout."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field, StrictInt

from comptoir.catalog.api import MoneyOut
from comptoir.core.errors import NotFound, ValidationFailed
from comptoir.core.order_numbers import format_order_number
from comptoir.core.pagination import page_schema

from . import selectors, services
from .carriers import carrier_name
from .enums import OrderStatus, TrackingCode
from .models import Order, Shipment
from .transitions import Actor

router = Router(tags=["orders"])


class ErrorOut(Schema):
    code: str
    message: str
    details: dict


ERRORS = {401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class TrackingEventOut(Schema):
    code: str
    label: str
    location: str
    occurred_at: dt.datetime


class ShipmentOut(Schema):
    direction: str
    carrier: str
    carrier_name: str
    tracking_number: str
    status: str
    shipped_at: dt.datetime
    delivered_at: dt.datetime | None
    events: list[TrackingEventOut]


class LineOut(Schema):
    product_public_id: str
    title: str
    quantity: int
    unit_price: MoneyOut
    total: MoneyOut


class ProtectionOut(Schema):
    promised_delivery_date: dt.date | None
    not_received_dispute_from: dt.date | None
    hold_ends_at: dt.datetime | None
    late: bool
    parcel_problem: str | None


class OrderOut(Schema):
    number: str
    status: str
    status_label: str
    payment_status: str
    shop: dict
    subtotal: MoneyOut
    shipping: MoneyOut
    total: MoneyOut
    created_at: dt.datetime
    paid_at: dt.datetime | None
    shipped_at: dt.datetime | None
    promised_delivery_date: dt.date | None
    delivered_at: dt.datetime | None
    receipt_confirmed_at: dt.datetime | None
    lines: list[LineOut]
    url: str


class OrderDetailOut(OrderOut):
    shipping_address: dict
    shipments: list[ShipmentOut]
    protection: ProtectionOut
    allowed_actions: list[str]


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone(dt.UTC) if value is not None else None


def _lang() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


def _order_out(order: Order) -> dict[str, object]:
    lang = _lang()
    number = format_order_number(order.number)
    return {
        "number": number,
        "status": order.status,
        "status_label": str(OrderStatus(order.status).label),
        "payment_status": order.payment_status,
        "shop": {"slug": order.shop.slug, "name": order.shop.name},
        "subtotal": order.subtotal_money.as_api(),
        "shipping": order.shipping.as_api(),
        "total": order.total.as_api(),
        "created_at": _utc(order.created_at),
        "paid_at": _utc(order.paid_at),
        "shipped_at": _utc(order.shipped_at),
        "promised_delivery_date": order.promised_delivery_date,
        "delivered_at": _utc(order.delivered_at),
        "receipt_confirmed_at": _utc(order.receipt_confirmed_at),
        "lines": [
            {
                "product_public_id": line.product.public_id,
                "title": line.title_fr if lang == "fr" else line.title_en,
                "quantity": line.quantity,
                "unit_price": line.unit_price().as_api(),
                "total": line.line_total().as_api(),
            }
            for line in order.lines.all()
        ],
        "url": reverse("orders:detail", args=[number]),
    }


def _shipment_out(shipment: Shipment) -> dict[str, object]:
    return {
        "direction": shipment.direction,
        "carrier": shipment.carrier,
        "carrier_name": carrier_name(shipment.carrier),
        "tracking_number": shipment.tracking_number,
        "status": shipment.status,
        "shipped_at": _utc(shipment.shipped_at),
        "delivered_at": _utc(shipment.delivered_at),
        "events": [
            {
                "code": e.code,
                "label": str(TrackingCode(e.code).label),
                "location": e.location,
                "occurred_at": _utc(e.occurred_at),
            }
            for e in shipment.events.all()
        ],
    }


def _detail(request: HttpRequest, number: str) -> dict[str, object]:
    view = selectors.order_view(user=request.user, number=number)
    order = view.order
    p = view.protection
    data = _order_out(order)
    address = {
        "name": order.ship_name,
        "line1": order.ship_line1,
        "line2": order.ship_line2,
        "postal_code": order.ship_postal_code,
        "city": order.ship_city,
        "country": order.ship_country,
    }
    if Actor.BUYER in view.actors or request.user.is_staff_member:  # type: ignore[union-attr]
        address["phone"] = order.ship_phone
    data |= {
        "shipping_address": address,
        "shipments": [_shipment_out(s) for s in view.shipments],
        "protection": {
            "promised_delivery_date": p.promised_delivery_date,
            "not_received_dispute_from": p.not_received_from,
            "hold_ends_at": _utc(p.hold_ends_at),
            "late": p.late,
            "parcel_problem": p.parcel_problem,
        },
        "allowed_actions": [str(t.action) for t in view.actions],
    }
    return data


@router.get(
    "/orders",
    response={200: page_schema(OrderOut), 401: ErrorOut, 422: ErrorOut},
    summary="List orders",
    description=(
        "Buyers see their orders, sellers their shops' orders, staff every order; newest "
        "first, keyset-paginated. `status`: one of " + ", ".join(OrderStatus.values) + "."
    ),
)
def orders_list(
    request: HttpRequest,
    status: str | None = Query(None, max_length=20),
    cursor: str | None = Query(None, max_length=500),
    limit: int = Query(25, ge=1, le=100),
) -> dict[str, object]:
    if status and status not in OrderStatus.values:
        raise ValidationFailed("Unknown status.", {"fields": {"status": list(OrderStatus.values)}})
    page = selectors.order_list_visible(
        user=request.user, status=status, cursor=cursor, limit=limit
    )
    return {"items": [_order_out(o) for o in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/orders/{number}",
    response={200: OrderDetailOut, 401: ErrorOut, 404: ErrorOut},
    summary="One order",
    description="The number with or without dashes or spaces. 404 when it is not yours.",
)
def orders_get(request: HttpRequest, number: str) -> dict[str, object]:
    return _detail(request, number)


@router.post(
    "/orders/{number}/confirm-receipt",
    response={200: OrderDetailOut, **ERRORS},
    summary="Confirm receipt (buyer)",
    description="409 `order_transition_not_allowed` when the order is not shipped or already confirmed.",
)
def orders_confirm_receipt(request: HttpRequest, number: str) -> dict[str, object]:
    order = selectors.order_get(user=request.user, number=number)
    services.order_confirm_receipt(number=order.number, buyer=request.user)
    return _detail(request, order.number)


class ShipIn(Schema):
    model_config = ConfigDict(extra="forbid")
    carrier: str = Field(max_length=30)
    tracking_number: str = Field(max_length=40)
    promised_delivery_date: dt.date


@router.post(
    "/orders/{number}/ship",
    response={200: OrderDetailOut, **ERRORS},
    summary="Mark shipped (seller of the order's shop)",
    description=(
        "`promised_delivery_date` after today and at most 60 days after shipment. 409 "
        "`tracking_number_in_use`, `order_transition_not_allowed`; 422 `invalid` with fields."
    ),
)
def orders_ship(request: HttpRequest, number: str, payload: ShipIn) -> dict[str, object]:
    order = selectors.order_get(user=request.user, number=number)
    services.order_ship(
        number=order.number,
        seller=request.user,
        carrier=payload.carrier,
        tracking_number=payload.tracking_number,
        promised_delivery_date=payload.promised_delivery_date,
    )
    return _detail(request, order.number)


class AddressIn(Schema):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=200)
    line1: str = Field(max_length=200)
    line2: str = Field("", max_length=200)
    postal_code: str = Field(max_length=40)
    city: str = Field(max_length=200)
    country: str = Field(max_length=2)
    phone: str = Field("", max_length=40)


class BuyIn(Schema):
    model_config = ConfigDict(extra="forbid")
    quantity: StrictInt
    shipping_address: AddressIn
    idempotency_key: str = Field("", max_length=64)


@router.post(
    "/products/{public_id}/buy",
    response={201: OrderDetailOut, **ERRORS},
    summary="Buy now (checkout)",
    description=(
        "Creates a paid order for `quantity` (1–99) of the product shipped to "
        "`shipping_address`. The same `idempotency_key` (or `Idempotency-Key` header) twice "
        "returns the first order. 422 `invalid` with `details.fields`."
    ),
)
def products_buy(request: HttpRequest, public_id: str, payload: BuyIn) -> Status:
    key = payload.idempotency_key or request.headers.get("Idempotency-Key", "")[:64]
    a = payload.shipping_address
    order = services.order_checkout(
        buyer=request.user,
        product_public_id=public_id,
        quantity=payload.quantity,
        address=services.ShippingAddress(
            name=a.name,
            line1=a.line1,
            line2=a.line2,
            postal_code=a.postal_code,
            city=a.city,
            country=a.country,
            phone=a.phone,
        ),
        checkout_key=key,
    )
    if order is None:  # pragma: no cover
        raise NotFound()
    return Status(201, _detail(request, order.number))
