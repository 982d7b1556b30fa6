"""The parties' answers: the seller accepts or refuses with a counter-proposal; the buyer
accepts the counter-proposal, modifies the request, cancels, reopens or escalates."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.core import clock
from comptoir.core.errors import ApplicationError, Conflict, ValidationFailed
from comptoir.core.money import Money
from comptoir.core.uploads.models import Upload
from comptoir.disputes import conf
from comptoir.disputes.enums import ActorKind, DisputeReason, DisputeRequest, Outcome, ProposalKind
from comptoir.disputes.models import Dispute, Proposal
from comptoir.disputes.selectors import lines_value, protection_over
from comptoir.ledger.services import escrow_freeze, escrow_unfreeze

from ._core import actor_for, line_ids, lock_visible, money_in, transition
from ._evidence import evidence_attach
from .opening import request_outcome, requested_amount
from .settlement import accept_request, settle

# --- seller ----------------------------------------------------------------------------------------


@transaction.atomic
def dispute_accept(*, user: Any, public_id: str) -> Dispute:
    """The seller accepts the buyer's request: it is settled at once."""
    dispute = lock_visible(user=user, public_id=public_id)
    actor = actor_for(dispute, user, "accept")
    transition(dispute, "accept", actor_kind=actor, actor=user)
    return accept_request(dispute)


@transaction.atomic
def dispute_refuse(
    *,
    user: Any,
    public_id: str,
    outcome: str,
    message: str,
    amount: Money | None = None,
    evidence: Sequence[Upload] = (),
    message_ids: Sequence[str] = (),
) -> Dispute:
    """The seller refuses with a counter-proposal (and evidence); 7 days to agree."""
    dispute = lock_visible(user=user, public_id=public_id)
    actor = actor_for(dispute, user, "refuse")
    message = (message or "").strip()
    if not message:
        raise ValidationFailed(_("Explain your refusal to the buyer."), {"field": "message"})
    amount_minor = proposal_amount(dispute, outcome, amount)
    proposal = Proposal.objects.create(
        dispute=dispute,
        kind=ProposalKind.COUNTER,
        outcome=outcome,
        amount_minor=amount_minor,
        currency=dispute.currency,
        message=message,
        author=user,
    )
    evidence_attach(
        dispute, user=user, side=ActorKind.SELLER, uploads=evidence, message_ids=message_ids
    )
    transition(
        dispute,
        "refuse",
        actor_kind=actor,
        actor=user,
        due_at=clock.now() + conf.agreement(),
        payload={"proposal": proposal.pk, "outcome": outcome, "amount": proposal.amount.as_api()},
    )
    return dispute


def proposal_amount(dispute: Dispute, outcome: str, amount: Money | None) -> int:
    """The amount of a counter-proposal or a decision, checked against the lines' value."""
    value = lines_value(dispute.order, line_ids(dispute))
    if outcome not in Outcome.values:
        raise ValidationFailed(_("Choose an outcome."), {"field": "outcome"})
    if outcome == Outcome.RETURN_AND_REFUND and dispute.reason == DisputeReason.NOT_RECEIVED:
        raise ValidationFailed(
            _("An item that was not received cannot be sent back."), {"field": "outcome"}
        )
    if outcome == Outcome.PARTIAL_REFUND:
        amount = money_in(amount, dispute.order)
        if amount is None or amount.minor_units <= 0 or amount >= value:
            raise ValidationFailed(
                _("A partial refund is more than zero and less than %(value)s.") % {"value": value},
                {"field": "amount", "max": value.as_api()},
            )
        return amount.minor_units
    if outcome == Outcome.NO_REFUND:
        return 0
    return value.minor_units


# --- buyer -----------------------------------------------------------------------------------------


@transaction.atomic
def dispute_accept_counter(*, user: Any, public_id: str) -> Dispute:
    dispute = lock_visible(user=user, public_id=public_id)
    actor = actor_for(dispute, user, "accept-counter")
    counter = dispute.proposals.filter(kind=ProposalKind.COUNTER).order_by("-pk").first()
    if counter is None:  # pragma: no cover - a refusal always writes one
        raise Conflict("no_counter_proposal", _("There is no counter-proposal to accept."))
    transition(
        dispute, "accept-counter", actor_kind=actor, actor=user, payload={"proposal": counter.pk}
    )
    return settle(dispute, outcome=counter.outcome, amount_minor=counter.amount_minor)


@transaction.atomic
def dispute_modify(
    *,
    user: Any,
    public_id: str,
    request: str,
    description: str,
    amount: Money | None = None,
) -> Dispute:
    """The buyer changes the request after a refusal; the seller's 5 days start again."""
    dispute = lock_visible(user=user, public_id=public_id)
    actor = actor_for(dispute, user, "modify")
    if request not in DisputeRequest.values:
        raise ValidationFailed(_("Choose what you ask for."), {"field": "request"})
    value = lines_value(dispute.order, line_ids(dispute))
    requested = requested_amount(
        reason=dispute.reason,
        request=request,
        amount=money_in(amount, dispute.order),
        value=value,
    )
    dispute.request = request
    dispute.requested_minor = requested.minor_units
    dispute.save(update_fields=["request", "requested_minor"])
    Proposal.objects.create(
        dispute=dispute,
        kind=ProposalKind.REQUEST,
        outcome=request_outcome(request, requested, value),
        amount_minor=requested.minor_units,
        currency=dispute.currency,
        message=(description or "").strip(),
        author=user,
    )
    transition(
        dispute,
        "modify",
        actor_kind=actor,
        actor=user,
        due_at=clock.now() + conf.seller_response(),
        payload={"request": request, "amount": requested.as_api()},
    )
    return dispute


@transaction.atomic
def dispute_cancel(*, user: Any, public_id: str) -> Dispute:
    dispute = lock_visible(user=user, public_id=public_id)
    actor = actor_for(dispute, user, "cancel")
    transition(dispute, "cancel", actor_kind=actor, actor=user)
    _close_open_evidence_request(dispute)
    escrow_unfreeze(
        order=dispute.order, line_ids=line_ids(dispute), reference=dispute.freeze_reference
    )
    return dispute


def _close_open_evidence_request(dispute: Dispute) -> None:
    from comptoir.disputes.enums import EvidenceRequestStatus
    from comptoir.disputes.models import EvidenceRequest

    EvidenceRequest.objects.filter(dispute=dispute, status=EvidenceRequestStatus.OPEN).update(
        status=EvidenceRequestStatus.EXPIRED
    )


@transaction.atomic
def dispute_reopen(*, user: Any, public_id: str) -> Dispute:
    """A cancelled dispute may be reopened while protection runs."""
    dispute = lock_visible(user=user, public_id=public_id)
    actor = actor_for(dispute, user, "reopen")
    if protection_over(dispute.order):
        raise ApplicationError("protection_over", _("Buyer protection for this order has ended."))
    transition(
        dispute, "reopen", actor_kind=actor, actor=user, due_at=clock.now() + conf.seller_response()
    )
    escrow_freeze(
        order=dispute.order, line_ids=line_ids(dispute), reference=dispute.freeze_reference
    )
    return dispute


@transaction.atomic
def dispute_escalate(*, user: Any, public_id: str) -> Dispute:
    """The buyer asks the platform to decide; the officers' decision is due in 2 business days."""
    dispute = lock_visible(user=user, public_id=public_id)
    actor = actor_for(dispute, user, "escalate")
    transition(
        dispute, "escalate", actor_kind=actor, actor=user, due_at=conf.decision_due(clock.now())
    )
    return dispute
