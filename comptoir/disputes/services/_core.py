"""The machinery every dispute write shares: row locks, the transition check, the event row.

Each service locks the dispute row, checks the transition table (``transitions.TRANSITIONS``),
writes the new status and one ``DisputeEvent``, and calls ``notify.event_recorded`` with it in
the same transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from comptoir.core import clock
from comptoir.core.errors import ApplicationError, Conflict, NotFound, ValidationFailed
from comptoir.core.money import Money
from comptoir.disputes import notify
from comptoir.disputes.enums import ACTIVE_STATUSES, DisputeStatus
from comptoir.disputes.models import Dispute, DisputeEvent, DisputeLine
from comptoir.disputes.selectors import dispute_actors, dispute_scope
from comptoir.disputes.transitions import TRANSITIONS
from comptoir.ledger.services import orders_lock
from comptoir.orders.models import Order

from ._machine import Machine, machine_step


def lock(pk: int) -> Dispute:
    """Lock the dispute's order row, then the dispute row: the one lock order of every write
    that may move the order's money (order ``FOR NO KEY UPDATE``, dispute, return, escrow holds,
    accounts; ``ledger.services.orders_lock``). Carrier tracking locks the order before the
    holds too, so a refund can never hold the holds while waiting for the order."""
    order_id = Dispute.objects.filter(pk=pk).values_list("order_id", flat=True).first()
    if order_id is None:
        raise NotFound()
    orders_lock([order_id])
    return Dispute.objects.select_for_update(of=("self",)).select_related("order").get(pk=pk)


def lock_visible(*, user: Any, public_id: str) -> Dispute:
    found = dispute_scope(user).filter(public_id=public_id).values_list("pk", flat=True).first()
    if found is None:
        raise NotFound()
    return lock(found)


def actor_for(dispute: Dispute, user: Any, action: str) -> str:
    """The role ``user`` plays for this action, or a refusal (the transition table decides)."""
    t = TRANSITIONS[action]
    allowed = dispute_actors(dispute, user) & t.actors
    if not allowed:
        raise ApplicationError(
            "action_not_allowed", _("You cannot do this on this dispute."), {"action": action}
        )
    if dispute.status not in t.sources:
        raise not_now(dispute, action)
    return sorted(allowed)[0]


def not_now(dispute: Dispute, action: str) -> Conflict:
    return Conflict(
        "transition_not_allowed",
        _("This dispute cannot do that now (it is “%(status)s”).")
        % {"status": dispute.get_status_display()},
        {"action": action, "status": dispute.status},
    )


def line_ids(dispute: Dispute) -> list[int]:
    return list(dispute.lines.order_by("order_line_id").values_list("order_line_id", flat=True))


def event_record(
    *,
    dispute: Dispute | None,
    action: str,
    actor_kind: str,
    actor: Any = None,
    old_status: str = "",
    new_status: str = "",
    payload: dict[str, Any] | None = None,
    return_request: Any = None,
) -> DisputeEvent:
    """Write one timeline row and hand it to ``notify.event_recorded`` (same transaction)."""
    event = DisputeEvent.objects.create(
        dispute=dispute,
        return_request=return_request,
        action=action,
        old_status=old_status,
        new_status=new_status,
        actor_kind=actor_kind,
        actor=actor if getattr(actor, "pk", None) else None,
        payload=payload or {},
        created_at=clock.now(),
    )
    notify.event_recorded(event)
    return event


def _dispute_event(dispute: Dispute, **fields: Any) -> DisputeEvent:
    return event_record(dispute=dispute, **fields)


DISPUTES = Machine(
    table=TRANSITIONS,
    active=ACTIVE_STATUSES,
    closing=frozenset({DisputeStatus.CLOSED, DisputeStatus.CANCELLED}),
    lines=lambda dispute: DisputeLine.objects.filter(dispute=dispute),
    taken=lambda: Conflict(
        "line_in_dispute", _("One of these items is already in another active dispute.")
    ),
    not_now=not_now,
    record=_dispute_event,
)


def transition(
    dispute: Dispute,
    action: str,
    *,
    actor_kind: str,
    actor: Any = None,
    due_at: dt.datetime | None = None,
    payload: dict[str, Any] | None = None,
) -> DisputeEvent:
    """One step of the dispute table on the locked dispute (``_machine.machine_step``)."""
    return machine_step(
        DISPUTES,
        dispute,
        action,
        actor_kind=actor_kind,
        actor=actor,
        due_at=due_at,
        payload=payload,
    )


def money_in(amount: Money | None, order: Order) -> Money | None:
    if amount is None:
        return None
    if amount.currency != order.currency:
        raise ValidationFailed(_("The amount must be in the order's currency."))
    return amount.quantize()


def due(dispute: Dispute, status: str, now: dt.datetime) -> bool:
    return dispute.status == status and dispute.due_at is not None and dispute.due_at <= now
