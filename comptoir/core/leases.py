"""Leases and row claims that work the same on SQLite (no SKIP LOCKED) and PostgreSQL.

Both use wall-clock time (not the movable clock): they coordinate real workers."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import uuid
from collections.abc import Iterator
from typing import Any

from django.db import IntegrityError, connection, transaction
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


def claim_rows(
    queryset: QuerySet[Any],
    *,
    lease_for: dt.timedelta,
    limit: int = 100,
    claimed_until_field: str = "claimed_until",
) -> list[Any]:
    """Claim up to ``limit`` rows of ``queryset`` whose claim is free or expired, and return them.

    One conditional UPDATE marks the rows; concurrent claimers never get the same row. On
    PostgreSQL the candidates are first locked with SKIP LOCKED (a speed-up, not the guarantee).
    The model needs a ``claimed_until`` DateTimeField (null) and a ``claim_token`` CharField."""
    model: type[Model] = queryset.model
    now = wall_now()
    free = Q(**{f"{claimed_until_field}__isnull": True}) | Q(**{f"{claimed_until_field}__lt": now})
    token = uuid.uuid4().hex
    with transaction.atomic():
        candidates = queryset.filter(free).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        pks = list(candidates.values_list("pk", flat=True)[:limit])
        if not pks:
            return []
        model._default_manager.filter(pk__in=pks).filter(free).update(
            **{claimed_until_field: now + lease_for, "claim_token": token}
        )
    return list(model._default_manager.filter(pk__in=pks, claim_token=token).order_by("pk"))
