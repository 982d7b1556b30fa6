"""A test-only app, installed by smoke/settings.py only: it registers the ``smoke.tick`` sweep."""

from __future__ import annotations

import datetime as dt
import os
import time
import uuid

from django.apps import AppConfig
from django.db import connection

RUNS_TABLE = "smoke_sweep_runs"
SWEEP_NAME = "smoke.tick"
SWEEP_EVERY = dt.timedelta(seconds=2)
# Long enough that two deliveries of the task on the two worker processes overlap.
SWEEP_TAKES = 1.0


def smoke_tick(now: dt.datetime) -> int:
    """Records one row per run with its start and end (the table is made by the test)."""
    from comptoir.core.clock import wall_now

    started = wall_now()
    time.sleep(SWEEP_TAKES)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {RUNS_TABLE} (run_key, pid, started_at, finished_at) VALUES (%s, %s, %s, %s)",
            [uuid.uuid4().hex, os.getpid(), started, wall_now()],
        )
    return 1


class SmokeConfig(AppConfig):
    name = "comptoir.core.tests.smoke"
    label = "comptoir_smoke"
    verbose_name = "Production smoke test"

    def ready(self) -> None:
        from comptoir.core.sweeps import Sweep, sweeps

        sweeps.register(
            SWEEP_NAME, Sweep(name=SWEEP_NAME, fn=smoke_tick, every=SWEEP_EVERY), replace=True
        )
