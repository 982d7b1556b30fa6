"""Dispute deadlines as sweeps (PRODUCT.md §3): seller silence, no agreement, appeal window.

Each claims due rows with ``core.leases.claim_rows`` (safe on several workers), then applies
the service on the locked row, which re-checks status and due time (idempotent)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.db import transaction

from comptoir.core.errors import ApplicationError
from comptoir.core.leases import claim_rows
from comptoir.core.sweeps import register_sweep

from .enums import DisputeStatus
from .models import Dispute
from .services import dispute_finalise, dispute_no_agreement, dispute_seller_silence

logger = logging.getLogger(__name__)
BATCH = 100


def _run(status: str, now: dt.datetime, apply: Callable[..., bool]) -> int:
    due = Dispute.objects.filter(status=status, due_at__lte=now)
    claimed = claim_rows(due, lease_for=dt.timedelta(minutes=2), limit=BATCH)
    done = 0
    for dispute in claimed:
        try:
            with transaction.atomic():
                done += int(apply(dispute_id=dispute.pk, now=now))
        except ApplicationError:
            logger.exception("dispute %s: deadline not applied", dispute.public_id)
        Dispute.objects.filter(pk=dispute.pk, claim_token=dispute.claim_token).update(
            claimed_until=None, claim_token=""
        )
    return done


@register_sweep("disputes.seller_silence", every=dt.timedelta(minutes=5))
def sweep_seller_silence(now: dt.datetime) -> int:
    return _run(DisputeStatus.AWAITING_SELLER, now, dispute_seller_silence)


@register_sweep("disputes.no_agreement", every=dt.timedelta(minutes=5))
def sweep_no_agreement(now: dt.datetime) -> int:
    return _run(DisputeStatus.REFUSED, now, dispute_no_agreement)


@register_sweep("disputes.finalise", every=dt.timedelta(minutes=5))
def sweep_finalise(now: dt.datetime) -> int:
    return _run(DisputeStatus.DECIDED, now, dispute_finalise)
