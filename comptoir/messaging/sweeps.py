"""Messaging's sweeps: keep the per-owner unread counters equal to their conversations' sums."""

from __future__ import annotations

import datetime as dt

from comptoir.core.sweeps import register_sweep

from .counters import unread_counters_reconcile


@register_sweep("messaging.unread_reconcile", every=dt.timedelta(minutes=15))
def sweep_unread_reconcile(now: dt.datetime) -> int:
    return unread_counters_reconcile()
