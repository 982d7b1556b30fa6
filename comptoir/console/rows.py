"""Queue rows as plain display values: what a queue page shows, computed once per page.

The queue selector reads ``ROW_FIELDS`` with ``values()`` (no model instances) and hands the
rows to ``queue_rows``, which resolves every label and translation once per page and formats
the per-row values (time since, time until, localised dates) the way the template filters
would. The template then only prints strings: one loop, no include per row."""

from __future__ import annotations

import datetime as dt
import functools
import unicodedata
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import quote

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import localize
from django.utils.text import Truncator
from django.utils.timesince import TIME_STRINGS, timesince, timeuntil
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from comptoir.tickets.enums import Channel, Priority, SlaState, TicketStatus

ROW_FIELDS = (
    "pk",
    "number",
    "subject",
    "channel",
    "language",
    "status",
    "priority",
    "sla_state",
    "sla_due_at",
    "last_message_at",
    "node__code",
    "contact__display_name",
    "contact__public_id",
    "assignee__full_name",
    "assignee__email",
    "team__code",
)

CUSTOMER_CHARS = 28


@dataclass(frozen=True, slots=True)
class QueueRow:
    number: str
    url: str
    subject: str
    select_label: str
    channel_label: str
    language: str
    node_code: str
    tags: tuple[str, ...]
    customer: str
    status: str
    status_label: str
    priority: int
    priority_label: str  # only for high and urgent requests, "" otherwise
    sla_state: str
    sla_label: str  # "" when there is no running target (shown as a dash)
    sla_due_iso: str
    sla_due_title: str
    assignee: str
    team_code: str
    updated_iso: str
    updated_title: str
    updated_label: str


@functools.lru_cache(maxsize=8192)
def _localized(language: str, zone: str, value: dt.datetime) -> str:
    """``{{ value }}`` of a local datetime in the active language (the arguments besides
    ``value`` only key the cache: the same instant prints differently per language and zone)."""
    return str(localize(value))


@functools.lru_cache(maxsize=1024)
def _unit(language: str, name: str, num: int) -> str:
    return str(TIME_STRINGS[name] % {"num": num})


class _Unit:
    """One of ``timesince``'s unit strings ("%(num)d hours"), translated once per number."""

    __slots__ = ("language", "name")

    def __init__(self, language: str, name: str) -> None:
        self.language, self.name = language, name

    def __mod__(self, values: dict[str, int]) -> str:
        return _unit(self.language, self.name, values["num"])


def _truncated(text: str, length: int) -> str:
    """``truncatechars``: a text that fits is only NFC-normalised (what Truncator returns)."""
    if len(text) <= length:
        return unicodedata.normalize("NFC", text)
    return str(Truncator(text).chars(length))


def _labels(choices: Any) -> dict[Any, str]:
    return {value: str(label) for value, label in choices}


def queue_rows(
    values: list[dict[str, Any]], tags: dict[int, list[str]], *, now: dt.datetime
) -> list[QueueRow]:
    """Display rows for ``values`` (dicts of ``ROW_FIELDS``), labels in the active language."""
    if not values:
        return []
    channels = _labels(Channel.choices)
    statuses = _labels(TicketStatus.choices)
    priorities = _labels(Priority.choices)
    select = _("Select %(number)s")
    ago = _("%(since)s ago")
    paused = _("Paused")
    breached = _("Breached")
    language = get_language() or ""
    zone = timezone.get_current_timezone()
    zone_key = str(zone)
    # timesince only formats its units with %: each "3 hours" is translated once per process.
    units = cast(dict[str, str], {name: _Unit(language, name) for name in TIME_STRINGS})
    # One reverse per page: the ticket URL with a placeholder number.
    url_template = reverse("console:ticket", args=["T-0"])
    head, tail = url_template.rsplit("T-0", 1)
    rows = []
    for row in values:
        number = row["number"]
        due = row["sla_due_at"]
        state = row["sla_state"]
        if state == SlaState.PAUSED:
            sla_label = paused
        elif due is not None:
            sla_label = (
                breached if state == SlaState.BREACHED else timeuntil(due, now, time_strings=units)
            )
        else:
            sla_label = ""
        customer = row["contact__display_name"] or row["contact__public_id"] or ""
        email = row["assignee__email"]
        assignee = (row["assignee__full_name"] or email.split("@")[0]) if email else ""
        last = row["last_message_at"]
        local_last = last.astimezone(zone)
        local_due = due.astimezone(zone) if due is not None else None
        priority = int(row["priority"])
        rows.append(
            QueueRow(
                number=number,
                url=f"{head}{quote(number)}{tail}",
                subject=row["subject"],
                select_label=select % {"number": number},
                channel_label=channels.get(row["channel"], row["channel"]),
                language=(row["language"] or "").upper(),
                node_code=row["node__code"] or "",
                tags=tuple(tags.get(row["pk"], ())),
                customer=_truncated(customer, CUSTOMER_CHARS),
                status=row["status"],
                status_label=statuses.get(row["status"], row["status"]),
                priority=priority,
                priority_label=priorities.get(priority, "") if priority >= Priority.HIGH else "",
                sla_state=state,
                sla_label=sla_label,
                sla_due_iso=local_due.isoformat() if local_due else "",
                sla_due_title=_localized(language, zone_key, local_due) if local_due else "",
                assignee=assignee,
                team_code=row["team__code"] or "",
                updated_iso=local_last.isoformat(),
                updated_title=_localized(language, zone_key, local_last),
                updated_label=ago % {"since": timesince(last, now, time_strings=units)},
            )
        )
    return rows
