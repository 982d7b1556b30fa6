"""Every write of a dispute: open, answers, escalation, decisions, appeal, settlement.

Each service locks the dispute row, checks the transition table (``transitions.TRANSITIONS``),
writes the new status and one ``DisputeEvent``. Money moves only through ledger services and only
when the outcome is agreed (seller's acceptance) or final (decision not appealed, or appeal
decided)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from comptoir.core import clock
from comptoir.core.errors import ApplicationError, Conflict, NotFound, ValidationFailed
from comptoir.core.money import Money
from comptoir.core.uploads.models import Upload, UploadKind
from comptoir.ledger.services import escrow_freeze, escrow_unfreeze, refund_partial
from comptoir.orders.models import Order, OrderLine

from . import conf
from .enums import (
    ACTIVE_STATUSES,
    ActorKind,
    DisputeReason,
    DisputeRequest,
    DisputeStatus,
    Outcome,
    ProposalKind,
)
from .models import Dispute, DisputeEvent, DisputeLine, Evidence, Proposal
from .selectors import (
    dispute_actors,
    dispute_scope,
    held_on_lines,
    lines_decided,
    lines_in_active_dispute,
    lines_value,
    open_check,
    protection_over,
)
from .transitions import NEW, TRANSITIONS

MAX_EVIDENCE = 10


# --- the machinery --------------------------------------------------------------------------------


def _lock(pk: int) -> Dispute:
    return Dispute.objects.select_for_update().select_related("order").get(pk=pk)


def _lock_visible(*, user: Any, public_id: str) -> Dispute:
    found = dispute_scope(user).filter(public_id=public_id).values_list("pk", flat=True).first()
    if found is None:
        raise NotFound()
    return _lock(found)


def _actor_for(dispute: Dispute, user: Any, action: str) -> str:
    """The role ``user`` plays for this action, or a refusal (the transition table decides)."""
    t = TRANSITIONS[action]
    allowed = dispute_actors(dispute, user) & t.actors
    if not allowed:
        raise ApplicationError(
            "action_not_allowed", _("You cannot do this on this dispute."), {"action": action}
        )
    if dispute.status not in t.sources:
        raise _not_now(dispute, action)
    return sorted(allowed)[0]


def _not_now(dispute: Dispute, action: str) -> Conflict:
    return Conflict(
        "transition_not_allowed",
        _("This dispute cannot do that now (it is “%(status)s”).")
        % {"status": dispute.get_status_display()},
        {"action": action, "status": dispute.status},
    )


def _line_ids(dispute: Dispute) -> list[int]:
    return list(dispute.lines.order_by("order_line_id").values_list("order_line_id", flat=True))


def _transition(
    dispute: Dispute,
    action: str,
    *,
    actor_kind: str,
    actor: Any = None,
    due_at: dt.datetime | None = None,
    payload: dict[str, Any] | None = None,
) -> DisputeEvent:
    t = TRANSITIONS[action]
    if dispute.status not in t.sources or actor_kind not in t.actors:
        raise _not_now(dispute, action)
    old = dispute.status
    now = clock.now()
    dispute.status = t.target
    dispute.due_at = due_at
    fields = ["status", "due_at", "updated_at"]
    if t.target == DisputeStatus.CLOSED or t.target == DisputeStatus.CANCELLED:
        dispute.closed_at = now
        fields.append("closed_at")
    dispute.updated_at = now
    dispute.save(update_fields=fields)
    was_active, is_active = old in ACTIVE_STATUSES, t.target in ACTIVE_STATUSES
    if was_active and not is_active:
        DisputeLine.objects.filter(dispute=dispute).update(active=False)
    elif is_active and not was_active:
        try:
            with transaction.atomic():
                DisputeLine.objects.filter(dispute=dispute).update(active=True)
        except IntegrityError as exc:
            raise Conflict(
                "line_in_dispute", _("One of these items is already in another active dispute.")
            ) from exc
    return DisputeEvent.objects.create(
        dispute=dispute,
        action=action,
        old_status=old,
        new_status=t.target,
        actor_kind=actor_kind,
        actor=actor if getattr(actor, "pk", None) else None,
        payload={**(payload or {}), **({"due_at": due_at.isoformat()} if due_at else {})},
        created_at=now,
    )


def _money(amount: Money | None, order: Order) -> Money | None:
    if amount is None:
        return None
    if amount.currency != order.currency:
        raise ValidationFailed(_("The amount must be in the order's currency."))
    return amount.quantize()


def _evidence_add(dispute: Dispute, *, user: Any, side: str, uploads: Sequence[Upload]) -> int:
    if dispute.evidence.count() + len(uploads) > MAX_EVIDENCE:
        raise ValidationFailed(
            _("A dispute can have at most %(n)d files of evidence.") % {"n": MAX_EVIDENCE}
        )
    for upload in uploads:
        if upload.owner_id != user.pk:
            raise NotFound()
        Evidence.objects.get_or_create(
            dispute=dispute, upload=upload, defaults={"added_by": user, "side": side}
        )
    return len(uploads)


# --- opening ---------------------------------------------------------------------------------------


@transaction.atomic
def dispute_open(
    *,
    user: Any,
    order: Order,
    line_ids: Sequence[int],
    reason: str,
    request: str,
    description: str,
    amount: Money | None = None,
    evidence: Sequence[Upload] = (),
) -> Dispute:
    """The buyer opens a dispute on lines of one of their orders (PRODUCT.md J11, §3)."""
    if order.buyer_id != getattr(user, "pk", None):
        raise NotFound()
    order = Order.objects.select_for_update().get(pk=order.pk)
    if reason not in DisputeReason.values or request not in DisputeRequest.values:
        raise ValidationFailed(_("Choose what happened and what you ask for."))
    description = (description or "").strip()
    if not description:
        raise ValidationFailed(_("Describe the problem in a few words."), {"field": "description"})
    ids = sorted(set(line_ids))
    found = list(OrderLine.objects.filter(order=order, pk__in=ids).values_list("pk", flat=True))
    if not ids or len(found) != len(ids):
        raise ValidationFailed(_("Choose at least one item of this order."), {"field": "lines"})
    open_check(order=order, reason=reason)
    if lines_decided(ids):
        raise Conflict(
            "line_already_decided",
            _("One of these items already had a dispute settled: it cannot be disputed again."),
        )
    if lines_in_active_dispute(ids):
        raise Conflict(
            "line_in_dispute", _("One of these items is already in another active dispute.")
        )
    value = lines_value(order, ids)
    amount = _money(amount, order)
    if reason == DisputeReason.NOT_RECEIVED or request == DisputeRequest.RETURN_AND_REFUND:
        # "Not received" always asks the full amount; a return is refunded in full.
        requested = value
    else:
        if amount is None or amount.minor_units <= 0 or amount > value:
            raise ValidationFailed(
                _("Ask for an amount more than zero and at most %(value)s.") % {"value": value},
                {"field": "amount", "max": value.as_api()},
            )
        requested = amount
    if reason != DisputeReason.NOT_RECEIVED and not any(
        u.kind in {UploadKind.IMAGE, UploadKind.VIDEO} for u in evidence
    ):
        raise ValidationFailed(
            _("Add at least one photo or video of the item you received."),
            {"field": "evidence"},
        )
    opening = TRANSITIONS["open"]
    assert NEW in opening.sources and ActorKind.BUYER in opening.actors
    due_at = clock.now() + conf.seller_response()
    dispute = Dispute.objects.create(
        order=order,
        buyer=user,
        shop_id=order.shop_id,
        status=opening.target,
        due_at=due_at,
        reason=reason,
        request=request,
        requested_minor=requested.minor_units,
        currency=order.currency,
        description=description,
    )
    try:
        with transaction.atomic():
            DisputeLine.objects.bulk_create(
                [DisputeLine(dispute=dispute, order_line_id=pk) for pk in ids]
            )
    except IntegrityError as exc:
        raise Conflict(
            "line_in_dispute", _("One of these items is already in another active dispute.")
        ) from exc
    Proposal.objects.create(
        dispute=dispute,
        kind=ProposalKind.REQUEST,
        outcome=_request_outcome(request, requested, value),
        amount_minor=requested.minor_units,
        currency=order.currency,
        message=description,
        author=user,
    )
    _evidence_add(dispute, user=user, side=ActorKind.BUYER, uploads=evidence)
    escrow_freeze(order=order, line_ids=ids, reference=dispute.freeze_reference)
    DisputeEvent.objects.create(
        dispute=dispute,
        action=opening.action,
        old_status=NEW,
        new_status=opening.target,
        actor_kind=ActorKind.BUYER,
        actor=user,
        payload={
            "reason": reason,
            "request": request,
            "amount": requested.as_api(),
            "lines": ids,
            "due_at": due_at.isoformat(),
        },
        created_at=clock.now(),
    )
    return dispute


def _request_outcome(request: str, amount: Money, value: Money) -> str:
    if request == DisputeRequest.RETURN_AND_REFUND:
        return Outcome.RETURN_AND_REFUND
    return Outcome.FULL_REFUND if amount >= value else Outcome.PARTIAL_REFUND


# --- settlement (money) ---------------------------------------------------------------------------


def _settle(dispute: Dispute, *, outcome: str, amount_minor: int) -> Dispute:
    """Apply an agreed or final outcome: refund through the ledger, then unfreeze the lines so
    what is left follows the normal release rules. A return and refund waits for the return."""
    order = dispute.order
    ids = _line_ids(dispute)
    dispute.outcome = outcome
    dispute.outcome_minor = amount_minor
    dispute.save(update_fields=["outcome", "outcome_minor"])
    if outcome == Outcome.RETURN_AND_REFUND:
        _transition(
            dispute, "await-return", actor_kind=ActorKind.SYSTEM, payload={"outcome": outcome}
        )
        return dispute
    payload: dict[str, Any] = {"outcome": outcome}
    if outcome in (Outcome.FULL_REFUND, Outcome.PARTIAL_REFUND):
        held = held_on_lines(order, ids)
        minor = (
            held.minor_units
            if outcome == Outcome.FULL_REFUND
            else min(amount_minor, held.minor_units)
        )
        if minor > 0:
            refund = refund_partial(
                order=order,
                amount=Money.from_minor(minor, order.currency),
                idempotency_key=f"dispute:{dispute.public_id}:refund",
                line_ids=ids,
                reason="dispute",
            )
            payload["refund"] = refund.public_id
            payload["amount"] = Money.from_minor(refund.amount_minor, order.currency).as_api()
    escrow_unfreeze(order=order, line_ids=ids, reference=dispute.freeze_reference)
    _transition(dispute, "settle", actor_kind=ActorKind.SYSTEM, payload=payload)
    return dispute


def _accept_request(dispute: Dispute) -> Dispute:
    value = lines_value(dispute.order, _line_ids(dispute))
    outcome = _request_outcome(dispute.request, dispute.requested, value)
    return _settle(dispute, outcome=outcome, amount_minor=dispute.requested_minor)


# --- seller ----------------------------------------------------------------------------------------


@transaction.atomic
def dispute_accept(*, user: Any, public_id: str) -> Dispute:
    """The seller accepts the buyer's request: it is settled at once."""
    dispute = _lock_visible(user=user, public_id=public_id)
    actor = _actor_for(dispute, user, "accept")
    _transition(dispute, "accept", actor_kind=actor, actor=user)
    return _accept_request(dispute)


