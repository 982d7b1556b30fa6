"""Leases and row claims that work the same on SQLite (no SKIP LOCKED) and PostgreSQL.

Both use wall-clock time (not the movable clock): they coordinate real workers."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from django.db import IntegrityError, connections, transaction
from django.db.models import Model, Q, QuerySet

from .clock import wall_now


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire_lease(name: str, *, holder: str, duration: dt.timedelta) -> bool:
    from .models import Lease

    now = wall_now()
    try:
        with transaction.atomic():
            Lease.objects.get_or_create(
                name=name, defaults={"expires_at": now - dt.timedelta(seconds=1)}
            )
    except IntegrityError:
        pass  # created by another worker at the same moment
    taken = (
        Lease.objects.filter(name=name)
        .filter(Q(expires_at__lt=now) | Q(holder=holder))
        .update(holder=holder, expires_at=now + duration)
    )
    return taken == 1


def release_lease(name: str, *, holder: str) -> None:
    from .models import Lease

    Lease.objects.filter(name=name, holder=holder).update(
        expires_at=wall_now() - dt.timedelta(seconds=1)
    )


@contextlib.contextmanager
def lease(name: str, *, duration: dt.timedelta) -> Iterator[bool]:
    """``with lease("x", duration=…) as held:`` — ``held`` is False when someone else has it."""
    holder = worker_id()
    held = acquire_lease(name, holder=holder, duration=duration)
    try:
        yield held
    finally:
        if held:
            release_lease(name, holder=holder)


def claim_pks(
    queryset: QuerySet[Any],
    *,
    lease_for: dt.timedelta,
    limit: int = 100,
    claimed_until_field: str = "claimed_until",
    order_by: Sequence[str] = ("pk",),
) -> tuple[str, list[int]]:
    """Claim up to ``limit`` rows of ``queryset`` whose claim is free or expired, taken in
    ``order_by`` order, in one statement; returns ``(token, claimed pks)`` (pks unordered).

    ``UPDATE … SET claimed_until = now + lease, claim_token = new token WHERE pk IN (SELECT pk …
    free … ORDER BY … LIMIT n [FOR UPDATE SKIP LOCKED]) AND <free again> RETURNING pk``: the
    conditional UPDATE is the guarantee (a row is claimed by one claimer until its lease runs
    out, on SQLite too, where IMMEDIATE transactions serialise writers); SKIP LOCKED is the
    PostgreSQL speed-up that lets concurrent claimers take different rows instead of waiting.
    The model needs a ``claimed_until`` DateTimeField (null) and a ``claim_token`` CharField."""
    model: type[Model] = queryset.model
    now = wall_now()
    free = Q(**{f"{claimed_until_field}__isnull": True}) | Q(**{f"{claimed_until_field}__lt": now})
    token = uuid.uuid4().hex
    with transaction.atomic(using=queryset.db):
        db = connections[queryset.db]
        candidates = queryset.filter(free).order_by(*order_by)
        if db.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        sub_sql, sub_params = (
            candidates.values_list("pk", flat=True)[:limit]
            .query.get_compiler(using=queryset.db)
            .as_sql()
        )
        opts = model._meta
        qn = db.ops.quote_name
        until_column = str(opts.get_field(claimed_until_field).column)  # type: ignore[union-attr]
        table, pk, until = (
            qn(opts.db_table),
            qn(opts.pk.column),  # type: ignore[union-attr]
            qn(until_column),
        )
        lease_end = db.ops.adapt_datetimefield_value(now + lease_for)
        now_db = db.ops.adapt_datetimefield_value(now)
        sql = (
            f"UPDATE {table} SET {until} = %s, {qn('claim_token')} = %s "
            f"WHERE {pk} IN ({sub_sql}) AND ({until} IS NULL OR {until} < %s) RETURNING {pk}"
        )
        with db.cursor() as cursor:
            cursor.execute(sql, [lease_end, token, *sub_params, now_db])
            pks = [row[0] for row in cursor.fetchall()]
    return token, pks


def claim_rows(
    queryset: QuerySet[Any],
    *,
    lease_for: dt.timedelta,
    limit: int = 100,
    claimed_until_field: str = "claimed_until",
) -> list[Any]:
    """Claim up to ``limit`` rows of ``queryset`` whose claim is free or expired (lowest pks
    first), and return them in pk order (``claim_pks``, then one read of the claimed rows).
    Concurrent claimers never get the same row."""
    token, pks = claim_pks(
        queryset, lease_for=lease_for, limit=limit, claimed_until_field=claimed_until_field
    )
    if not pks:
        return []
    manager = queryset.model._default_manager.db_manager(queryset.db)
    return list(manager.filter(pk__in=pks, claim_token=token).order_by("pk"))
