"""Reads of the agent console, all through ``ticket_scope`` (the one visibility rule)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.db.models import F, Prefetch, Q, QuerySet, Sum
from django.utils.translation import get_language

from comptoir.accounts.models import AgentProfile, Team, User
from comptoir.core.errors import NotFound
from comptoir.core.pagination import InvalidCursor, Page, paginate
from comptoir.core.search import search_filter
from comptoir.tickets.enums import ACTIVE_STATUSES, MessageKind, Presence
from comptoir.tickets.models import AgentPresence, Macro, Message, Tag, Ticket
from comptoir.tickets.search import DOC_TYPE
from comptoir.tickets.selectors import is_staff, ticket_messages, ticket_scope
from comptoir.tickets.transitions import Actor, Transition, allowed_actions

from .models import QueueCounter, SupervisorEdit
from .queues import QUEUES, Who, counter_predicate, ticket_predicate

PAGE_SIZE = 25
SORTS = ("due", "recent")
_SALT = "comptoir.console.queue.due"


@dataclass(frozen=True)
class QueueFilters:
    channel: str = ""
    language: str = ""
    status: str = ""
    sla_state: str = ""
    node: str = ""
    tag: str = ""
    q: str = ""

    def active(self) -> bool:
        return any(getattr(self, name) for name in self.__dataclass_fields__)


def queue_counts(who: Who) -> dict[str, int]:
    """Every queue's count in one query over the counters (no COUNT over tickets)."""
    totals = QueueCounter.objects.aggregate(
        **{code: Sum("n", filter=counter_predicate(code, who)) for code in QUEUES}
    )
    return {code: int(totals[code] or 0) for code in QUEUES}


def _filtered(tickets: QuerySet[Ticket], filters: QueueFilters) -> QuerySet[Ticket]:
    if filters.channel:
        tickets = tickets.filter(channel=filters.channel)
    if filters.language:
        tickets = tickets.filter(language=filters.language)
    if filters.status:
        tickets = tickets.filter(status=filters.status)
    if filters.sla_state:
        tickets = tickets.filter(sla_state=filters.sla_state)
    if filters.node:
        tickets = tickets.filter(
            Q(node__code=filters.node)
            | Q(node__parent__code=filters.node)
            | Q(node__parent__parent__code=filters.node)
        )
    if filters.tag:
        tickets = tickets.filter(tags__code=filters.tag)
    query = filters.q.strip()
    if query:
        number = query.upper()
        if number.startswith("T-") and number[2:].isdigit():
            tickets = tickets.filter(number=number)
        else:
            tickets = search_filter(tickets, doc_type=DOC_TYPE, query=query)
    return tickets


def _page_by_due(tickets: QuerySet[Ticket], cursor: str | None, limit: int) -> Page[Ticket]:
    """Keyset pages by SLA due time, earliest first, tickets without a running target last
    (core.pagination refuses NULL ordering values, so this ordering has its own cursor)."""
    rows = tickets.order_by(F("sla_due_at").asc(nulls_last=True), "pk")
    if cursor:
        try:
            due_text, pk = signing.loads(cursor, salt=_SALT)
            due = dt.datetime.fromisoformat(due_text) if due_text else None
            pk = int(pk)
        except (signing.BadSignature, ValueError, TypeError) as exc:
            raise InvalidCursor from exc
        if due is None:
            rows = rows.filter(sla_due_at__isnull=True, pk__gt=pk)
        else:
            rows = rows.filter(
                Q(sla_due_at__gt=due) | Q(sla_due_at=due, pk__gt=pk) | Q(sla_due_at__isnull=True)
            )
    items = list(rows[: limit + 1])
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        last = items[-1]
        due_value = last.sla_due_at.isoformat() if last.sla_due_at else ""
        next_cursor = signing.dumps([due_value, last.pk], salt=_SALT)
    return Page(items=items, next_cursor=next_cursor)


def queue_page(
    *,
    user: Any,
    who: Who,
    queue: str,
    filters: QueueFilters,
    sort: str = "due",
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> Page[Ticket]:
    """One page of a queue: a constant number of queries whatever the number of rows (the
    page, then its tags)."""
    if queue not in QUEUES:
        raise NotFound()
    tickets = (
        ticket_scope(user)
        .filter(ticket_predicate(queue, who))
        .select_related("team", "assignee", "node", "contact")
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.order_by("code")))
    )
    tickets = _filtered(tickets, filters)
    if sort == "recent":
        return paginate(tickets, order=("-last_message_at", "-pk"), cursor=cursor, limit=limit)
    return _page_by_due(tickets, cursor, limit)


# --- the ticket view ----------------------------------------------------------------------------


@dataclass
class Workspace:
    ticket: Ticket
    conversation: list[Message]
    last_message_id: int
    actions: list[Transition]
    macros: list[Macro]
    agents: list[User]
    teams: list[Team]
    tags: list[str]
    audit: list[Any] = field(default_factory=list)


def console_ticket(*, user: Any, number: str) -> Ticket:
    """A ticket the agent may see (NotFound otherwise, like "does not exist")."""
    if not is_staff(user):
        raise NotFound()
    ticket = (
        ticket_scope(user)
        .select_related(
            "contact__user",
            "team",
            "assignee",
            "node",
            "order",
            "merged_into",
            "sla_policy__calendar",
        )
        .filter(number=(number or "").strip().upper())
        .first()
    )
    if ticket is None:
        raise NotFound()
    return ticket


def last_public_message_id(ticket: Ticket) -> int:
    last = (
        Message.objects.filter(ticket=ticket, kind=MessageKind.PUBLIC)
        .order_by("-created_at", "-id")
        .values_list("id", flat=True)
        .first()
    )
    return int(last or 0)


