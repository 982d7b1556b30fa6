"""Ledger API: an order's protection, the seller's balance, statement and payouts, failed
transfers for staff, and the provider webhook (no auth: the signature is the authentication)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from comptoir.catalog.api import MoneyOut
from comptoir.core.errors import ApplicationError
from comptoir.core.money import Money
from comptoir.core.order_numbers import format_order_number
from comptoir.core.pagination import page_schema
from comptoir.orders.selectors import order_get

from . import selectors, services
from .models import Payout, Posting, Refund
from .providers import WebhookRejected

router = Router(tags=["buyer protection"])


class ErrorOut(Schema):
    code: str
    message: str
    details: dict


ERRORS = {401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class LineProtectionOut(Schema):
    line: int
    title: str
    amount: MoneyOut
    held: MoneyOut
    released: MoneyOut
    refunded: MoneyOut
    frozen: bool


class ProtectionOut(Schema):
    order: str
    state: str
    paid: MoneyOut
    held: MoneyOut
    released: MoneyOut
    refunded: MoneyOut
    ends_at: dt.datetime | None
    basis: str
    days_left: int | None
    at_the_end: str
    lines: list[LineProtectionOut]


def _m(money: Money) -> dict[str, str]:
    return money.as_api()


@router.get(
    "/orders/{number}/protection",
    response={200: ProtectionOut, 401: ErrorOut, 404: ErrorOut},
    summary="Buyer protection of an order",
    description="Held, released and refunded amounts, per line, and when the money is released.",
)
def orders_protection(request: HttpRequest, number: str) -> dict[str, object]:
    from django.utils.translation import gettext as _

    order = order_get(user=request.user, number=number)
    p = selectors.order_protection(order=order)
    if p is None:
        raise ApplicationError("not_captured", _("No payment is held for this order."))
    english = (getattr(request, "LANGUAGE_CODE", "fr") or "fr").startswith("en")
    return {
        "order": format_order_number(order.number),
        "state": p.state,
        "paid": _m(p.paid),
        "held": _m(p.held),
        "released": _m(p.released),
        "refunded": _m(p.refunded),
        "ends_at": p.ends_at.astimezone(dt.UTC) if p.ends_at else None,
        "basis": p.basis,
        "days_left": p.days_left,
        "at_the_end": str(
            _(
                "Held money is released to the seller minus the commission; lines in a dispute wait for its outcome."
            )
        ),
        "lines": [
            {
                "line": line.hold.order_line_id,
                "title": line.title_en if english else line.title_fr,
                "amount": _m(line.amount),
                "held": _m(line.held),
                "released": _m(line.released),
                "refunded": _m(line.refunded),
                "frozen": line.frozen,
            }
            for line in p.lines
        ],
    }


class BalanceOut(Schema):
    shop: str
    held: MoneyOut
    available: MoneyOut
    in_transit: MoneyOut
    paid_out: MoneyOut
    owed: MoneyOut  # owed to the platform (advanced return postage), netted from next releases


@router.get(
    "/sellers/me/balance",
    response={200: BalanceOut, 401: ErrorOut, 404: ErrorOut},
    summary="The seller's balances",
    description="Held (escrow of the shop's orders), available (payable), in transit, paid out, and owed to the platform (return postage it advanced while the available balance was short, taken from the next releases). `shop`: a slug, else the first shop.",
)
def sellers_balance(
    request: HttpRequest, shop: str | None = Query(None, max_length=80)
) -> dict[str, object]:
    found = selectors.seller_shop(user=request.user, slug=shop)
    b = selectors.seller_balance(shop=found)
    return {
        "shop": found.slug,
        "held": _m(b.held),
        "available": _m(b.available),
        "in_transit": _m(b.in_transit),
        "paid_out": _m(b.paid_out),
        "owed": _m(b.owed),
    }


class StatementLineOut(Schema):
    entry: str
    kind: str
    label: str
    order: str | None
    amount: MoneyOut
    created_at: dt.datetime


def _line(p: Posting) -> dict[str, object]:
    return {
        "entry": p.entry.public_id,
        "kind": p.entry.kind,
        "label": str(p.entry.get_kind_display()),
        "order": format_order_number(p.entry.order.number) if p.entry.order else None,
        "amount": _m(p.amount),
        "created_at": p.created_at.astimezone(dt.UTC),
    }


@router.get(
    "/sellers/me/statement",
    response={200: page_schema(StatementLineOut), 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="The journal lines behind a balance",
    description="`account`: held, available (default) or paid_out. Newest first, keyset-paginated.",
)
def sellers_statement(
    request: HttpRequest,
    account: str = Query("available", max_length=20),
    shop: str | None = Query(None, max_length=80),
    cursor: str | None = Query(None, max_length=500),
    limit: int = Query(25, ge=1, le=100),
) -> dict[str, object]:
    found = selectors.seller_shop(user=request.user, slug=shop)
    page = selectors.seller_statement(shop=found, account=account, cursor=cursor, limit=limit)
    return {"items": [_line(p) for p in page.items], "next_cursor": page.next_cursor}


class PayoutIn(Schema):
    model_config = ConfigDict(extra="forbid")
    amount: str = Field(max_length=20)
    currency: str = Field("EUR", max_length=3)
    idempotency_key: str = Field("", max_length=64)
    shop: str | None = Field(None, max_length=80)


class PayoutOut(Schema):
    id: str
    amount: MoneyOut
    state: str
    created_at: dt.datetime


def _payout(p: Payout) -> dict[str, object]:
    return {
        "id": p.public_id,
        "amount": _m(p.amount),
        "state": p.state,
        "created_at": p.created_at.astimezone(dt.UTC),
    }


@router.post(
    "/sellers/me/payouts",
    response={201: PayoutOut, **ERRORS},
    summary="Request a payout of the available balance",
    description="409 `insufficient_funds` above the available balance. The same `idempotency_key` (or `Idempotency-Key` header) returns the first payout.",
)
def sellers_payout(request: HttpRequest, payload: PayoutIn) -> Status:
    from django.utils.translation import gettext as _

    found = selectors.seller_shop(user=request.user, slug=payload.shop)
    key = payload.idempotency_key or request.headers.get("Idempotency-Key", "")[:64]
    if not key:
        raise ApplicationError("invalid", _("An idempotency key is required."))
    payout = services.payout_request(
        shop=found,
        amount=Money.parse(payload.amount, payload.currency),
        idempotency_key=key,
        requested_by=request.user,
    )
    return Status(201, _payout(payout))


class FailedTransferOut(Schema):
    id: str
    kind: str  # refund / payout
    order: str | None
    shop: str | None
    amount: MoneyOut
    state: str
    attempts: int
    last_error: str
    created_at: dt.datetime


def _failed(t: Refund | Payout) -> dict[str, object]:
    is_refund = isinstance(t, Refund)
    return {
        "id": t.public_id,
        "kind": "refund" if is_refund else "payout",
        "order": format_order_number(t.order.number) if is_refund else None,  # type: ignore[union-attr]
        "shop": None if is_refund else t.shop.slug,  # type: ignore[union-attr]
        "amount": _m(t.amount),
        "state": t.state,
        "attempts": t.attempt,
        "last_error": t.last_error,
        "created_at": t.created_at.astimezone(dt.UTC),
    }


@router.get(
    "/failed-transfers",
    response={200: page_schema(FailedTransferOut), 401: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Staff: refunds or payouts the provider refused after the last retry",
    description="`kind`: refunds (default) or payouts. Oldest first, keyset-paginated. 404 unless you are staff.",
)
def failed_transfers(
    request: HttpRequest,
    kind: str = Query("refunds", max_length=10),
    cursor: str | None = Query(None, max_length=500),
    limit: int = Query(25, ge=1, le=100),
) -> dict[str, object]:
    page = selectors.failed_transfers(user=request.user, kind=kind, cursor=cursor, limit=limit)
    return {"items": [_failed(t) for t in page.items], "next_cursor": page.next_cursor}


@router.post(
    "/failed-transfers/{public_id}/retry",
    response={200: FailedTransferOut, 401: ErrorOut, 404: ErrorOut},
    summary="Staff: try a failed refund or payout again",
    description="A new attempt with a new idempotency key, sent through the outbox; the state becomes `in_transit`. 404 unless you are staff and the transfer is failed (a second call after a retry is a 404: nothing is sent twice).",
)
def failed_transfer_retry(request: HttpRequest, public_id: str) -> dict[str, object]:
    return _failed(services.failed_transfer_retry(user=request.user, public_id=public_id))


webhook_router = Router(tags=["buyer protection"], auth=None)


class WebhookOut(Schema):
    received: bool
    event: str


@webhook_router.post(
    "/payments/webhooks/{provider}",
    response={200: WebhookOut, 400: ErrorOut},
    summary="Payment provider webhook",
    description="Signed `Stripe-Signature: t=…,v1=…` (HMAC-SHA256 of `t.payload`). 400 `invalid_signature` or `stale_signature`; an event id already received is acknowledged and ignored.",
)
def provider_webhook(request: HttpRequest, provider: str) -> Status:
    try:
        event = services.webhook_receive(
            provider_name=provider,
            payload=request.body,
            signature_header=request.headers.get("Stripe-Signature", ""),
        )
    except WebhookRejected as exc:
        return Status(400, {"code": exc.code, "message": str(exc), "details": {}})
    return Status(200, {"received": True, "event": event.event_id})
