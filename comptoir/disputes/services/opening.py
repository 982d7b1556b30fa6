"""The buyer opens a dispute on lines of one order (PRODUCT.md J11, §3)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from comptoir.core import clock
from comptoir.core.errors import Conflict, NotFound, ValidationFailed
from comptoir.core.money import Money
from comptoir.core.uploads.models import Upload, UploadKind
from comptoir.disputes import conf
from comptoir.disputes.enums import ActorKind, DisputeReason, DisputeRequest, Outcome, ProposalKind
from comptoir.disputes.models import Dispute, DisputeLine, Proposal
from comptoir.disputes.selectors import (
    lines_decided,
    lines_in_active_dispute,
    lines_in_active_return,
    lines_value,
    open_check,
)
from comptoir.disputes.transitions import NEW, TRANSITIONS
from comptoir.ledger.services import escrow_freeze
from comptoir.orders.models import Order, OrderLine

from ._core import event_record, money_in
from ._evidence import evidence_attach


def request_outcome(request: str, amount: Money, value: Money) -> str:
    if request == DisputeRequest.RETURN_AND_REFUND:
        return Outcome.RETURN_AND_REFUND
    return Outcome.FULL_REFUND if amount >= value else Outcome.PARTIAL_REFUND


def requested_amount(*, reason: str, request: str, amount: Money | None, value: Money) -> Money:
    """ "Not received" and "return and refund" ask the lines' full value; a "received" refund
    asks any amount more than zero, up to the lines' value."""
    if request == DisputeRequest.RETURN_AND_REFUND and reason == DisputeReason.NOT_RECEIVED:
        raise ValidationFailed(
            _("An item that was not received cannot be sent back: ask for a refund."),
            {"field": "request"},
        )
    if reason == DisputeReason.NOT_RECEIVED or request == DisputeRequest.RETURN_AND_REFUND:
        return value
    if amount is None or amount.minor_units <= 0 or amount > value:
        raise ValidationFailed(
            _("Ask for an amount more than zero and at most %(value)s.") % {"value": value},
            {"field": "amount", "max": value.as_api()},
        )
    return amount


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
    message_ids: Sequence[str] = (),
) -> Dispute:
    """The buyer opens a dispute on lines of one of their orders (PRODUCT.md J11, §3).

    ``message_ids``: public ids of messages of the order's buyer–seller conversation attached as
    evidence. Refused: a line in another active dispute or return (``line_in_dispute``,
    ``hold_frozen``), a line already settled by a dispute, the windows of ``open_check``."""
    if order.buyer_id != getattr(user, "pk", None):
        raise NotFound()
    # FOR NO KEY UPDATE: serialises openings on this order without blocking the ledger's
    # postings (their foreign key check takes KEY SHARE on the order while the release sweep
    # holds the escrow holds this opening is about to lock: FOR UPDATE would deadlock).
    order = Order.objects.select_for_update(no_key=True).get(pk=order.pk)
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
    if lines_in_active_return(ids):
        raise Conflict(
            "line_in_return",
            _("One of these items is being returned: wait for the return to end."),
        )
    value = lines_value(order, ids)
    requested = requested_amount(
        reason=reason, request=request, amount=money_in(amount, order), value=value
    )
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
        outcome=request_outcome(request, requested, value),
        amount_minor=requested.minor_units,
        currency=order.currency,
        message=description,
        author=user,
    )
    evidence_attach(
        dispute, user=user, side=ActorKind.BUYER, uploads=evidence, message_ids=message_ids
    )
    escrow_freeze(order=order, line_ids=ids, reference=dispute.freeze_reference)
    event_record(
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
    )
    return dispute
