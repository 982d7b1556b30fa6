"""Return endpoints (PRODUCT.md §3, J11), on the disputes router: list, detail, a change-of-mind
return request, and one POST per step. Visible to the return's buyer, the members of its shop,
and staff; 404 for anyone else."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Schema, Status
from pydantic import Field

from comptoir.catalog.api import MoneyOut
from comptoir.core.errors import NotFound
from comptoir.core.order_numbers import format_order_number
from comptoir.core.pagination import page_schema
from comptoir.core.uploads.models import Upload
from comptoir.orders.selectors import order_get

from . import returns as services
from . import selectors
from .api import ERRORS, EventOut, _amount, router
from .models import ReturnRequest


class AddressOut(Schema):
    source: str
    lines: list[str]


class ReturnOut(Schema):
    id: str
    order: str
    dispute: str | None
    kind: str
    status: str
    status_label: str
    postage_payer: str = Field(description="who pays the return postage: buyer or seller")
    due_at: dt.datetime | None
    address: AddressOut | None
    carrier: str
    tracking_number: str
    postage: MoneyOut | None
    refund: MoneyOut | None
    created_at: dt.datetime


class ReturnDetailOut(ReturnOut):
    lines: list[int]
    events: list[EventOut]
    actions: list[str]


def _out(r: ReturnRequest) -> dict[str, Any]:
    shipment = r.shipment
    return {
        "id": r.public_id,
        "order": format_order_number(r.order.number),
        "dispute": r.dispute.public_id if r.dispute is not None else None,
        "kind": r.kind,
        "status": r.status,
        "status_label": str(r.get_status_display()),
        "postage_payer": r.postage_payer,
        "due_at": r.due_at,
        "address": (
            {"source": r.address_source, "lines": r.address_lines} if r.address_source else None
        ),
        "carrier": shipment.carrier if shipment else "",
        "tracking_number": shipment.tracking_number if shipment else "",
        "postage": r.postage.as_api() if r.postage is not None else None,
        "refund": r.refund_amount.as_api() if r.refund_amount is not None else None,
        "created_at": r.created_at,
    }


def _detail(request: HttpRequest, public_id: str) -> dict[str, Any]:
    view = selectors.return_view(user=request.user, public_id=public_id)
    r = view.ret
    return {
        **_out(r),
        "lines": view.line_ids,
        "events": [
            {
                "action": e.action,
                "old_status": e.old_status,
                "new_status": e.new_status,
                "actor": e.actor_kind,
                "at": e.created_at,
                "payload": e.payload,
            }
            for e in r.events.all()
        ],
        "actions": [t.action for t in view.actions],
    }


@router.get(
    "/returns", response={200: page_schema(ReturnOut), **ERRORS}, summary="My return requests"
)
def returns_list(
    request: HttpRequest,
    status: str | None = Query(None, max_length=20),
    cursor: str | None = Query(None, max_length=500),
    limit: int = Query(25, ge=1, le=100),
) -> dict[str, Any]:
    page = selectors.return_list(user=request.user, status=status, cursor=cursor, limit=limit)
    return {"items": [_out(r) for r in page.items], "next_cursor": page.next_cursor}


@router.get("/returns/{public_id}", response={200: ReturnDetailOut, **ERRORS}, summary="A return")
def returns_get(request: HttpRequest, public_id: str) -> dict[str, Any]:
    return _detail(request, public_id)


class ReturnOpenIn(Schema):
    order: str = Field(max_length=30)
    lines: list[int] = Field(min_length=1, max_length=100)
    unused: bool = Field(description="the buyer declares the item unused, in its original state")
    note: str = Field("", max_length=2000)


@router.post(
    "/returns",
    response={201: ReturnDetailOut, **ERRORS},
    summary="Ask for a change-of-mind return",
    description="Within buyer protection, item unused; the buyer pays the return postage and "
    "is refunded the item price when the seller confirms receipt (PRODUCT.md §3).",
)
def returns_open(request: HttpRequest, payload: ReturnOpenIn) -> Status:
    with transaction.atomic(durable=True):
        order = order_get(user=request.user, number=payload.order)
        ret = services.return_request_open(
            user=request.user,
            order=order,
            line_ids=payload.lines,
            unused=payload.unused,
            note=payload.note,
        )
    return Status(201, _detail(request, ret.public_id))


class ReturnActionIn(Schema):
    name: str = Field("", max_length=100)
    line1: str = Field("", max_length=200)
    line2: str = Field("", max_length=200)
    postal_code: str = Field("", max_length=12)
    city: str = Field("", max_length=80)
    country: str = Field("", max_length=2)
    carrier: str = Field("", max_length=30)
    tracking_number: str = Field("", max_length=40)
    postage: str | None = Field(None, max_length=20, description="declared return postage")
    postage_receipt: str | None = Field(None, max_length=26, description="an upload's public id")


def _receipt(user: Any, public_id: str | None) -> Upload | None:
    if not public_id:
        return None
    found = Upload.objects.filter(owner=user, public_id=public_id).first()
    if found is None:
        raise NotFound()
    return found


def return_action(
    request: HttpRequest, public_id: str, action: str, data: ReturnActionIn
) -> ReturnRequest:
    """Parse ``data`` for ``action`` and call its one service (shared by the API and pages)."""
    user = request.user

    def currency() -> str:
        return selectors.return_get(user=user, public_id=public_id).currency

    calls: dict[str, Callable[[], ReturnRequest]] = {
        "address": lambda: services.return_address_give(
            user=user,
            public_id=public_id,
            name=data.name,
            line1=data.line1,
            line2=data.line2,
            postal_code=data.postal_code,
            city=data.city,
            country=data.country,
        ),
        "ship": lambda: services.return_ship(
            user=user,
            public_id=public_id,
            carrier=data.carrier,
            tracking_number=data.tracking_number,
            postage=_amount(data.postage, currency()),
            postage_receipt=_receipt(user, data.postage_receipt),
        ),
        "delivered": lambda: services.return_mark_delivered(user=user, public_id=public_id),
        "confirm-receipt": lambda: services.return_confirm_receipt(user=user, public_id=public_id),
        "cancel": lambda: services.return_cancel(user=user, public_id=public_id),
    }
    if action not in calls:
        raise NotFound()
    with transaction.atomic(durable=True):
        return calls[action]()


RETURN_ACTIONS = {
    "address": "Seller: give the return address (`name`, `line1`, `line2`, `postal_code`, "
    "`city`, `country`); else the platform's address is used after 5 days.",
    "ship": "Buyer: the item was sent back (`carrier`, `tracking_number`; when the seller pays "
    "the postage, `postage` and `postage_receipt`); within 10 days of the address.",
    "delivered": "Staff: record the return's delivery (when no carrier scan came).",
    "confirm-receipt": "Seller: confirm the item came back; the buyer is refunded at once.",
    "cancel": "Buyer: withdraw a change-of-mind return before shipping it.",
}


def _endpoint(action: str, help_text: str) -> None:
    def handler(request: HttpRequest, public_id: str, payload: ReturnActionIn) -> dict[str, Any]:
        return_action(request, public_id, action, payload)
        return _detail(request, public_id)

    handler.__name__ = "returns_" + action.replace("-", "_")
    router.post(
        f"/returns/{{public_id}}/{action}",
        response={200: ReturnDetailOut, **ERRORS},
        summary=f"Return action: {action}",
        description=help_text + " 404 unless you are the buyer, a member of the seller's shop, "
        "or staff; 409 `transition_not_allowed` when the return is not at that step.",
        operation_id=handler.__name__,
        tags=["returns"],
    )(handler)


for _action, _help in RETURN_ACTIONS.items():
    _endpoint(_action, _help)
