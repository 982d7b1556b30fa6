"""The desk's reference data, cached in each process for intake: the live taxonomy nodes with
their effective settings (team, skill, restriction), the codes the node predictor may answer,
the SLA policies and the business calendars with their holidays.

Cross-process invalidation: database triggers (installed after every ``migrate``, see
``install_version_triggers``) replace the token of the one ``DeskVersion`` row in the same
transaction as any write to the tables read here (taxonomy nodes, teams, skills, SLA policies,
calendars, holidays), whoever writes: services, the admin, seeders' ``bulk_create``, raw
updates. Every use reads the token (one primary-key read) and reloads everything when it
changed. The token is random, so a rolled-back edit never makes an old snapshot valid again.

The snapshot's model instances are shared between threads: read them, never change them."""

from __future__ import annotations

import datetime as dt
import random
import threading
from dataclasses import dataclass
from typing import Any

from django.db import connection, connections

from comptoir.accounts.models import Skill, Team
from comptoir.taxonomy.models import Node
from comptoir.taxonomy.selectors import NodeSettings, effective_settings, node_codes

from .calendar import Calendar
from .models import BusinessCalendar, DeskVersion, Holiday, SlaPolicy

MAX_TOKEN = 2**53 - 1
TRIGGER = "tickets_desk_version"
WATCHED_MODELS: tuple[type[Any], ...] = (Node, Team, Skill, SlaPolicy, BusinessCalendar, Holiday)


@dataclass(frozen=True)
class DeskData:
    token: int | None
    nodes: dict[str, tuple[Node, NodeSettings]]  # live (not retired) nodes by code
    predictable_codes: list[str]  # live level-2 codes, in menu order
    policies: tuple[SlaPolicy, ...]  # with their calendar loaded
    calendars: dict[int, Calendar]  # by BusinessCalendar pk, with holidays

    def node(self, code: str) -> tuple[Node, NodeSettings] | None:
        return self.nodes.get(code)

    def policy_for(self, *, team_id: int | None, channel: str) -> SlaPolicy | None:
        """The most specific policy: team + channel, team, channel, then the default."""
        best: tuple[tuple[int, int], SlaPolicy] | None = None
        for policy in self.policies:
            if policy.team_id not in (None, team_id) or policy.channel not in (channel, ""):
                continue
            rank = (0 if policy.team_id is not None else 1, 0 if policy.channel else 1)
            if best is None or rank < best[0]:
                best = (rank, policy)
        return best[1] if best is not None else None


_lock = threading.Lock()
_data: DeskData | None = None


def forget() -> None:
    """Drop this process's snapshot (the next use reloads it)."""
    global _data
    with _lock:
        _data = None


def _read_token() -> int | None:
    table = connection.ops.quote_name(DeskVersion._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT token FROM {table} WHERE id = 1")
        row = cursor.fetchone()
    return int(row[0]) if row is not None else None


def _load(token: int | None) -> DeskData:
    nodes = {
        node.code: (node, effective_settings(node))
        for node in Node.objects.select_related(
            "team", "skill", "parent__team", "parent__skill", "parent__parent"
        ).filter(retired_at__isnull=True)
    }
    policies = tuple(SlaPolicy.objects.select_related("calendar"))
    holidays: dict[int, set[dt.date]] = {}
    for calendar_id, date in Holiday.objects.values_list("calendar_id", "date"):
        holidays.setdefault(calendar_id, set()).add(date)
    calendars = {
        calendar.pk: build_calendar(calendar, frozenset(holidays.get(calendar.pk, ())))
        for calendar in BusinessCalendar.objects.all()
    }
    return DeskData(
        token=token,
        nodes=nodes,
        predictable_codes=node_codes(level=2),
        policies=policies,
        calendars=calendars,
    )


def build_calendar(calendar: BusinessCalendar, holidays: frozenset[dt.date]) -> Calendar:
    return Calendar.build(timezone=calendar.timezone, hours=calendar.hours, holidays=holidays)


def desk_data() -> DeskData:
    """The current snapshot: one primary-key read when nothing changed, a reload otherwise.
    Without the version row (a database flushed after migrate) nothing is kept."""
    global _data
    token = _read_token()
    current = _data
    if current is not None and token is not None and current.token == token:
        return current
    loaded = _load(token)
    if token is not None:
        with _lock:
            _data = loaded
    return loaded


# --- the triggers ------------------------------------------------------------------------------


def install_version_triggers(*, using: str = "default", **_kwargs: Any) -> None:
    """Create the version row and the triggers (idempotent). Connected to ``post_migrate``: on
    SQLite, altering a table rebuilds it without its triggers, so they are put back after
    every migration; a flush (which empties the version row) is followed by it too."""
    db = connections[using]
    present = set(db.introspection.table_names())
    needed: tuple[type[Any], ...] = (DeskVersion, *WATCHED_MODELS)
    if any(model._meta.db_table not in present for model in needed):
        return  # migrated backwards or partially: nothing to watch yet

    def _table(model: type[Any]) -> str:
        return str(db.ops.quote_name(model._meta.db_table))

    version = _table(DeskVersion)
    with db.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {version} (id, token) VALUES (1, %s) ON CONFLICT (id) DO NOTHING",
            [random.randint(1, MAX_TOKEN)],
        )
        if db.vendor == "postgresql":
            cursor.execute(
                f"CREATE OR REPLACE FUNCTION {TRIGGER}_bump() RETURNS trigger "
                f"LANGUAGE plpgsql AS $$ BEGIN UPDATE {version} SET token = "
                f"floor(random() * {MAX_TOKEN})::bigint + 1 WHERE id = 1; RETURN NULL; END $$"
            )
            for model in WATCHED_MODELS:
                table = _table(model)
                cursor.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}")
                cursor.execute(
                    f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                    f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {TRIGGER}_bump()"
                )
        elif db.vendor == "sqlite":
            for model in WATCHED_MODELS:
                table = _table(model)
                for operation in ("INSERT", "UPDATE", "DELETE"):
                    name = f"{TRIGGER}_{model._meta.db_table}_{operation.lower()}"
                    cursor.execute(
                        f"CREATE TRIGGER IF NOT EXISTS {name} AFTER {operation} ON {table} "
                        f"BEGIN UPDATE {version} SET token = random() WHERE id = 1; END"
                    )
    forget()
