"""The ledger's sweeps: release what protection no longer holds; complete released orders."""

from __future__ import annotations

import datetime as dt

from comptoir.core.sweeps import register_sweep

from .services.escrow import escrow_release_due, orders_complete_released


@register_sweep("ledger.release", every=dt.timedelta(minutes=5))
def sweep_release(now: dt.datetime) -> int:
    released = escrow_release_due(now=now)
    completed = orders_complete_released(now=now)
    return released + completed
