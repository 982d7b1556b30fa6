"""Time-driven work of the help center."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from comptoir.core.sweeps import register_sweep

from .services import pending_requests_purge

PURGE_BATCHES = 20


@register_sweep("helpcenter.unverified_requests", every=dt.timedelta(hours=1))
def unverified_requests_sweep(now: dt.datetime) -> int:
    """Contact requests of visitors who never opened the verification link: deleted, with
    their attachments, once ``HELPCENTER_UNVERIFIED_RETENTION_DAYS`` have passed. Small
    batches, each in its own transaction."""
    total = 0
    for _ in range(PURGE_BATCHES):
        with transaction.atomic():
            handled = pending_requests_purge(now=now)
        total += handled
        if not handled:
            break
    return total