def macros_for(ticket: Ticket) -> list[Macro]:
    return list(
        Macro.objects.filter(
            Q(team__isnull=True) | Q(team_id=ticket.team_id), active=True
        ).order_by("code")
    )


def assignable_agents(ticket: Ticket) -> list[User]:
    """Teammates first (any staff for supervisors is allowed by the service; the page lists
    the ticket's team and, for a ticket without a team, every active agent)."""
    agents = User.objects.filter(is_active=True, role__in=["agent", "supervisor", "officer"])
    if ticket.team_id is not None:
        agents = agents.filter(teams=ticket.team_id)
    return list(agents.order_by("full_name", "email")[:200])


def ticket_workspace(*, user: Any, ticket: Ticket) -> Workspace:
    from comptoir.tickets.selectors import ticket_audit

    conversation = ticket_messages(user=user, ticket=ticket)
    public = [m.pk for m in conversation if m.kind == MessageKind.PUBLIC]
    return Workspace(
        ticket=ticket,
        conversation=conversation,
        last_message_id=max(public) if public else 0,
        actions=allowed_actions(ticket.status, Actor.STAFF),
        macros=macros_for(ticket),
        agents=assignable_agents(ticket),
        teams=list(Team.objects.order_by("code")),
        tags=sorted(ticket.tags.values_list("code", flat=True)),
        audit=ticket_audit(ticket=ticket),
    )


def merge_candidates(*, user: Any, ticket: Ticket, q: str = "") -> list[Ticket]:
    """Tickets of the same customer this one may be merged into (visible, not merged, not
    closed), searched by number or words."""
    tickets = (
        ticket_scope(user)
        .filter(contact_id=ticket.contact_id, merged_into__isnull=True)
        .exclude(pk=ticket.pk)
        .exclude(status="closed")
    )
    query = (q or "").strip()
    if query:
        number = query.upper()
        if number.startswith("T-"):
            tickets = tickets.filter(number__startswith=number)
        else:
            tickets = search_filter(tickets, doc_type=DOC_TYPE, query=query)
    return list(tickets.order_by("-last_message_at", "-pk")[:10])


def merge_target(*, user: Any, ticket: Ticket, number: str) -> Ticket:
    target = next(
        (t for t in merge_candidates(user=user, ticket=ticket, q=number) if t.number == number),
        None,
    )
    if target is None:
        raise NotFound()
    return target


# --- supervisor ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgentLoad:
    user: User
    presence: str
    open_tickets: int
    cap: int
    languages: list[str]
    skills: list[str]
    teams: list[str]


def agents_live(*, team_id: int | None = None) -> list[AgentLoad]:
    """Agents with their presence and load (from the counters: no COUNT over tickets)."""
    users = User.objects.filter(is_active=True, role__in=["agent", "supervisor", "officer"])
    if team_id:
        users = users.filter(teams=team_id)
    users_list = list(
        users.select_related("presence", "agent_profile")
        .prefetch_related("teams", "agent_profile__skills")
        .order_by("full_name", "email")[:500]
    )
    loads = dict(
        QueueCounter.objects.filter(
            assignee_key__in=[u.pk for u in users_list], status__in=ACTIVE_STATUSES
        )
        .values_list("assignee_key")
        .annotate(total=Sum("n"))
        .values_list("assignee_key", "total")
    )
    result = []
    for user in users_list:
        try:
            presence = user.presence.status  # type: ignore[attr-defined]
        except AgentPresence.DoesNotExist:
            presence = Presence.OFFLINE
        try:
            profile: AgentProfile | None = user.agent_profile
        except AgentProfile.DoesNotExist:
            profile = None
        result.append(
            AgentLoad(
                user=user,
                presence=presence,
                open_tickets=int(loads.get(user.pk, 0) or 0),
                cap=profile.max_open_tickets if profile else 25,
                languages=list(profile.languages) if profile else [],
                skills=[s.code for s in profile.skills.all()] if profile else [],
                teams=[t.code for t in user.teams.all()],
            )
        )
    return result


def team_queue_counts() -> list[dict[str, Any]]:
    """Per team: new/open, pending, unassigned, breaching (one grouped query)."""
    language = get_language() or "fr"
    teams = {t.pk: t for t in Team.objects.all()}
    rows = QueueCounter.objects.values("team_key").annotate(
        active=Sum("n"),
        running=Sum("n", filter=Q(status__in=["new", "open"])),
        pending=Sum("n", filter=Q(status="pending")),
        unassigned=Sum("n", filter=Q(assignee_key=0, status__in=["new", "open"])),
        breaching=Sum(
            "n", filter=Q(status__in=["new", "open"], sla_state__in=["warning", "breached"])
        ),
    )
    by_team = {row["team_key"]: row for row in rows.order_by()}
    result = []
    for key in [*sorted(teams, key=lambda k: teams[k].code), 0]:
        row = by_team.get(key, {})
        team = teams.get(key)
        result.append(
            {
                "team": team,
                "name": team.name(language) if team else "",
                **{
                    name: int(row.get(name) or 0)
                    for name in ("active", "running", "pending", "unassigned", "breaching")
                },
            }
        )
    return sorted(result, key=lambda r: (-r["active"], r["team"] is None, r["name"]))


def supervisor_edits(*, kind: str = "", cursor: str | None = None, limit: int = 50) -> Page[Any]:
    """The history of supervisor edits, newest first, one keyset page (``InvalidCursor`` on a
    forged cursor)."""
    edits = SupervisorEdit.objects.select_related("actor")
    if kind in SupervisorEdit.Kind.values:
        edits = edits.filter(kind=kind)
    return paginate(edits, order=("-created_at", "-pk"), cursor=cursor, limit=limit)
