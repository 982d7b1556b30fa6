"""Compiled SQL of hot read queries, kept per process.

Building a queryset and compiling it costs far more CPU than running a small indexed query
(about a millisecond against a few dozen microseconds); a live push computes unread totals on
every message sent. A query whose only varying input is a list of ids is compiled once per
(name, number of ids, database vendor) with sentinel ids, the positions of the sentinels in its
parameters are remembered (an id may be used several times, e.g. in each part of a UNION), and
later calls substitute the real ids and execute the same SQL. The sentinels are negative ids
no row has; a compiled query whose parameters miss a sentinel (the ids were transformed before
reaching the SQL) is not cached: it is built and run as a queryset every time."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections
from django.db.models import QuerySet

_SENTINEL_BASE = -7_300_000_000
_cache: dict[tuple[Any, ...], tuple[str, list[Any], list[list[int]]] | None] = {}
_lock = threading.Lock()


def _sentinels(count: int) -> list[int]:
    return [_SENTINEL_BASE - i for i in range(count)]


def rows_for_ids(
    name: str,
    build: Callable[[list[int]], QuerySet[Any]],
    ids: Sequence[int],
    *,
    version: Any = None,
) -> list[tuple[Any, ...]]:
    """The rows of ``build(ids)`` (a ``values_list`` queryset) by its compiled SQL. ``version``
    is part of the cache key: pass what else the query's shape depends on."""
    ids = [int(i) for i in ids]
    alias = "default"
    key = (name, len(ids), connections[alias].vendor, version)
    if key not in _cache:
        sentinels = _sentinels(len(ids))
        sql, compiled_params = build(sentinels).query.sql_with_params()
        params = list(compiled_params)
        positions = [[i for i, p in enumerate(params) if p == s] for s in sentinels]
        with _lock:
            _cache[key] = (sql, params, positions) if all(positions) else None
    entry = _cache[key]
    if entry is None:
        return list(build(ids))
    sql, template, positions = entry
    params = list(template)
    for places, value in zip(positions, ids, strict=True):
        for place in places:
            params[place] = value
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def forget() -> None:
    """Drop every compiled query (tests that change registries)."""
    with _lock:
        _cache.clear()
