"""Dispute deadlines, applied by the sweeps on a locked row that is re-checked (idempotent)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from comptoir.disputes.enums import ActorKind, DisputeStatus

from ._core import due, lock, transition
from .settlement import accept_request, settle


@transaction.atomic
def dispute_seller_silence(*, dispute_id: int, now: dt.datetime) -> bool:
    """The seller did not answer in time: accepted at the buyer's request."""
    dispute = lock(dispute_id)
    if not due(dispute, DisputeStatus.AWAITING_SELLER, now):
        return False
    transition(dispute, "accept", actor_kind=ActorKind.SYSTEM, payload={"why": "seller_silence"})
    accept_request(dispute)
    return True


@transaction.atomic
def dispute_no_agreement(*, dispute_id: int, now: dt.datetime) -> bool:
    """No agreement 7 days after the last refusal: escalated to the officers."""
    from comptoir.disputes import conf

    dispute = lock(dispute_id)
    if not due(dispute, DisputeStatus.REFUSED, now):
        return False
    transition(
        dispute,
        "escalate",
        actor_kind=ActorKind.SYSTEM,
        due_at=conf.decision_due(now),
        payload={"why": "no_agreement"},
    )
    return True


@transaction.atomic
def dispute_finalise(*, dispute_id: int, now: dt.datetime) -> bool:
    """The appeal window is over: the decision is final and its money moves."""
    dispute = lock(dispute_id)
    if not due(dispute, DisputeStatus.DECIDED, now):
        return False
    transition(dispute, "finalise", actor_kind=ActorKind.SYSTEM)
    settle(dispute, outcome=dispute.outcome, amount_minor=dispute.outcome_minor or 0)
    return True
