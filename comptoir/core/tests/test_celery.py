"""The Celery wiring: beat's schedule comes from the sweep registry, the tasks only trigger."""

from __future__ import annotations

import datetime as dt

import pytest

from comptoir.celery import RUN_SWEEP_TASK, app, sweep_beat_schedule
from comptoir.core import outbox
from comptoir.core.sweeps import Sweep, sweeps
from comptoir.core.tasks import (
    drain_outbox_task,
    install_outbox_trigger,
    outbox_trigger,
    run_sweep_task,
)


@pytest.fixture
def test_sweep():
    calls: list[dt.datetime] = []

    def fn(now: dt.datetime) -> int:
        calls.append(now)
        return 3

    sweeps.register("test.celery", Sweep(name="test.celery", fn=fn, every=dt.timedelta(seconds=45)))
    try:
        yield calls
    finally:
        sweeps.unregister("test.celery")


def test_beat_schedule_has_one_entry_per_registered_sweep(test_sweep):
    schedule = sweep_beat_schedule()
    assert set(schedule) == {f"sweep:{name}" for name in sweeps.keys()}
    assert schedule["sweep:test.celery"] == {
        "task": RUN_SWEEP_TASK,
        "schedule": 45.0,
        "args": ("test.celery",),
        "options": {"expires": 45.0},
    }


def test_finalized_app_schedules_every_sweep_and_knows_the_tasks():
    app.finalize()
    for name in sweeps.keys():
        assert app.conf.beat_schedule[f"sweep:{name}"]["args"] == (name,)
    assert RUN_SWEEP_TASK in app.tasks
    assert "comptoir.core.tasks.drain_outbox_task" in app.tasks


@pytest.mark.django_db
def test_run_sweep_task_runs_the_sweep_under_its_lease(test_sweep):
    result = run_sweep_task.delay("test.celery").get()
    assert result == {"name": "test.celery", "handled": 3, "skipped": False}
    assert len(test_sweep) == 1


@pytest.mark.django_db
def test_run_sweep_task_skips_when_another_worker_holds_the_lease(test_sweep):
    from comptoir.core.leases import acquire_lease

    assert acquire_lease("sweep:test.celery", holder="elsewhere", duration=dt.timedelta(minutes=1))
    assert run_sweep_task("test.celery") == {"name": "test.celery", "handled": 0, "skipped": True}
    assert test_sweep == []


def test_run_sweep_task_ignores_an_unknown_sweep():
    assert run_sweep_task("no.such.sweep") == {
        "name": "no.such.sweep",
        "handled": 0,
        "skipped": True,
    }


@pytest.mark.django_db
def test_drain_outbox_task_drains_the_outbox(mailoutbox):
    outbox.email_enqueue(to=["a@example.com"], subject="Hello", body_text="Body")
    assert drain_outbox_task.delay().get() == 1
    assert [m.subject for m in mailoutbox] == ["Hello"]


def test_outbox_trigger_is_installed_only_with_real_workers(settings, monkeypatch):
    hooks = [outbox.drain_inline]
    monkeypatch.setattr(outbox, "on_enqueue_hooks", hooks)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    install_outbox_trigger()
    assert hooks == [outbox.drain_inline]

    settings.CELERY_TASK_ALWAYS_EAGER = False
    install_outbox_trigger()
    install_outbox_trigger()
    assert hooks == [outbox_trigger]


def test_outbox_trigger_sends_the_drain_task(monkeypatch):
    sent: list[str] = []
    monkeypatch.setattr(drain_outbox_task, "delay", lambda: sent.append("drain"))
    outbox_trigger(object())
    assert sent == ["drain"]
