"""Hot console queries compiled to SQL once per process, then run with new ids.

Building and compiling a queryset costs about a millisecond of CPU, running a small indexed
query a tenth of that; the console's header queries (teams and presence of the viewer, the queue
counts, the first page of a queue) run on every page. A query whose only varying inputs are ids
or plain strings is compiled once per ``(name, shape)`` with sentinel values in their place; the
positions of the sentinels among the compiled parameters are remembered, and later calls put the
real values there and execute the same SQL. ``shape`` is what else the SQL depends on (for instance how many team ids it lists).
An input whose sentinel is missing from the parameters is either unused by that query (it
compiles identically with another sentinel: fine) or transformed on its way into the SQL (an
upper-cased number, a search term): then the compilation is not kept, and that query is built
and run as a queryset every time."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from typing import Any

from django.db import connections
from django.db.models import QuerySet

_FIRST_SENTINEL = -8_100_000_001  # no row has a negative id


def _sentinel(index: int, value: int | str, variant: int = 0) -> int | str:
    if isinstance(value, str):
        return f"\x1fconsole-sentinel-{variant}-{index}\x1f"
    return _FIRST_SENTINEL - 1000 * variant - index


def _unused_inputs_only(
    build: Callable[[list[Any]], QuerySet[Any]],
    ids: list[int | str],
    sql: str,
    params: list[Any],
    places: list[list[int]],
) -> bool:
    """Whether the sentinels missing from the parameters are inputs the query does not read
    (it compiles the same with other values there) rather than values it transformed."""
    others = [_sentinel(i, value, variant=1) for i, value in enumerate(ids)]
    other_sql, other_params = build(others).query.sql_with_params()
    if other_sql != sql or len(other_params) != len(params):
        return False
    moving = {position for positions in places for position in positions}
    return all(
        a == b for i, (a, b) in enumerate(zip(params, other_params, strict=True)) if i not in moving
    )


# SQL, parameters with sentinels, where each sentinel sits, the converters of the columns.
_Compiled = tuple[str, list[Any], list[list[int]], list[tuple[int, list[Any], Any]]]
_compiled: dict[tuple[Hashable, ...], _Compiled | None] = {}
_lock = threading.Lock()


def compiled_rows(
    name: str,
    build: Callable[[list[Any]], QuerySet[Any]],
    ids: Sequence[int | str],
    *,
    shape: Hashable = None,
) -> list[tuple[Any, ...]]:
    """The rows of ``build(ids)`` (a ``values_list`` queryset), by its SQL compiled once.
    ``ids`` are integers or strings; which is which is part of the key."""
    ids = [i if isinstance(i, str) else int(i) for i in ids]
    alias = "default"
    kinds = tuple(isinstance(i, str) for i in ids)
    key = (name, shape, kinds, connections[alias].vendor)
    if key not in _compiled:
        sentinels = [_sentinel(i, value) for i, value in enumerate(ids)]
        compiler = build(sentinels).query.get_compiler(alias)
        sql, compiled_params = compiler.as_sql()
        params = list(compiled_params)
        places = [[i for i, p in enumerate(params) if p == s] for s in sentinels]
        # What the ORM would apply to each column (datetimes and booleans on SQLite…).
        converters = [
            (position, functions, expression)
            for position, (functions, expression) in compiler.get_converters(
                [column for column, _sql, _alias in compiler.select]
            ).items()
        ]
        usable = all(places) or _unused_inputs_only(build, ids, sql, params, places)
        with _lock:
            _compiled[key] = (sql, params, places, converters) if usable else None
    entry = _compiled[key]
    if entry is None:
        return [tuple(row) for row in build(ids)]
    sql, template, places, converters = entry
    params = list(template)
    for positions, value in zip(places, ids, strict=True):
        for position in positions:
            # Keep the adapter type the compiler chose (psycopg's Int8 for bigint columns).
            params[position] = type(template[position])(value)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if not converters:
        return [tuple(row) for row in rows]
    converted = []
    for row in rows:
        values = list(row)
        for position, functions, expression in converters:
            for function in functions:
                values[position] = function(values[position], expression, connection)
        converted.append(tuple(values))
    return converted


def forget() -> None:
    """Drop every compiled query (tests that change what a query depends on)."""
    with _lock:
        _compiled.clear()
