"""Set-based writes in raw SQL for the release sweep's batches: the ORM's per-object and
per-expression cost (and psycopg's client-side parsing of statements with thousands of
placeholders) dominated a batch. PostgreSQL gets one array per column (``unnest``): a handful
of parameters whatever the batch size; SQLite gets multi-row VALUES and a CASE."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection

SQLITE_MAX_PARAMS = 30000  # SQLite's default limit is 32766 bound parameters


def _qn(name: str) -> str:
    return str(connection.ops.quote_name(name))


def ids_where(column: str, ids: Sequence[int]) -> tuple[str, list[Any]]:
    """``column`` is one of ``ids``: one array parameter on PostgreSQL (``= ANY``), a list of
    placeholders on SQLite (callers keep batches under ``SQLITE_MAX_PARAMS``)."""
    if not ids:
        return "1 = 0", []
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s::bigint[])", [list(ids)]
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


def insert_rows(
    table: str,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[Any]],
    *,
    consts: Mapping[str, Any] | None = None,
    returning: Sequence[str] = (),
) -> list[tuple[Any, ...]]:
    """INSERT ``rows`` (values in ``columns`` order; each column is ``(name, pg type)``), with
    the same value of each ``consts`` column on every row. Returns the ``returning`` columns."""
    consts = dict(consts or {})
    names = [name for name, _type in columns] + list(consts)
    cols = ", ".join(_qn(n) for n in names)
    ret = f" RETURNING {', '.join(_qn(c) for c in returning)}" if returning else ""
    out: list[tuple[Any, ...]] = []
    if not rows:
        return out
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = [list(column) for column in zip(*rows, strict=True)]
            unnest = ", ".join(f"%s::{pg_type}[]" for _name, pg_type in columns)
            aliases = ", ".join(f"c{i}" for i in range(len(columns)))
            picks = aliases + "".join(", %s" for _ in consts)
            sql = (
                f"INSERT INTO {_qn(table)} ({cols}) SELECT {picks} "
                f"FROM unnest({unnest}) AS u({aliases}){ret}"
            )
            cursor.execute(sql, [*consts.values(), *arrays])  # textual order: SELECT, FROM
            if returning:
                out.extend(cursor.fetchall())
            return out
        width = len(names)
        one = "(" + ", ".join(["%s"] * width) + ")"
        per = max(1, SQLITE_MAX_PARAMS // width)
        for start in range(0, len(rows), per):
            chunk = rows[start : start + per]
            sql = f"INSERT INTO {_qn(table)} ({cols}) VALUES " + ", ".join([one] * len(chunk)) + ret
            cursor.execute(sql, [v for row in chunk for v in (*row, *consts.values())])
            if returning:
                out.extend(cursor.fetchall())
    return out


def update_by_id(
    table: str,
    *,
    values: Mapping[int, int],
    set_sql: str,
    set_params: Sequence[Any] = (),
    where_sql: str = "",
    where_params: Sequence[Any] = (),
) -> int:
    """One UPDATE of the rows whose ``id`` is a key of ``values`` (bigint values), where
    ``set_sql`` may use ``{v}`` for the row's own value and ``%s`` for ``set_params``.
    Returns the number of rows updated."""
    if not values:
        return 0
    ids = list(values)
    extra = f" AND ({where_sql})" if where_sql else ""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            t = _qn(table)
            # ``id = ANY(ids)`` on the table's side too: whatever join the planner picks for the
            # unnest (it cannot estimate its size), the rows are reached through the primary
            # key, never by scanning the table (a scan per batch made the sweep quadratic).
            sql = (
                f"UPDATE {t} SET {set_sql.format(v='v.val')} "
                f"FROM unnest(%s::bigint[], %s::bigint[]) AS v(id, val) "
                f"WHERE {t}.{_qn('id')} = v.id AND {t}.{_qn('id')} = ANY(%s::bigint[]){extra}"
            )
            cursor.execute(sql, [*set_params, ids, [values[i] for i in ids], ids, *where_params])
            return int(cursor.rowcount)
        done = 0
        per = max(1, (SQLITE_MAX_PARAMS - len(set_params) - len(where_params)) // 3)
        for start in range(0, len(ids), per):
            chunk = ids[start : start + per]
            case = f"(CASE {_qn('id')} " + " ".join(["WHEN %s THEN %s"] * len(chunk)) + " END)"
            placeholders = ", ".join(["%s"] * len(chunk))
            sql = (
                f"UPDATE {_qn(table)} SET {set_sql.format(v=case)} "
                f"WHERE {_qn('id')} IN ({placeholders}){extra}"
            )
            case_params = [x for i in chunk for x in (i, values[i])]
            # The CASE appears in SET once per {v}: its parameters come in that order.
            n_case = set_sql.count("{v}")
            params = _interleave(set_sql, set_params, case_params, n_case)
            cursor.execute(sql, [*params, *chunk, *where_params])
            done += int(cursor.rowcount)
        return done


def _interleave(
    set_sql: str, set_params: Sequence[Any], case_params: list[Any], n_case: int
) -> list[Any]:
    """The SET clause's parameters in textual order: ``%s`` from ``set_params``, ``{v}``
    expanded to the CASE's parameters."""
    out: list[Any] = []
    it = iter(set_params)
    i = 0
    while i < len(set_sql):
        if set_sql.startswith("%s", i):
            out.append(next(it))
            i += 2
        elif set_sql.startswith("{v}", i):
            out.extend(case_params)
            i += 3
        else:
            i += 1
    assert n_case == set_sql.count("{v}")
    return out
