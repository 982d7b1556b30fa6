"""The Celery app (production): ``celery -A comptoir worker`` and ``celery -A comptoir beat``.

Configured from Django settings (``CELERY_*``). Beat's schedule is built from the sweep
registry (core.sweeps): every registered sweep is sent as ``run_sweep_task(name)`` every
``sweep.every``; ``run_sweep`` takes the sweep's lease, so a sweep runs once at a time however
many workers there are. The embedded default runs the same functions in-process instead
(eager tasks, the serve command's scheduler)."""

from __future__ import annotations

import os
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings.embedded")

app = Celery("comptoir")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

RUN_SWEEP_TASK = "comptoir.core.tasks.run_sweep_task"


def sweep_beat_schedule() -> dict[str, dict[str, Any]]:
    """One beat entry per registered sweep (needs the Django apps loaded)."""
    from comptoir.core.sweeps import sweeps

    schedule: dict[str, dict[str, Any]] = {}
    for name, sweep in sweeps.items():
        every = sweep.every.total_seconds()
        schedule[f"sweep:{name}"] = {
            "task": RUN_SWEEP_TASK,
            "schedule": every,
            "args": (name,),
            # A tick that no worker picked up before the next one is dropped, not queued up.
            "options": {"expires": max(every, 1.0)},
        }
    return schedule


@app.on_after_finalize.connect
def _schedule_sweeps(sender: Celery, **kwargs: Any) -> None:
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    sender.conf.beat_schedule = {**(sender.conf.beat_schedule or {}), **sweep_beat_schedule()}
