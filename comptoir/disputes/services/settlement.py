"""Applying an agreed or final outcome: the only place a dispute moves money.

Money moves only through ledger services, and only when the outcome is agreed (the seller's
acceptance, the buyer's acceptance of a counter-proposal) or final (decision not appealed in
time, or appeal decided). "Return and refund" waits for the return (``returns``)."""

from __future__ import annotations

from typing import Any

from comptoir.core.money import Money
from comptoir.disputes.enums import ActorKind, Outcome
from comptoir.disputes.models import Dispute
from comptoir.disputes.selectors import held_on_lines, lines_value
from comptoir.ledger.services import escrow_unfreeze, refund_partial

from ._core import line_ids, transition
from .opening import request_outcome


def settle(dispute: Dispute, *, outcome: str, amount_minor: int) -> Dispute:
    """Refund through the ledger, then unfreeze the lines so what is left follows the normal
    release rules. A return and refund starts the return sub-flow instead (lines stay frozen)."""
    from comptoir.disputes.returns import return_start_for_dispute

    order = dispute.order
    ids = line_ids(dispute)
    dispute.outcome = outcome
    dispute.outcome_minor = amount_minor
    dispute.save(update_fields=["outcome", "outcome_minor"])
    if outcome == Outcome.RETURN_AND_REFUND:
        transition(
            dispute, "await-return", actor_kind=ActorKind.SYSTEM, payload={"outcome": outcome}
        )
        return_start_for_dispute(dispute=dispute)
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
    transition(dispute, "settle", actor_kind=ActorKind.SYSTEM, payload=payload)
    return dispute


def accept_request(dispute: Dispute) -> Dispute:
    value = lines_value(dispute.order, line_ids(dispute))
    outcome = request_outcome(dispute.request, dispute.requested, value)
    return settle(dispute, outcome=outcome, amount_minor=dispute.requested_minor)
