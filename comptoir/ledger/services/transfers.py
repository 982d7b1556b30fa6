"""Money leaving through the provider (refunds, payouts) and payment intents: the outbox
handlers that call the provider, and the services that record its answers.

Each provider request carries an idempotency key (``<public_id>:<attempt>``): the outbox may
deliver a message twice after a crash, the provider then answers the first result again. A
request the provider declines ends the attempt; a new attempt (new key) is scheduled with
back-off until ``LEDGER_PROVIDER_MAX_ATTEMPTS``, then the transfer is ``failed``: the money stays
in transit and staff see it (``selectors.transfers_needing_staff``, ``ledger_check``)."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from comptoir.core import clock
from comptoir.core.money import Money
from comptoir.core.outbox import (
    OutboxMessage,
    backoff_delay,
    outbox_enqueue,
    register_outbox_handler,
)
from comptoir.ledger import conf
from comptoir.ledger.enums import AccountKind, EntryKind, TransferState
from comptoir.ledger.models import Payout, ProviderObject, Refund
from comptoir.ledger.providers import ProviderDeclined, ProviderResult, get_provider

from .posting import EntrySpec, Leg, account_get_or_create, entry_post, platform_account

logger = logging.getLogger(__name__)

REFUND_KIND = "ledger.refund"
PAYOUT_KIND = "ledger.payout"
PAYMENT_INTENT_KIND = "ledger.payment_intent"
LEDGER_OUTBOX_KINDS = (REFUND_KIND, PAYOUT_KIND, PAYMENT_INTENT_KIND)


def _enqueue(kind: str, public_id: str, attempt: int) -> OutboxMessage:
    message = outbox_enqueue(
        kind=kind,
        payload={"public_id": public_id, "attempt": attempt},
        idempotency_key=f"ledger:{kind}:{public_id}:{attempt}",
    )
    if attempt > 1:  # a declined attempt: wait before the next one (outbox has no "not before")
        OutboxMessage.objects.filter(pk=message.pk, attempts=0).update(
            next_attempt_at=clock.now() + backoff_delay(attempt - 1)
        )
    return message


def enqueue_refund(refund: Refund) -> OutboxMessage:
    return _enqueue(REFUND_KIND, refund.public_id, refund.attempt)


def enqueue_payout(payout: Payout) -> OutboxMessage:
    return _enqueue(PAYOUT_KIND, payout.public_id, payout.attempt)


def _record(result: ProviderResult, *, provider: str, key: str) -> None:
    now = clock.now()
    updated = ProviderObject.objects.filter(provider=provider, external_id=result.id).update(
        status=result.status, data=result.data, updated_at=now
    )
    if not updated:
        ProviderObject.objects.get_or_create(
            provider=provider,
            idempotency_key=key,
            defaults={
                "object_type": result.object_type,
                "external_id": result.id,
                "status": result.status,
                "data": result.data,
                "created_at": now,
                "updated_at": now,
            },
        )


# --- payment intents --------------------------------------------------------------------------


@register_outbox_handler(PAYMENT_INTENT_KIND)
def deliver_payment_intent(payload: dict[str, Any]) -> None:
    from comptoir.orders.models import Payment

    payment = Payment.objects.select_related("order").get(pk=payload["payment_id"])
    provider = get_provider()
    if ProviderObject.objects.filter(
        provider=provider.name, idempotency_key=payment.idempotency_key
    ).exists():
        return
    result = provider.create_payment_intent(
        amount=payment.amount,
        idempotency_key=payment.idempotency_key,
        metadata={"order": payment.order.number, "payment": payment.reference},
    )
    _record(result, provider=provider.name, key=payment.idempotency_key)


def payment_intent_for(order_id: int) -> ProviderObject | None:
    from comptoir.orders.models import Payment

    keys = list(Payment.objects.filter(order_id=order_id).values_list("idempotency_key", flat=True))
    return (
        ProviderObject.objects.filter(object_type="payment_intent", idempotency_key__in=keys)
        .order_by("pk")
        .first()
    )


# --- refunds ----------------------------------------------------------------------------------


@register_outbox_handler(REFUND_KIND)
def deliver_refund(payload: dict[str, Any]) -> None:
    refund = Refund.objects.select_related("order").get(public_id=payload["public_id"])
    if (
        refund.state != TransferState.IN_TRANSIT
        or refund.attempt != payload["attempt"]
        or refund.provider_id
    ):
        return  # settled, failed, superseded by a later attempt, or already accepted
    intent = payment_intent_for(refund.order_id)
    if intent is None:
        raise RuntimeError("The payment intent is not confirmed at the provider yet.")
    provider = get_provider()
    key = refund.provider_key()
    try:
        result = provider.create_refund(
            payment_intent=intent.external_id,
            amount=refund.amount,
            idempotency_key=key,
            metadata={
                "refund": refund.public_id,
                "attempt": str(refund.attempt),
                "order": refund.order.number,
            },
        )
    except ProviderDeclined as exc:
        transfer_attempt_failed(transfer=refund, attempt=refund.attempt, error=str(exc))
        return
    _record(result, provider=provider.name, key=key)
    transfer_outcome(transfer=refund, attempt=refund.attempt, result=result)


# --- payouts ----------------------------------------------------------------------------------


@register_outbox_handler(PAYOUT_KIND)
def deliver_payout(payload: dict[str, Any]) -> None:
    payout = Payout.objects.get(public_id=payload["public_id"])
    if (
        payout.state != TransferState.IN_TRANSIT
        or payout.attempt != payload["attempt"]
        or payout.provider_id
    ):
        return
    provider = get_provider()
    key = payout.provider_key()
    try:
        result = provider.create_payout(
            amount=payout.amount,
            destination=payout.destination,
            idempotency_key=key,
            metadata={"payout": payout.public_id, "attempt": str(payout.attempt)},
        )
    except ProviderDeclined as exc:
        transfer_attempt_failed(transfer=payout, attempt=payout.attempt, error=str(exc))
        return
    _record(result, provider=provider.name, key=key)
    transfer_outcome(transfer=payout, attempt=payout.attempt, result=result)


# --- outcomes ---------------------------------------------------------------------------------

_SUCCESS = {"succeeded", "paid"}
_FAILURE = {"failed", "canceled"}


def transfer_outcome(*, transfer: Refund | Payout, attempt: int, result: ProviderResult) -> None:
    """Record what the provider said for this attempt: settled, failed, or accepted (pending)."""
    if result.status in _SUCCESS:
        transfer_settle(transfer=transfer, attempt=attempt, provider_id=result.id)
    elif result.status in _FAILURE:
        transfer_attempt_failed(
            transfer=transfer, attempt=attempt, error=f"provider status {result.status}"
        )
    else:
        type(transfer).objects.filter(
            pk=transfer.pk, attempt=attempt, state=TransferState.IN_TRANSIT
        ).update(provider_id=result.id)


def _locked(transfer: Refund | Payout) -> Refund | Payout:
    return type(transfer).objects.select_for_update().get(pk=transfer.pk)


@transaction.atomic
def transfer_settle(*, transfer: Refund | Payout, attempt: int, provider_id: str) -> bool:
    """The provider paid it: in transit → clearing (money has left the platform). Idempotent."""
    row = _locked(transfer)
    if row.state == TransferState.SUCCEEDED or row.attempt != attempt:
        return False
    is_refund = isinstance(row, Refund)
    if is_refund:
        transit = platform_account(AccountKind.REFUNDS_IN_TRANSIT, row.currency)
        kind = EntryKind.REFUND_SETTLED
    else:
        transit = account_get_or_create(
            kind=AccountKind.PAYOUTS_IN_TRANSIT,
            currency=row.currency,
            shop_id=row.shop_id,  # type: ignore[union-attr]
        )
        kind = EntryKind.PAYOUT_SETTLED
    clearing = platform_account(AccountKind.PROVIDER_CLEARING, row.currency)
    entry_post(
        EntrySpec(
            kind=kind,
            idempotency_key=f"{kind}:{row.public_id}",
            legs=(Leg(transit, -row.amount_minor), Leg(clearing, row.amount_minor)),
            order_id=getattr(row, "order_id", None),
            shop_id=getattr(row, "shop_id", None),
            memo=provider_id,
        )
    )
    type(row).objects.filter(pk=row.pk).update(
        state=TransferState.SUCCEEDED,
        provider_id=provider_id,
        settled_at=clock.now(),
        last_error="",
    )
    return True


@transaction.atomic
def transfer_attempt_failed(*, transfer: Refund | Payout, attempt: int, error: str) -> None:
    """This attempt failed: schedule the next one (new key, back-off) or, after the last,
    mark it failed for staff. The money stays in transit either way."""
    row = _locked(transfer)
    if row.state != TransferState.IN_TRANSIT or row.attempt != attempt:
        return
    if row.attempt >= conf.provider_max_attempts():
        type(row).objects.filter(pk=row.pk).update(
            state=TransferState.FAILED, last_error=error[:2000]
        )
        logger.error(
            "%s %s failed after %s attempts: %s", type(row).__name__, row.public_id, attempt, error
        )
        return
    row.attempt += 1
    type(row).objects.filter(pk=row.pk).update(
        attempt=row.attempt, provider_id="", last_error=error[:2000]
    )
    _enqueue(REFUND_KIND if isinstance(row, Refund) else PAYOUT_KIND, row.public_id, row.attempt)


@transaction.atomic
def transfer_retry(*, transfer: Refund | Payout) -> Refund | Payout:
    """Staff: try a failed refund or payout again (a new attempt, new idempotency key)."""
    row = _locked(transfer)
    if row.state != TransferState.FAILED:
        return row
    row.attempt += 1
    type(row).objects.filter(pk=row.pk).update(
        attempt=row.attempt, state=TransferState.IN_TRANSIT, provider_id=""
    )
    row.state = TransferState.IN_TRANSIT
    _enqueue(REFUND_KIND if isinstance(row, Refund) else PAYOUT_KIND, row.public_id, row.attempt)
    return row


def money_of(row: Refund | Payout) -> Money:
    return Money.from_minor(row.amount_minor, row.currency)


def failed_transfer_retry(*, user: Any, public_id: str) -> Refund | Payout:
    """Staff: retry one failed refund or payout (``transfer_retry``); NotFound for anyone else
    or for a transfer that is not failed (already retried: nothing is sent twice)."""
    from comptoir.ledger.selectors import failed_transfer_get

    with transaction.atomic():
        row = transfer_retry(transfer=failed_transfer_get(user=user, public_id=public_id))
    logger.info(
        "%s %s retried by staff user %s (attempt %s)",
        type(row).__name__,
        row.public_id,
        user.pk,
        row.attempt,
    )
    return row
