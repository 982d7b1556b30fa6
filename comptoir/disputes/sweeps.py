"""Dispute and return deadlines as sweeps (PRODUCT.md §3): seller silence, no agreement, missed
evidence, appeal window (finalise); return address (platform default), missed return shipment,
return delivered (carrier scan), missed return confirmation.

Each claims due rows with ``core.leases.claim_rows`` (safe on several workers), then applies
the service on the locked row, which re-checks status and due time (idempotent, safe to
re-run after a crash: a crashed worker's claim expires with its lease)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from comptoir.core.errors import ApplicationError
from comptoir.core.leases import claim_rows
from comptoir.core.sweeps import register_sweep
from comptoir.orders.enums import ShipmentStatus
from comptoir.orders.models import Shipment

from .enums import DisputeStatus, ReturnStatus
from .evidence import evidence_request_expire
from .models import Dispute, ReturnRequest
from .returns import (
    return_address_default,
    return_confirmation_missed,
    return_delivery_check,
    return_shipment_missed,
)
from .services import dispute_finalise, dispute_no_agreement, dispute_seller_silence

logger = logging.getLogger(__name__)
BATCH = 100
LEASE = dt.timedelta(minutes=2)


def _claimed(rows: QuerySet[Any], now: dt.datetime, apply: Callable[[Any], bool]) -> int:
    done = 0
    for row in claim_rows(rows, lease_for=LEASE, limit=BATCH):
        try:
            with transaction.atomic():
                done += int(apply(row))
        except ApplicationError:
            logger.exception("%s: deadline not applied", row)
        type(row).objects.filter(pk=row.pk, claim_token=row.claim_token).update(
            claimed_until=None, claim_token=""
        )
    return done


def _run(status: str, now: dt.datetime, apply: Callable[..., bool]) -> int:
    due = Dispute.objects.filter(status=status, due_at__lte=now)
    return _claimed(due, now, lambda d: apply(dispute_id=d.pk, now=now))


def _run_returns(status: str, now: dt.datetime, apply: Callable[..., bool]) -> int:
    due = ReturnRequest.objects.filter(status=status, due_at__lte=now)
    return _claimed(due, now, lambda r: apply(return_id=r.pk, now=now))


@register_sweep("disputes.seller_silence", every=dt.timedelta(minutes=5))
def sweep_seller_silence(now: dt.datetime) -> int:
    return _run(DisputeStatus.AWAITING_SELLER, now, dispute_seller_silence)


@register_sweep("disputes.no_agreement", every=dt.timedelta(minutes=5))
def sweep_no_agreement(now: dt.datetime) -> int:
    return _run(DisputeStatus.REFUSED, now, dispute_no_agreement)


@register_sweep("disputes.evidence_missed", every=dt.timedelta(minutes=5))
def sweep_evidence_missed(now: dt.datetime) -> int:
    return _run(DisputeStatus.EVIDENCE_REQUESTED, now, evidence_request_expire)


@register_sweep("disputes.finalise", every=dt.timedelta(minutes=5))
def sweep_finalise(now: dt.datetime) -> int:
    return _run(DisputeStatus.DECIDED, now, dispute_finalise)


@register_sweep("disputes.return_address", every=dt.timedelta(minutes=5))
def sweep_return_address(now: dt.datetime) -> int:
    return _run_returns(ReturnStatus.AWAITING_ADDRESS, now, return_address_default)


@register_sweep("disputes.return_not_shipped", every=dt.timedelta(minutes=5))
def sweep_return_not_shipped(now: dt.datetime) -> int:
    return _run_returns(ReturnStatus.AWAITING_SHIPMENT, now, return_shipment_missed)


@register_sweep("disputes.return_delivered", every=dt.timedelta(minutes=5))
def sweep_return_delivered(now: dt.datetime) -> int:
    """Returns whose parcel the carrier scanned as delivered (the carrier's event is recorded
    by ``orders.tracking_event_record``; this moves the return on)."""
    delivered = Shipment.objects.filter(pk=OuterRef("shipment_id"), status=ShipmentStatus.DELIVERED)
    rows = ReturnRequest.objects.filter(status=ReturnStatus.SHIPPED).filter(Exists(delivered))
    return _claimed(rows, now, lambda r: return_delivery_check(return_id=r.pk, now=now))


@register_sweep("disputes.return_confirmation", every=dt.timedelta(minutes=5))
def sweep_return_confirmation(now: dt.datetime) -> int:
    return _run_returns(ReturnStatus.DELIVERED, now, return_confirmation_missed)
