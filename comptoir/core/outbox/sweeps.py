"""The outbox sweep: every 10 seconds, deliver what is due (retries included)."""

from __future__ import annotations

import datetime as dt

from comptoir.core.sweeps import register_sweep

from .services import drain_outbox


@register_sweep("outbox", every=dt.timedelta(seconds=10))
def sweep_outbox(now: dt.datetime) -> int:
    return drain_outbox(now=now)
