"""Celery tasks of the core: they only trigger; the work and its bookkeeping live in rows.

``run_sweep_task`` is what beat sends for every registered sweep; ``drain_outbox_task`` is sent
after a commit that enqueued outbox rows, so they go out at once instead of at the next sweep.
Retries and deadlines are rows read by sweeps, never Celery retries or countdowns."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="comptoir.core.tasks.run_sweep_task", ignore_result=True)
def run_sweep_task(name: str) -> dict[str, Any]:
    from .sweeps import run_sweep, sweeps

    if name not in sweeps:  # a stale beat schedule or a message from an older release
        logger.warning("unknown sweep %r ignored", name)
        return {"name": name, "handled": 0, "skipped": True}
    result = run_sweep(name)
    return {"name": result.name, "handled": result.handled, "skipped": result.skipped}


@shared_task(name="comptoir.core.tasks.drain_outbox_task", ignore_result=True)
def drain_outbox_task() -> int:
    from .outbox import drain_outbox  # imported lazily: the outbox loads its handlers on ready()

    return int(drain_outbox())


def outbox_trigger(message: Any) -> None:
    """Outbox on-enqueue hook in production: runs after commit, hands the drain to a worker."""
    drain_outbox_task.delay()


def install_outbox_trigger() -> None:
    """With real Celery workers (tasks not eager), enqueued outbox messages are drained by a
    worker instead of in the web process. Called from CoreConfig.ready; idempotent."""
    from django.conf import settings

    if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", True):
        return  # embedded default and tests: the outbox drains in-process after commit
    from .outbox import drain_inline, on_enqueue_hooks

    on_enqueue_hooks[:] = [
        hook for hook in on_enqueue_hooks if hook is not drain_inline and hook is not outbox_trigger
    ]
    on_enqueue_hooks.append(outbox_trigger)
