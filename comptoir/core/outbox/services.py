"""Outbox services: enqueue in the business transaction, drain after commit with back-off.

Delivery is at-least-once: a handler runs outside any transaction, and a worker that dies
mid-delivery leaves its claim to expire, after which another drain delivers the message again.
Handlers therefore pass the message's idempotency key on to providers where they can."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import traceback
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from comptoir.core import clock
from comptoir.core.ids import new_token
from comptoir.core.leases import claim_rows
from comptoir.core.registry import Registry

from .models import OutboxMessage, OutboxState

logger = logging.getLogger(__name__)

OutboxHandler = Callable[[dict[str, Any]], None]

# kind → handler(payload). A handler raises to ask for a retry.
outbox_handlers: Registry[OutboxHandler] = Registry("outbox handlers")

# Delay before attempt n+1 after the n-th failure (the last value repeats).
BACKOFF_SCHEDULE: tuple[dt.timedelta, ...] = (
    dt.timedelta(seconds=30),
    dt.timedelta(minutes=2),
    dt.timedelta(minutes=10),
    dt.timedelta(hours=1),
    dt.timedelta(hours=6),
    dt.timedelta(hours=12),
    dt.timedelta(hours=24),
)
# How long a drain may hold a claimed row before another drain may take it over.
CLAIM_FOR = dt.timedelta(minutes=5)
DEFAULT_MAX_ATTEMPTS = 8
_ERROR_MAX_CHARS = 4000


def register_outbox_handler(kind: str) -> Callable[[OutboxHandler], OutboxHandler]:
    """``@register_outbox_handler("email")`` — the function that delivers messages of ``kind``."""
    return outbox_handlers.decorator(kind)


def max_attempts() -> int:
    return int(getattr(settings, "OUTBOX_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS))


def backoff_delay(failures: int) -> dt.timedelta:
    """The wait after the ``failures``-th failed attempt (1-based); deterministic, no jitter."""
    index = min(max(failures, 1), len(BACKOFF_SCHEDULE)) - 1
    return BACKOFF_SCHEDULE[index]


# --- after-commit trigger ---------------------------------------------------------------------

_local = threading.local()


def drain_inline(message: OutboxMessage) -> None:
    """The default trigger: drain in this process right after commit (the embedded default).

    Errors are logged, never raised: the message is safe in its row and the sweep retries it.
    A drain already running in this thread (a handler that enqueues) is not re-entered: the
    running drain picks the new message up in its next batch."""
    if getattr(_local, "draining", False):
        return
    try:
        drain_outbox()
    except Exception:
        logger.exception("outbox drain after commit failed (the sweep will retry)")


# Called after commit with each enqueued message. Production wiring (Celery) may replace the
# default: ``on_enqueue_hooks[:] = [lambda message: drain_outbox_task.delay()]``.
on_enqueue_hooks: list[Callable[[OutboxMessage], None]] = [drain_inline]


def _run_hooks(message: OutboxMessage) -> None:
    for hook in list(on_enqueue_hooks):
        try:
            hook(message)
        except Exception:
            logger.exception("outbox on-enqueue hook %r failed", hook)


# --- services ---------------------------------------------------------------------------------


def outbox_enqueue(
    *, kind: str, payload: dict[str, Any], idempotency_key: str | None = None
) -> OutboxMessage:
    """Write a message in the caller's transaction; delivery starts after commit.

    The same ``idempotency_key`` twice returns the existing message and enqueues nothing."""
    if kind not in outbox_handlers:
        raise KeyError(f"outbox: no handler registered for kind {kind!r}.")
    key = idempotency_key or f"auto:{new_token(18)}"
    if idempotency_key:
        existing = OutboxMessage.objects.filter(idempotency_key=key).first()
        if existing is not None:
            return existing
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                kind=kind, payload=payload, idempotency_key=key, next_attempt_at=clock.now()
            )
    except IntegrityError:
        # Written by a concurrent transaction with the same key in the meantime.
        return OutboxMessage.objects.get(idempotency_key=key)
    transaction.on_commit(lambda: _run_hooks(message))
    return message


def outbox_retry(*, message_ids: Iterable[int]) -> int:
    """Staff action: put dead (or pending) messages back in the queue, due now, attempts reset.

    Sent messages are left alone. ``last_error`` is kept until the next attempt succeeds."""
    with transaction.atomic():
        return OutboxMessage.objects.filter(
            pk__in=list(message_ids), state__in=[OutboxState.DEAD, OutboxState.PENDING]
        ).update(
            state=OutboxState.PENDING,
            attempts=0,
            next_attempt_at=clock.now(),
            claimed_until=None,
            claim_token="",
        )


def _deliver(message: OutboxMessage, now: dt.datetime) -> bool:
    """Run the handler of one claimed message and record the outcome. True when sent."""
    mine = OutboxMessage.objects.filter(pk=message.pk, claim_token=message.claim_token)
    try:
        handler = outbox_handlers.get(message.kind)
        handler(message.payload)
    except Exception as exc:
        failures = message.attempts + 1
        error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
        logger.warning(
            "outbox %s #%s attempt %s failed: %s", message.kind, message.pk, failures, error
        )
        fields: dict[str, Any] = {
            "attempts": F("attempts") + 1,
            "last_error": error[:_ERROR_MAX_CHARS],
            "claimed_until": None,
            "claim_token": "",
        }
        if failures >= max_attempts():
            fields["state"] = OutboxState.DEAD
            logger.error(
                "outbox %s #%s is dead after %s attempts", message.kind, message.pk, failures
            )
        else:
            fields["next_attempt_at"] = now + backoff_delay(failures)
        mine.filter(state=OutboxState.PENDING).update(**fields)
        return False
    # Sent: record it even if our claim ran out meanwhile (the side effect happened).
    OutboxMessage.objects.filter(pk=message.pk, state=OutboxState.PENDING).update(
        state=OutboxState.SENT,
        sent_at=now,
        attempts=F("attempts") + 1,
        last_error="",
        claimed_until=None,
        claim_token="",
    )
    return True


def drain_outbox(*, now: dt.datetime | None = None, limit: int = 100) -> int:
    """Deliver up to ``limit`` due messages; returns how many were sent.

    Safe on any number of workers at once: each row is claimed with a conditional UPDATE
    (core.leases.claim_rows) before its handler runs. Call it outside a transaction."""
    sent = 0
    processed = 0
    previous = getattr(_local, "draining", False)
    _local.draining = True
    try:
        while processed < limit:
            # Re-read the clock per batch: messages enqueued by handlers meanwhile are due too.
            at = now or clock.now()
            due = OutboxMessage.objects.filter(state=OutboxState.PENDING, next_attempt_at__lte=at)
            batch = claim_rows(due, lease_for=CLAIM_FOR, limit=min(limit - processed, 50))
            if not batch:
                break
            for message in batch:
                processed += 1
                if _deliver(message, at):
                    sent += 1
    finally:
        _local.draining = previous
    return sent
