"""The platform's dispute officers: decision, appeal (once, 5 days), appeal decision by another
officer. Money moves only when the decision is final."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.core import clock
from comptoir.core.errors import Conflict, ValidationFailed
from comptoir.core.money import Money
from comptoir.disputes import conf
from comptoir.disputes.enums import EvidenceRequestStatus, ProposalKind
from comptoir.disputes.models import Dispute, EvidenceRequest, Proposal

from ._core import actor_for, lock_visible, transition
from .answers import proposal_amount
from .settlement import settle


def _decision(
    dispute: Dispute, *, user: Any, outcome: str, amount: Money | None, message: str
) -> Proposal:
    amount_minor = proposal_amount(dispute, outcome, amount)
    return Proposal.objects.create(
        dispute=dispute,
        kind=ProposalKind.DECISION,
        outcome=outcome,
        amount_minor=amount_minor,
        currency=dispute.currency,
        message=(message or "").strip(),
        author=user,
    )


@transaction.atomic
def dispute_decide(
    *, user: Any, public_id: str, outcome: str, message: str, amount: Money | None = None
) -> Dispute:
    """An officer decides (also while waiting for evidence: the request is then closed); either
    party may appeal within 5 days, then it is final."""
    dispute = lock_visible(user=user, public_id=public_id)
    actor = actor_for(dispute, user, "decide")
    decision = _decision(dispute, user=user, outcome=outcome, amount=amount, message=message)
    EvidenceRequest.objects.filter(dispute=dispute, status=EvidenceRequestStatus.OPEN).update(
        status=EvidenceRequestStatus.EXPIRED
    )
    dispute.decided_by = user
    dispute.outcome = decision.outcome
    dispute.outcome_minor = decision.amount_minor
    dispute.save(update_fields=["decided_by", "outcome", "outcome_minor"])
    transition(
        dispute,
        "decide",
        actor_kind=actor,
        actor=user,
        due_at=clock.now() + conf.appeal_window(),
        payload={"outcome": decision.outcome, "amount": decision.amount.as_api()},
    )
    return dispute


@transaction.atomic
def dispute_appeal(*, user: Any, public_id: str, message: str) -> Dispute:
    """Either party appeals once, within the appeal window; another officer will decide (target:
    2 business days, the dispute's ``due_at``)."""
    dispute = lock_visible(user=user, public_id=public_id)
    actor = actor_for(dispute, user, "appeal")
    if dispute.appealed:
        raise Conflict("already_appealed", _("This dispute was already appealed once."))
    if dispute.due_at is not None and clock.now() >= dispute.due_at:
        raise Conflict("appeal_window_over", _("The time to appeal this decision is over."))
    message = (message or "").strip()
    if not message:
        raise ValidationFailed(_("Explain why you appeal."), {"field": "message"})
    dispute.appealed = True
    dispute.save(update_fields=["appealed"])
    transition(
        dispute,
        "appeal",
        actor_kind=actor,
        actor=user,
        due_at=conf.decision_due(clock.now()),
        payload={"message": message},
    )
    return dispute


@transaction.atomic
def dispute_decide_appeal(
    *, user: Any, public_id: str, outcome: str, message: str, amount: Money | None = None
) -> Dispute:
    """Another officer reviews the appeal; the decision is final and settled at once."""
    dispute = lock_visible(user=user, public_id=public_id)
    actor = actor_for(dispute, user, "decide-appeal")
    if dispute.decided_by_id == user.pk:
        raise Conflict(
            "same_officer", _("An appeal is reviewed by another officer than the first one.")
        )
    decision = _decision(dispute, user=user, outcome=outcome, amount=amount, message=message)
    transition(
        dispute,
        "decide-appeal",
        actor_kind=actor,
        actor=user,
        payload={"outcome": decision.outcome, "amount": decision.amount.as_api()},
    )
    return settle(dispute, outcome=decision.outcome, amount_minor=decision.amount_minor)
