"""Queue counters: bumped inside the ticket service's transaction, reconciled by a sweep."""

from __future__ import annotations

import datetime as dt
import logging
import random
from collections import Counter
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import Count, Sum

from comptoir.console.models import QueueCounter
from comptoir.core.groups import ticket_group
from comptoir.core.realtime import push_to_group
from comptoir.core.sweeps import register_sweep
from comptoir.tickets.enums import ACTIVE_STATUSES
from comptoir.tickets.models import Ticket

logger = logging.getLogger(__name__)

SHARDS = 8
_ACTIVE = frozenset(str(s) for s in ACTIVE_STATUSES)


class Bucket(NamedTuple):
    team_key: int
    assignee_key: int
    status: str
    sla_state: str
    restricted: bool


def bucket_of(values: dict[str, Any] | None) -> Bucket | None:
    """The bucket of a ticket's watched values; None when the ticket is not active (solved and
    closed tickets are not counted: no queue shows them)."""
    if values is None or str(values["status"]) not in _ACTIVE:
        return None
    return Bucket(
        int(values["team_id"] or 0),
        int(values["assignee_id"] or 0),
        str(values["status"]),
        str(values["sla_state"]),
        bool(values["restricted"]),
    )


def _values(ticket: Ticket) -> dict[str, Any]:
    return {
        "team_id": ticket.team_id,
        "assignee_id": ticket.assignee_id,
        "status": ticket.status,
        "sla_state": ticket.sla_state,
        "restricted": ticket.restricted,
    }


_UPSERT = (
    "INSERT INTO {table} (team_key, assignee_key, status, sla_state, restricted, shard, n) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s) "
    "ON CONFLICT (team_key, assignee_key, status, sla_state, restricted, shard) "
    "DO UPDATE SET n = {table}.n + EXCLUDED.n"
)


def _bump(bucket: Bucket, shard: int, delta: int) -> None:
    """One atomic upsert: correct under concurrency on SQLite and PostgreSQL alike."""
    table = connection.ops.quote_name(QueueCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT.format(table=table), [*bucket, shard, delta])


def counters_apply(deltas: dict[Bucket, int]) -> None:
    """Apply ``deltas`` in a fixed order (no deadlocks between concurrent writers)."""
    for bucket in sorted(b for b, d in deltas.items() if d):
        _bump(bucket, random.randrange(SHARDS), deltas[bucket])


def counters_ticket_changed(ticket: Ticket, before: dict[str, Any] | None) -> None:
    """The ``ticket_changed_hooks`` entry: move the ticket between buckets, in the caller's
    transaction, and tell the ticket's viewers after commit."""
    old, new = bucket_of(before), bucket_of(_values(ticket))
    if old != new:
        deltas: Counter[Bucket] = Counter()
        if old is not None:
            deltas[old] -= 1
        if new is not None:
            deltas[new] += 1
        counters_apply(dict(deltas))
    group, number = ticket_group(ticket.pk), ticket.number
    transaction.on_commit(
        lambda: push_to_group(group, {"type": "ticket.changed", "number": number})
    )


def _truth() -> dict[Bucket, int]:
    rows = (
        Ticket.objects.filter(status__in=ACTIVE_STATUSES)
        .values("team_id", "assignee_id", "status", "sla_state", "restricted")
        .annotate(n=Count("id"))
        .order_by()
    )
    truth: dict[Bucket, int] = {}
    for row in rows:
        bucket = bucket_of(row)
        if bucket is not None:
            truth[bucket] = truth.get(bucket, 0) + int(row["n"])
    return truth


def counters_current() -> dict[Bucket, int]:
    rows = (
        QueueCounter.objects.values("team_key", "assignee_key", "status", "sla_state", "restricted")
        .annotate(total=Sum("n"))
        .order_by()
    )
    return {
        Bucket(r["team_key"], r["assignee_key"], r["status"], r["sla_state"], r["restricted"]): int(
            r["total"]
        )
        for r in rows
    }


def counters_drift() -> dict[Bucket, int]:
    """Buckets whose counter differs from the tickets (truth minus counter)."""
    truth, current = _truth(), counters_current()
    drift = {}
    for bucket in set(truth) | set(current):
        diff = truth.get(bucket, 0) - current.get(bucket, 0)
        if diff:
            drift[bucket] = diff
    return drift


@transaction.atomic
def counters_reconcile() -> int:
    """Make the counters equal to the tickets; returns the number of buckets corrected.

    On PostgreSQL the counter table is locked in EXCLUSIVE mode first: in-flight ticket changes
    (which hold ROW EXCLUSIVE on it until they commit) finish before the comparison, later ones
    wait for it, so the two reads agree. On SQLite the IMMEDIATE transaction serialises writers."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(QueueCounter._meta.db_table)
            cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
    drift = counters_drift()
    for bucket in sorted(drift):
        _bump(bucket, 0, drift[bucket])
    QueueCounter.objects.filter(n=0).exclude(shard=0).delete()
    if drift:
        logger.warning("queue counters drifted in %s bucket(s): %s", len(drift), drift)
    return len(drift)


@register_sweep("console.reconcile_counters", every=dt.timedelta(minutes=10))
def sweep_reconcile_counters(now: dt.datetime) -> int:
    return counters_reconcile()
