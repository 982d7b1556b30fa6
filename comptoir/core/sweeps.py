"""Time-driven work ("sweeps"): releases, auto-accepts, escalations, SLA breaches, the outbox.

A sweep is a function ``fn(now) -> int`` (how many rows it handled) registered with an
interval. It must be idempotent and safe on several workers at once: claim rows with a
conditional UPDATE (see core.leases / claim_rows), never rely on select_for_update alone.
Callers: ``manage.py run_sweeps [--at]``, the in-process scheduler of ``manage.py serve``,
and Celery beat in production — all through ``run_sweep``/``run_all``."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from . import clock
from .leases import lease
from .registry import Registry

logger = logging.getLogger(__name__)

SweepFn = Callable[[dt.datetime], int]


@dataclass(frozen=True)
class Sweep:
    name: str
    fn: SweepFn
    every: dt.timedelta
    # How long one run may hold the sweep's lease before another worker may take over.
    lease_for: dt.timedelta = dt.timedelta(minutes=5)


sweeps: Registry[Sweep] = Registry("sweeps")


def register_sweep(name: str, *, every: dt.timedelta) -> Callable[[SweepFn], SweepFn]:
    def wrap(fn: SweepFn) -> SweepFn:
        sweeps.register(name, Sweep(name=name, fn=fn, every=every))
        return fn

    return wrap


@dataclass(frozen=True)
class SweepResult:
    name: str
    handled: int
    skipped: bool  # another worker held the sweep's lease


def run_sweep(name: str, *, now: dt.datetime | None = None) -> SweepResult:
    """Run one sweep once, unless another worker is running it right now."""
    sweep = sweeps.get(name)
    at = now or clock.now()
    with lease(f"sweep:{name}", duration=sweep.lease_for) as held:
        if not held:
            return SweepResult(name=name, handled=0, skipped=True)
        with clock.process_time(at):
            handled = sweep.fn(at)
    logger.debug("sweep %s handled %s", name, handled)
    return SweepResult(name=name, handled=handled, skipped=False)


def run_all(*, now: dt.datetime | None = None) -> list[SweepResult]:
    return [run_sweep(name, now=now) for name in sweeps.keys()]
