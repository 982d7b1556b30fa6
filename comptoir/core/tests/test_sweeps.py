import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from comptoir.core import clock
from comptoir.core.leases import acquire_lease
from comptoir.core.models import Lease
from comptoir.core.outbox import OutboxMessage
from comptoir.core.sweeps import register_sweep, run_all, run_sweep, sweeps


@pytest.fixture
def creating_sweep(db):
    """A sweep that creates a row (its created_at comes from the clock) and records its now."""
    seen: list[dt.datetime] = []

    @register_sweep("test-create", every=dt.timedelta(minutes=1))
    def create(now: dt.datetime) -> int:
        seen.append(now)
        OutboxMessage.objects.create(kind="email", payload={}, idempotency_key=f"sweep-{len(seen)}")
        return 1

    yield seen
    sweeps.unregister("test-create")


def test_run_sweeps_at_makes_what_the_sweep_creates_carry_that_time(creating_sweep):
    out = StringIO()
    call_command("run_sweeps", "--at", "2025-01-15T10:00:00", "--only", "test-create", stdout=out)
    expected = dt.datetime(2025, 1, 15, 9, 0, tzinfo=dt.UTC)  # naive = Europe/Paris (UTC+1)
    assert creating_sweep == [expected]
    assert OutboxMessage.objects.get().created_at == expected
    assert out.getvalue() == "test-create: 1 handled\n"
    assert clock.now() != expected  # only for that command


def test_run_sweeps_without_at_uses_now(creating_sweep):
    before = clock.now()
    call_command("run_sweeps", "--only", "test-create", stdout=StringIO())
    assert before <= creating_sweep[0] <= clock.now()


def test_sweep_held_by_another_worker_is_skipped(creating_sweep):
    assert acquire_lease(
        "sweep:test-create", holder="other-worker", duration=dt.timedelta(minutes=5)
    )
    out = StringIO()
    call_command("run_sweeps", "--only", "test-create", stdout=out)
    assert out.getvalue() == "test-create: skipped (running elsewhere)\n"
    assert creating_sweep == []
    assert OutboxMessage.objects.count() == 0
    result = run_sweep("test-create")
    assert (result.handled, result.skipped) == (0, True)


def test_lease_is_released_after_a_run(creating_sweep):
    assert run_sweep("test-create").handled == 1
    assert run_sweep("test-create").handled == 1
    lease = Lease.objects.get(name="sweep:test-create")
    assert lease.expires_at < clock.wall_now()


def test_lease_is_released_when_the_sweep_fails(db):
    @register_sweep("test-broken", every=dt.timedelta(minutes=1))
    def broken(now: dt.datetime) -> int:
        raise RuntimeError("boom")

    try:
        with pytest.raises(RuntimeError):
            run_sweep("test-broken")
        assert Lease.objects.get(name="sweep:test-broken").expires_at < clock.wall_now()
    finally:
        sweeps.unregister("test-broken")


def test_run_all_runs_every_registered_sweep(creating_sweep):
    names = [result.name for result in run_all()]
    assert names == sweeps.keys()
    assert "outbox" in names and "test-create" in names


def test_bad_arguments_are_command_errors(db):
    with pytest.raises(CommandError, match="--at"):
        call_command("run_sweeps", "--at", "not-a-date")
    with pytest.raises(CommandError, match="Unknown sweep"):
        call_command("run_sweeps", "--only", "nope")


def test_register_sweep_twice_is_an_error(creating_sweep):
    with pytest.raises(KeyError):
        register_sweep("test-create", every=dt.timedelta(minutes=1))(lambda now: 0)
