import datetime as dt
import threading

import pytest
from django.db import connection

from comptoir.core.clock import wall_now
from comptoir.core.leases import acquire_lease, claim_rows, lease, release_lease, worker_id
from comptoir.core.models import Lease
from comptoir.core.outbox import OutboxMessage, on_enqueue_hooks

MINUTE = dt.timedelta(minutes=1)


def test_worker_ids_are_unique():
    assert worker_id() != worker_id()


def test_lease_is_exclusive_until_released(db):
    assert acquire_lease("job", holder="a", duration=MINUTE) is True
    assert acquire_lease("job", holder="b", duration=MINUTE) is False
    assert acquire_lease("job", holder="a", duration=MINUTE) is True  # renewal by the holder
    assert Lease.objects.get(name="job").holder == "a"
    release_lease("job", holder="b")  # not the holder: no effect
    assert acquire_lease("job", holder="b", duration=MINUTE) is False
    release_lease("job", holder="a")
    assert acquire_lease("job", holder="b", duration=MINUTE) is True


def test_expired_lease_is_free_again(db):
    assert acquire_lease("job", holder="crashed", duration=MINUTE)
    Lease.objects.filter(name="job").update(expires_at=wall_now() - dt.timedelta(seconds=1))
    assert acquire_lease("job", holder="b", duration=MINUTE) is True
    assert Lease.objects.get(name="job").holder == "b"


def test_leases_are_independent_by_name(db):
    assert acquire_lease("one", holder="a", duration=MINUTE)
    assert acquire_lease("two", holder="b", duration=MINUTE)


def test_lease_context_manager(db):
    with lease("ctx", duration=MINUTE) as held:
        assert held is True
        with lease("ctx", duration=MINUTE) as inner:
            assert inner is False  # another holder (a new worker id)
    with lease("ctx", duration=MINUTE) as again:
        assert again is True


@pytest.fixture
def messages(db):
    OutboxMessage.objects.bulk_create(
        OutboxMessage(kind="email", payload={}, idempotency_key=f"k{n}") for n in range(5)
    )
    return OutboxMessage.objects.all()


def test_claim_rows_claims_each_row_once(messages):
    first = claim_rows(messages, lease_for=MINUTE, limit=3)
    assert len(first) == 3
    assert len({row.claim_token for row in first}) == 1
    assert all(row.claimed_until > wall_now() for row in first)
    second = claim_rows(messages, lease_for=MINUTE, limit=3)
    assert len(second) == 2
    assert {r.pk for r in first}.isdisjoint({r.pk for r in second})
    assert first[0].claim_token != second[0].claim_token
    assert claim_rows(messages, lease_for=MINUTE, limit=3) == []


def test_claim_rows_respects_the_queryset_filter(messages):
    assert claim_rows(messages.filter(idempotency_key="k4"), lease_for=MINUTE) == [
        OutboxMessage.objects.get(idempotency_key="k4")
    ]


def test_expired_claims_are_claimable_again(messages):
    claimed = claim_rows(messages, lease_for=MINUTE, limit=5)
    assert claim_rows(messages, lease_for=MINUTE) == []
    OutboxMessage.objects.filter(pk=claimed[0].pk).update(
        claimed_until=wall_now() - dt.timedelta(seconds=1)
    )
    again = claim_rows(messages, lease_for=MINUTE)
    assert [r.pk for r in again] == [claimed[0].pk]


@pytest.mark.django_db(transaction=True)
def test_concurrent_claimers_never_share_a_row():
    saved = list(on_enqueue_hooks)
    on_enqueue_hooks[:] = []
    try:
        OutboxMessage.objects.bulk_create(
            OutboxMessage(kind="email", payload={}, idempotency_key=f"c{n}") for n in range(60)
        )
        claimed: dict[str, list[int]] = {"a": [], "b": [], "c": []}
        errors: list[BaseException] = []
        gate = threading.Barrier(3)

        def claimer(name: str) -> None:
            try:
                gate.wait()
                while rows := claim_rows(OutboxMessage.objects.all(), lease_for=MINUTE, limit=4):
                    claimed[name].extend(row.pk for row in rows)
            except BaseException as exc:  # pragma: no cover
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=claimer, args=(name,)) for name in claimed]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        everything = claimed["a"] + claimed["b"] + claimed["c"]
        assert len(everything) == 60
        assert len(set(everything)) == 60
    finally:
        on_enqueue_hooks[:] = saved
