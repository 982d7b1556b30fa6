"""One step of a state machine, the same for both tables (disputes, return requests): check the
transition table on the locked row, write the new status with its deadline, close the row and
free its lines when it leaves its active statuses (or take them back when it re-enters them),
and write the timeline event. ``_core.transition`` and ``returns._step`` describe their table
with a ``Machine`` and call ``machine_step``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from comptoir.core import clock
from comptoir.core.errors import Conflict
from comptoir.disputes.models import DisputeEvent
from comptoir.disputes.transitions import Transition


@dataclass(frozen=True)
class Machine:
    table: Mapping[str, Transition]
    active: frozenset[str]  # statuses in which the row's lines are taken ("one at a time")
    closing: frozenset[str]  # statuses that set ``closed_at``
    lines: Callable[[Any], QuerySet[Any]]  # the row's line rows (with an ``active`` flag)
    taken: Callable[[], Conflict]  # a line went to another active row meanwhile
    not_now: Callable[[Any, str], Conflict]
    record: Callable[..., DisputeEvent]  # ``event_record`` bound to the row's dispute/return


def machine_step(
    machine: Machine,
    row: Any,
    action: str,
    *,
    actor_kind: str,
    actor: Any = None,
    due_at: dt.datetime | None = None,
    changes: dict[str, Any] | None = None,
    payload: dict[str, Any] | None = None,
) -> DisputeEvent:
    """Apply ``action`` to ``row`` (locked by the caller) and record it."""
    t = machine.table[action]
    if row.status not in t.sources or actor_kind not in t.actors:
        raise machine.not_now(row, action)
    old, now = row.status, clock.now()
    fields = {"status", "due_at", "updated_at", *(changes or {})}
    row.status, row.due_at, row.updated_at = t.target, due_at, now
    for name, value in (changes or {}).items():
        setattr(row, name, value)
    if t.target in machine.closing:
        row.closed_at = now
        fields.add("closed_at")
    row.save(update_fields=sorted(fields))
    was_active, is_active = old in machine.active, t.target in machine.active
    if was_active and not is_active:
        machine.lines(row).update(active=False)
    elif is_active and not was_active:
        try:
            with transaction.atomic():
                machine.lines(row).update(active=True)
        except IntegrityError as exc:
            raise machine.taken() from exc
    return machine.record(
        row,
        action=action,
        old_status=old,
        new_status=t.target,
        actor_kind=actor_kind,
        actor=actor,
        payload={**(payload or {}), **({"due_at": due_at.isoformat()} if due_at else {})},
    )
