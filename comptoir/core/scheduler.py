"""The in-process scheduler of the embedded default (``manage.py serve``).

One thread; it holds the ``scheduler`` lease so that two serve processes on one database never
both run sweeps, runs each registered sweep when its interval has passed, and closes stale
database connections each loop. In production Celery beat does this job instead."""

from __future__ import annotations

import datetime as dt
import logging
import threading

from django.db import close_old_connections

from .clock import wall_now
from .leases import acquire_lease, release_lease, worker_id
from .sweeps import run_sweep, sweeps

logger = logging.getLogger(__name__)


class Scheduler(threading.Thread):
    def __init__(self, *, interval: float) -> None:
        super().__init__(name="comptoir-scheduler", daemon=True)
        self.interval = interval
        self.stop_event = threading.Event()
        self.holder = worker_id()
        self.last_run: dict[str, dt.datetime] = {}

    def tick(self) -> list[str]:
        """One loop: returns the names of the sweeps it ran."""
        ran: list[str] = []
        close_old_connections()
        try:
            lease_for = dt.timedelta(seconds=max(self.interval * 3, 30))
            if not acquire_lease("scheduler", holder=self.holder, duration=lease_for):
                return ran
            now = wall_now()
            for name, sweep in sweeps.items():
                last = self.last_run.get(name)
                if last is not None and now - last < sweep.every:
                    continue
                try:
                    run_sweep(name)
                    ran.append(name)
                except Exception:  # one broken sweep must not stop the others
                    logger.exception("sweep %s failed", name)
                self.last_run[name] = now
        finally:
            close_old_connections()
        return ran

    def run(self) -> None:
        logger.info("scheduler started (every %ss)", self.interval)
        while not self.stop_event.is_set():
            try:
                self.tick()
            except Exception:
                logger.exception("scheduler loop failed")
            self.stop_event.wait(self.interval)
        release_lease("scheduler", holder=self.holder)
        close_old_connections()

    def stop(self) -> None:
        self.stop_event.set()