@transaction.atomic
def dispute_refuse(
    *,
    user: Any,
    public_id: str,
    outcome: str,
    message: str,
    amount: Money | None = None,
    evidence: Sequence[Upload] = (),
) -> Dispute:
    """The seller refuses with a counter-proposal (and evidence); 7 days to agree."""
    dispute = _lock_visible(user=user, public_id=public_id)
    actor = _actor_for(dispute, user, "refuse")
    message = (message or "").strip()
    if not message:
        raise ValidationFailed(_("Explain your refusal to the buyer."), {"field": "message"})
    amount_minor = _proposal_amount(dispute, outcome, amount)
    proposal = Proposal.objects.create(
        dispute=dispute,
        kind=ProposalKind.COUNTER,
        outcome=outcome,
        amount_minor=amount_minor,
        currency=dispute.currency,
        message=message,
        author=user,
    )
    _evidence_add(dispute, user=user, side=ActorKind.SELLER, uploads=evidence)
    _transition(
        dispute,
        "refuse",
        actor_kind=actor,
        actor=user,
        due_at=clock.now() + conf.agreement(),
        payload={"proposal": proposal.pk, "outcome": outcome, "amount": proposal.amount.as_api()},
    )
    return dispute


def _proposal_amount(dispute: Dispute, outcome: str, amount: Money | None) -> int:
    value = lines_value(dispute.order, _line_ids(dispute))
    if outcome not in Outcome.values:
        raise ValidationFailed(_("Choose an outcome."), {"field": "outcome"})
    if outcome == Outcome.PARTIAL_REFUND:
        amount = _money(amount, dispute.order)
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
    dispute = _lock_visible(user=user, public_id=public_id)
    actor = _actor_for(dispute, user, "accept-counter")
    counter = dispute.proposals.filter(kind=ProposalKind.COUNTER).order_by("-pk").first()
    if counter is None:  # pragma: no cover - a refusal always writes one
        raise Conflict("no_counter_proposal", _("There is no counter-proposal to accept."))
    _transition(
        dispute, "accept-counter", actor_kind=actor, actor=user, payload={"proposal": counter.pk}
    )
    return _settle(dispute, outcome=counter.outcome, amount_minor=counter.amount_minor)


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
    dispute = _lock_visible(user=user, public_id=public_id)
    actor = _actor_for(dispute, user, "modify")
    if request not in DisputeRequest.values:
        raise ValidationFailed(_("Choose what you ask for."), {"field": "request"})
    value = lines_value(dispute.order, _line_ids(dispute))
    amount = _money(amount, dispute.order)
    if dispute.reason == DisputeReason.NOT_RECEIVED or request == DisputeRequest.RETURN_AND_REFUND:
        requested = value
    elif amount is None or amount.minor_units <= 0 or amount > value:
        raise ValidationFailed(
            _("Ask for an amount more than zero and at most %(value)s.") % {"value": value},
            {"field": "amount", "max": value.as_api()},
        )
    else:
        requested = amount
    dispute.request = request
    dispute.requested_minor = requested.minor_units
    dispute.save(update_fields=["request", "requested_minor"])
    Proposal.objects.create(
        dispute=dispute,
        kind=ProposalKind.REQUEST,
        outcome=_request_outcome(request, requested, value),
        amount_minor=requested.minor_units,
        currency=dispute.currency,
        message=(description or "").strip(),
        author=user,
    )
    _transition(
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
    dispute = _lock_visible(user=user, public_id=public_id)
    actor = _actor_for(dispute, user, "cancel")
    _transition(dispute, "cancel", actor_kind=actor, actor=user)
    escrow_unfreeze(
        order=dispute.order, line_ids=_line_ids(dispute), reference=dispute.freeze_reference
    )
    return dispute


@transaction.atomic
def dispute_reopen(*, user: Any, public_id: str) -> Dispute:
    """A cancelled dispute may be reopened while protection runs."""
    dispute = _lock_visible(user=user, public_id=public_id)
    actor = _actor_for(dispute, user, "reopen")
    if protection_over(dispute.order):
        raise ApplicationError("protection_over", _("Buyer protection for this order has ended."))
    _transition(
        dispute, "reopen", actor_kind=actor, actor=user, due_at=clock.now() + conf.seller_response()
    )
    escrow_freeze(
        order=dispute.order, line_ids=_line_ids(dispute), reference=dispute.freeze_reference
    )
    return dispute


@transaction.atomic
def dispute_escalate(*, user: Any, public_id: str) -> Dispute:
    dispute = _lock_visible(user=user, public_id=public_id)
    actor = _actor_for(dispute, user, "escalate")
    _transition(dispute, "escalate", actor_kind=actor, actor=user)
    return dispute


# --- officers and appeal ---------------------------------------------------------------------------


def _decision(
    dispute: Dispute, *, user: Any, outcome: str, amount: Money | None, message: str
) -> Proposal:
    amount_minor = _proposal_amount(dispute, outcome, amount)
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
    """An officer decides; either party may appeal within 5 days, then it is final."""
    dispute = _lock_visible(user=user, public_id=public_id)
    actor = _actor_for(dispute, user, "decide")
    decision = _decision(dispute, user=user, outcome=outcome, amount=amount, message=message)
    dispute.decided_by = user
    dispute.outcome = decision.outcome
    dispute.outcome_minor = decision.amount_minor
    dispute.save(update_fields=["decided_by", "outcome", "outcome_minor"])
    _transition(
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
    dispute = _lock_visible(user=user, public_id=public_id)
    actor = _actor_for(dispute, user, "appeal")
    if dispute.appealed:
        raise Conflict("already_appealed", _("This dispute was already appealed once."))
    message = (message or "").strip()
    if not message:
        raise ValidationFailed(_("Explain why you appeal."), {"field": "message"})
    dispute.appealed = True
    dispute.save(update_fields=["appealed"])
    _transition(dispute, "appeal", actor_kind=actor, actor=user, payload={"message": message})
    return dispute


@transaction.atomic
def dispute_decide_appeal(
    *, user: Any, public_id: str, outcome: str, message: str, amount: Money | None = None
) -> Dispute:
    """Another officer reviews the appeal; the decision is final and settled at once."""
    dispute = _lock_visible(user=user, public_id=public_id)
    actor = _actor_for(dispute, user, "decide-appeal")
    if dispute.decided_by_id == user.pk:
        raise Conflict(
            "same_officer", _("An appeal is reviewed by another officer than the first one.")
        )
    decision = _decision(dispute, user=user, outcome=outcome, amount=amount, message=message)
    _transition(
        dispute,
        "decide-appeal",
        actor_kind=actor,
        actor=user,
        payload={"outcome": decision.outcome, "amount": decision.amount.as_api()},
    )
    return _settle(dispute, outcome=decision.outcome, amount_minor=decision.amount_minor)


# --- deadlines (called by the sweeps, on a locked row) -----------------------------------------------


def _due(dispute: Dispute, status: str, now: dt.datetime) -> bool:
    return dispute.status == status and dispute.due_at is not None and dispute.due_at <= now


@transaction.atomic
def dispute_seller_silence(*, dispute_id: int, now: dt.datetime) -> bool:
    """The seller did not answer in time: accepted at the buyer's request."""
    dispute = _lock(dispute_id)
    if not _due(dispute, DisputeStatus.AWAITING_SELLER, now):
        return False
    _transition(dispute, "accept", actor_kind=ActorKind.SYSTEM, payload={"why": "seller_silence"})
    _accept_request(dispute)
    return True


@transaction.atomic
def dispute_no_agreement(*, dispute_id: int, now: dt.datetime) -> bool:
    """No agreement 7 days after the last refusal: escalated to the officers."""
    dispute = _lock(dispute_id)
    if not _due(dispute, DisputeStatus.REFUSED, now):
        return False
    _transition(dispute, "escalate", actor_kind=ActorKind.SYSTEM, payload={"why": "no_agreement"})
    return True


@transaction.atomic
def dispute_finalise(*, dispute_id: int, now: dt.datetime) -> bool:
    """The appeal window is over: the decision is final and its money moves."""
    dispute = _lock(dispute_id)
    if not _due(dispute, DisputeStatus.DECIDED, now):
        return False
    _transition(dispute, "finalise", actor_kind=ActorKind.SYSTEM)
    _settle(dispute, outcome=dispute.outcome, amount_minor=dispute.outcome_minor or 0)
    return True
