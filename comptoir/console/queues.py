"""The queues of the console: what each one holds, for a ticket query and for the counters.

Every queue is a predicate over (team, assignee, status, SLA state); ticket lists are further
cut by ``ticket_scope`` (the one visibility rule), counts by the same rule on the counters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comptoir.tickets.enums import SlaState, TicketStatus
from comptoir.tickets.selectors import is_supervisor

ACTIVE = (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING)
RUNNING = (TicketStatus.NEW, TicketStatus.OPEN)
BREACHING = (SlaState.WARNING, SlaState.BREACHED)


@dataclass(frozen=True)
class Queue:
    code: str
    label: Any
    shortcut: str  # "g" then this key


QUEUES: dict[str, Queue] = {
    q.code: q
    for q in (
        Queue("mine", _("My tickets"), "m"),
        Queue("teams", _("My teams"), "t"),
        Queue("unassigned", _("Unassigned"), "u"),
        Queue("breaching", _("Breaching soon"), "b"),
        Queue("pending", _("Pending"), "p"),
    )
}


@dataclass(frozen=True)
class Who:
    """The viewer, resolved once per request (one query for the team ids)."""

    user_id: int
    team_ids: tuple[int, ...]
    supervisor: bool

    @classmethod
    def of(cls, user: Any) -> Who:
        return cls(
            user_id=int(user.pk),
            team_ids=tuple(user.teams.values_list("pk", flat=True)),
            supervisor=is_supervisor(user),
        )


def _predicate(code: str, who: Who, *, team: str, assignee: str) -> Q:
    """The queue over fields named ``team`` / ``assignee`` (ids, or keys with 0 for none)."""
    zero = 0 if team.endswith("_key") else None

    def team_is_none() -> Q:
        return Q(**{team: 0}) if zero == 0 else Q(**{f"{team}__isnull": True})

    def assignee_is_none() -> Q:
        return Q(**{assignee: 0}) if zero == 0 else Q(**{f"{assignee}__isnull": True})

    mine = Q(**{assignee: who.user_id})
    if who.supervisor:
        my_teams = ~team_is_none()
    else:
        my_teams = Q(**{f"{team}__in": who.team_ids})
    if code == "mine":
        return mine & Q(status__in=ACTIVE)
    if code == "teams":
        return my_teams & Q(status__in=ACTIVE)
    if code == "unassigned":
        return assignee_is_none() & Q(status__in=RUNNING) & (my_teams | team_is_none())
    if code == "breaching":
        return Q(status__in=RUNNING, sla_state__in=BREACHING) & (mine | my_teams)
    if code == "pending":
        return Q(status=TicketStatus.PENDING) & (mine | my_teams)
    raise KeyError(code)


def ticket_predicate(code: str, who: Who) -> Q:
    return _predicate(code, who, team="team_id", assignee="assignee_id")


def counter_predicate(code: str, who: Who) -> Q:
    """The same queue over QueueCounter rows, with the visibility rule of ``ticket_scope``."""
    q = _predicate(code, who, team="team_key", assignee="assignee_key")
    if not who.supervisor:
        q &= Q(restricted=False) | Q(team_key__in=who.team_ids)
    return q
