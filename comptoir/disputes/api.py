"""Disputes API: list, detail, open, and one POST per action (PRODUCT.md J11); the return
endpoints are in ``api_returns`` (same router).

Visible to the dispute's buyer, the members of its shop, and staff; 404 for anyone else."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from comptoir.catalog.api import MoneyOut
from comptoir.core.errors import NotFound, ValidationFailed
from comptoir.core.money import Money
from comptoir.core.order_numbers import format_order_number
from comptoir.core.pagination import page_schema
from comptoir.core.uploads.models import Upload
from comptoir.orders.selectors import order_get

from . import evidence as evidence_services
from . import selectors, services
from .models import Dispute

router = Router(tags=["disputes"])


class ErrorOut(Schema):
    code: str
    message: str
    details: dict


ERRORS = {401: ErrorOut, 404: ErrorOut, 409: ErrorOut, 400: ErrorOut, 422: ErrorOut}


class EventOut(Schema):
    action: str
    old_status: str
    new_status: str
    actor: str
    at: dt.datetime
    payload: dict


class ProposalOut(Schema):
    kind: str
    outcome: str
    amount: MoneyOut
    message: str
    at: dt.datetime


class DisputeOut(Schema):
    id: str
    order: str
    status: str
    status_label: str
    reason: str
    request: str
    requested: MoneyOut
    description: str
    lines: list[int]
    due_at: dt.datetime | None
    outcome: str
    outcome_amount: MoneyOut | None
    appealed: bool
    created_at: dt.datetime


class EvidenceRequestOut(Schema):
    party: str
    message: str
    due_at: dt.datetime


class DisputeReturnOut(Schema):
    id: str
    status: str
    status_label: str
    due_at: dt.datetime | None


class DisputeDetailOut(DisputeOut):
    events: list[EventOut]
    proposals: list[ProposalOut]
    evidence: list[str] = Field(description="public ids of the evidence files")
    evidence_messages: list[str] = Field(
        description="public ids of the order's buyer–seller messages attached as evidence"
    )
    evidence_request: EvidenceRequestOut | None = Field(
        description="the officer's pending request for more evidence"
    )
    returns: list[DisputeReturnOut]
    actions: list[str]


def _out(d: Dispute, *, lines: list[int] | None = None) -> dict[str, Any]:
    amount = d.outcome_amount
    return {
        "id": d.public_id,
        "order": format_order_number(d.order.number),
        "status": d.status,
        "status_label": str(d.get_status_display()),
        "reason": d.reason,
        "request": d.request,
        "requested": d.requested.as_api(),
        "description": d.description,
        "lines": lines if lines is not None else [dl.order_line_id for dl in d.lines.all()],
        "due_at": d.due_at,
        "outcome": d.outcome,
        "outcome_amount": amount.as_api() if amount is not None else None,
        "appealed": d.appealed,
        "created_at": d.created_at,
    }


@router.get("/disputes", response={200: page_schema(DisputeOut), **ERRORS}, summary="My disputes")
def disputes_list(
    request: HttpRequest,
    status: str | None = Query(None, max_length=20),
    cursor: str | None = Query(None, max_length=500),
    limit: int = Query(25, ge=1, le=100),
) -> dict[str, Any]:
    page = selectors.dispute_list(user=request.user, status=status, cursor=cursor, limit=limit)
    items = page.items
    from .models import DisputeLine

    by_dispute: dict[int, list[int]] = {}
    for dispute_id, line_id in DisputeLine.objects.filter(
        dispute_id__in=[d.pk for d in items]
    ).values_list("dispute_id", "order_line_id"):
        by_dispute.setdefault(dispute_id, []).append(line_id)
    return {
        "items": [_out(d, lines=sorted(by_dispute.get(d.pk, []))) for d in items],
        "next_cursor": page.next_cursor,
    }


def _detail(request: HttpRequest, public_id: str) -> dict[str, Any]:
    view = selectors.dispute_view(user=request.user, public_id=public_id)
    d = view.dispute
    return {
        **_out(d),
        "events": [
            {
                "action": e.action,
                "old_status": e.old_status,
                "new_status": e.new_status,
                "actor": e.actor_kind,
                "at": e.created_at,
                "payload": e.payload,
            }
            for e in d.events.all()
        ],
        "proposals": [
            {
                "kind": p.kind,
                "outcome": p.outcome,
                "amount": p.amount.as_api(),
                "message": p.message,
                "at": p.created_at,
            }
            for p in sorted(d.proposals.all(), key=lambda p: p.pk)
        ],
        "evidence": [ev.upload.public_id for ev in d.evidence.all() if ev.upload is not None],
        "evidence_messages": [
            ev.message.public_id for ev in d.evidence.all() if ev.message is not None
        ],
        "evidence_request": (
            {"party": pending.party, "message": pending.message, "due_at": pending.due_at}
            if (pending := selectors.open_evidence_request(d)) is not None
            else None
        ),
        "returns": [
            {
                "id": r.public_id,
                "status": r.status,
                "status_label": str(r.get_status_display()),
                "due_at": r.due_at,
            }
            for r in d.returns.order_by("pk")
        ],
        "actions": [t.action for t in view.actions],
    }


@router.get(
    "/disputes/{public_id}", response={200: DisputeDetailOut, **ERRORS}, summary="A dispute"
)
def disputes_get(request: HttpRequest, public_id: str) -> dict[str, Any]:
    return _detail(request, public_id)


class OpenIn(Schema):
    order: str = Field(max_length=30)
    lines: list[int] = Field(min_length=1, max_length=100)
    reason: str = Field(max_length=20)
    request: str = Field(max_length=20)
    amount: str | None = Field(
        None, max_length=20, description="e.g. 12.50, in the order's currency"
    )
    description: str = Field(max_length=5000)
    evidence: list[str] = Field(default_factory=list, max_length=10)
    messages: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="public ids of messages of the order's conversation with the seller",
    )


def _amount(value: str | None, currency: str) -> Money | None:
    if value is None or value == "":
        return None
    try:
        return Money.parse(value, currency)
    except (ValueError, ArithmeticError) as exc:
        raise ValidationFailed("Invalid amount.", {"field": "amount"}) from exc


def _uploads(user: Any, ids: list[str]) -> list[Upload]:
    found = list(Upload.objects.filter(owner=user, public_id__in=ids))
    if len(found) != len(set(ids)):
        raise NotFound()
    return found


@router.post("/disputes", response={201: DisputeDetailOut, **ERRORS}, summary="Open a dispute")
def disputes_open(request: HttpRequest, payload: OpenIn) -> Status:
    with transaction.atomic(durable=True):
        order = order_get(user=request.user, number=payload.order)
        dispute = services.dispute_open(
            user=request.user,
            order=order,
            line_ids=payload.lines,
            reason=payload.reason,
            request=payload.request,
            description=payload.description,
            amount=_amount(payload.amount, order.currency),
            evidence=_uploads(request.user, payload.evidence),
            message_ids=payload.messages,
        )
    return Status(201, _detail(request, dispute.public_id))


class ActionIn(Schema):
    message: str = Field("", max_length=5000)
    outcome: str = Field("", max_length=20)
    amount: str | None = Field(None, max_length=20)
    request: str = Field("", max_length=20)
    description: str = Field("", max_length=5000)
    evidence: list[str] = Field(default_factory=list, max_length=10)
    messages: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="public ids of messages of the order's conversation with the seller",
    )
    # request-evidence: who is asked, "buyer" or "seller".
    party: str = Field("", max_length=10)


def _currency(request: HttpRequest, public_id: str) -> str:
    return selectors.dispute_get(user=request.user, public_id=public_id).currency


def dispute_action(request: HttpRequest, public_id: str, action: str, data: ActionIn) -> Dispute:
    """Parse ``data`` for ``action`` and call its one service (shared by the API and the pages)."""
    user = request.user
    calls: dict[str, Callable[[], Dispute]] = {
        "accept": lambda: services.dispute_accept(user=user, public_id=public_id),
        "refuse": lambda: services.dispute_refuse(
            user=user,
            public_id=public_id,
            outcome=data.outcome,
            message=data.message,
            amount=_amount(data.amount, _currency(request, public_id)),
            evidence=_uploads(user, data.evidence),
            message_ids=data.messages,
        ),
        "accept-counter": lambda: services.dispute_accept_counter(user=user, public_id=public_id),
        "modify": lambda: services.dispute_modify(
            user=user,
            public_id=public_id,
            request=data.request,
            description=data.description or data.message,
            amount=_amount(data.amount, _currency(request, public_id)),
        ),
        "cancel": lambda: services.dispute_cancel(user=user, public_id=public_id),
        "reopen": lambda: services.dispute_reopen(user=user, public_id=public_id),
        "escalate": lambda: services.dispute_escalate(user=user, public_id=public_id),
        "decide": lambda: services.dispute_decide(
            user=user,
            public_id=public_id,
            outcome=data.outcome,
            message=data.message,
            amount=_amount(data.amount, _currency(request, public_id)),
        ),
        "appeal": lambda: services.dispute_appeal(
            user=user, public_id=public_id, message=data.message
        ),
        "decide-appeal": lambda: services.dispute_decide_appeal(
            user=user,
            public_id=public_id,
            outcome=data.outcome,
            message=data.message,
            amount=_amount(data.amount, _currency(request, public_id)),
        ),
        "request-evidence": lambda: (
            evidence_services.evidence_request(
                user=user, public_id=public_id, party=data.party, message=data.message
            ).dispute
        ),
        "submit-evidence": lambda: evidence_services.evidence_submit(
            user=user,
            public_id=public_id,
            message=data.message,
            uploads=_uploads(user, data.evidence),
            message_ids=data.messages,
        ),
        "add-evidence": lambda: _add_evidence(user, public_id, data),
    }
    if action not in calls:
        raise NotFound()
    with transaction.atomic(durable=True):
        return calls[action]()


def _add_evidence(user: Any, public_id: str, data: ActionIn) -> Dispute:
    evidence_services.evidence_add(
        user=user,
        public_id=public_id,
        uploads=_uploads(user, data.evidence),
        message_ids=data.messages,
        note=data.message,
    )
    return selectors.dispute_get(user=user, public_id=public_id)


ACTIONS = (
    "accept",
    "refuse",
    "accept-counter",
    "modify",
    "cancel",
    "reopen",
    "escalate",
    "decide",
    "appeal",
    "decide-appeal",
    "request-evidence",
    "submit-evidence",
    "add-evidence",
)

ACTION_HELP = {
    "accept": "Seller: accept the buyer's request (settled at once).",
    "refuse": "Seller: refuse with a counter-proposal (`outcome`, `amount`, `message`, "
    "`evidence`, `messages`); 7 days to agree.",
    "accept-counter": "Buyer: accept the seller's counter-proposal.",
    "modify": "Buyer: modify the request (`request`, `amount`, `description`); the seller's "
    "5 days restart.",
    "cancel": "Buyer: cancel the dispute (it may be reopened while protection runs).",
    "reopen": "Buyer: reopen a cancelled dispute while protection runs.",
    "escalate": "Buyer: ask the platform's officers to decide (due in 2 business days).",
    "decide": "Officer: decide (`outcome`, `amount`, `message`); appeal open 5 days.",
    "appeal": "Buyer or seller: appeal the decision once, within 5 days (`message`).",
    "decide-appeal": "Another officer: decide the appeal; final, money moves.",
    "request-evidence": "Officer: ask `party` (buyer or seller) for more evidence "
    "(`message`); 3 days to answer.",
    "submit-evidence": "The party asked: send the evidence (`message`, `evidence`, "
    "`messages`); back to the officers.",
    "add-evidence": "Buyer or seller: add files (`evidence`) or order messages (`messages`) "
    "to an active dispute.",
}


def _endpoint(action: str) -> None:
    def handler(request: HttpRequest, public_id: str, payload: ActionIn) -> dict[str, Any]:
        dispute_action(request, public_id, action, payload)
        return _detail(request, public_id)

    handler.__name__ = "disputes_" + action.replace("-", "_")
    router.post(
        f"/disputes/{{public_id}}/{action}",
        response={200: DisputeDetailOut, **ERRORS},
        summary=f"Dispute action: {action}",
        description=ACTION_HELP.get(action, "")
        + " 404 unless you are the buyer, a member of the seller's shop, or staff; 409 "
        "`transition_not_allowed` when the dispute is not at a step that allows it.",
        operation_id=handler.__name__,
    )(handler)


for _action in ACTIONS:
    _endpoint(_action)


from . import api_returns  # noqa: E402,F401  (adds the return endpoints to this router)
