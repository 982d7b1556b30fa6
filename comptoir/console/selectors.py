"""Reads of the agent console, all through ``ticket_scope`` (the one visibility rule)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.db.models import BigIntegerField, CharField, F, Q, QuerySet, Sum, Value
from django.urls import reverse
from django.utils.translation import get_language

from comptoir.accounts.models import AgentProfile, Team, User
from comptoir.core import clock
from comptoir.core.errors import NotFound
from comptoir.core.pagination import InvalidCursor, Page, paginate
from comptoir.core.search import search_filter
from comptoir.tickets.enums import ACTIVE_STATUSES, MessageKind, Presence
from comptoir.tickets.models import AgentPresence, Macro, Message, MessageAttachment, Ticket
from comptoir.tickets.search import DOC_TYPE
from comptoir.tickets.selectors import is_staff, is_supervisor, ticket_scope
from comptoir.tickets.transitions import Actor, Transition, allowed_actions

from .compiled import compiled_rows
from .models import QueueCounter, SupervisorEdit
from .queues import QUEUES, Who, counter_predicate, ticket_predicate
from .rows import ROW_FIELDS, QueueRow, queue_rows

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


@dataclass(frozen=True)
class Viewer:
    who: Who
    presence: str


def console_viewer(user: Any) -> Viewer:
    """The agent's teams (for the queues) and presence (for the sidebar) in one query."""
    from comptoir.accounts.models import Team

    def build(ids: list[int]) -> QuerySet[Any]:
        teams = Team.members.through.objects.filter(user_id=ids[0]).values_list(
            "team_id", Value("", output_field=CharField())
        )
        presence = AgentPresence.objects.filter(user_id=ids[0]).values_list(
            Value(0, output_field=BigIntegerField()), "status"
        )
        return teams.union(presence, all=True)

    rows = compiled_rows("console.viewer", build, [int(user.pk)])
    return Viewer(
        who=Who(
            user_id=int(user.pk),
            team_ids=tuple(sorted(team for team, status in rows if team)),
            supervisor=is_supervisor(user),
        ),
        presence=next((status for team, status in rows if status), Presence.OFFLINE),
    )


def queue_counts(who: Who) -> dict[str, int]:
    """Every queue's count in one query over the counters (no COUNT over tickets), compiled
    once per process and shape of viewer (supervisor or not, number of teams)."""

    def build(ids: list[int]) -> QuerySet[Any]:
        viewer = Who(user_id=ids[0], team_ids=tuple(ids[1:]), supervisor=who.supervisor)
        sums = {code: Sum("n", filter=counter_predicate(code, viewer)) for code in QUEUES}
        # Annotating a constant groups by nothing: one row of sums over the whole table.
        return (
            QueueCounter.objects.annotate(one=Value(1))
            .values("one")
            .annotate(**sums)
            .values_list(*QUEUES)
        )

    rows = compiled_rows(
        "console.queue_counts",
        build,
        # Supervisors see every team: their counts do not read team ids.
        [who.user_id, *(() if who.supervisor else who.team_ids)],
        shape=who.supervisor,
    )
    totals = rows[0] if rows else (0,) * len(QUEUES)
    return {code: int(total or 0) for code, total in zip(QUEUES, totals, strict=True)}


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


def _by_due(rows: QuerySet[Any]) -> QuerySet[Any]:
    return rows.order_by(F("sla_due_at").asc(nulls_last=True), "pk")


def _due_page(items: list[dict[str, Any]], limit: int) -> Page[dict[str, Any]]:
    next_cursor = None
    if len(items) > limit:
        items = items[:limit]
        last = items[-1]
        due_value = last["sla_due_at"].isoformat() if last["sla_due_at"] else ""
        next_cursor = signing.dumps([due_value, last["pk"]], salt=_SALT)
    return Page(items=items, next_cursor=next_cursor)


def _page_by_due(rows: QuerySet[Any], cursor: str | None, limit: int) -> Page[dict[str, Any]]:
    """Keyset pages by SLA due time, earliest first, tickets without a running target last
    (core.pagination refuses NULL ordering values, so this ordering has its own cursor)."""
    rows = _by_due(rows)
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
    return _due_page(list(rows[: limit + 1]), limit)


_FILTER_NAMES = tuple(QueueFilters.__dataclass_fields__)


def _first_page_by_due(
    *, user: Any, who: Who, queue: str, filters: QueueFilters, limit: int
) -> Page[dict[str, Any]]:
    """The first page by due time (most requests), by SQL compiled once per queue, kind of
    viewer and set of filters: the viewer's ids and the filter values are its only inputs."""
    used = tuple(name for name in _FILTER_NAMES if getattr(filters, name))
    # Only inputs that reach the SQL may be sentinels ("mine" and supervisors ignore teams).
    teams = who.team_ids if queue != "mine" and not who.supervisor else ()
    count = len(teams)

    def build(values: list[Any]) -> QuerySet[Any]:
        viewer = Who(
            user_id=values[0], team_ids=tuple(values[1 : 1 + count]), supervisor=who.supervisor
        )
        chosen = QueueFilters(**dict(zip(used, values[1 + count :], strict=True)))
        scope = ticket_scope(User(pk=values[0], role=user.role))  # role and id: all it reads
        tickets = _filtered(scope.filter(ticket_predicate(queue, viewer)), chosen)
        return _by_due(tickets).values_list(*ROW_FIELDS)[: limit + 1]

    rows = compiled_rows(
        "console.queue_first_page",
        build,
        [who.user_id, *teams, *(getattr(filters, name) for name in used)],
        shape=(queue, who.supervisor, user.role, used, limit),
    )
    return _due_page([dict(zip(ROW_FIELDS, row, strict=True)) for row in rows], limit)


def _tags_of(ticket_ids: list[int]) -> dict[int, list[str]]:
    tags: dict[int, list[str]] = {}
    if ticket_ids:
        through = Ticket.tags.through.objects.filter(ticket_id__in=ticket_ids)
        for ticket_id, code in through.order_by("tag__code").values_list("ticket_id", "tag__code"):
            tags.setdefault(ticket_id, []).append(code)
    return tags


def queue_page(
    *,
    user: Any,
    who: Who,
    queue: str,
    filters: QueueFilters,
    sort: str = "due",
    cursor: str | None = None,
    limit: int = PAGE_SIZE,
) -> Page[QueueRow]:
    """One page of a queue as display rows: a constant number of queries whatever the number
    of rows (the page, then its tags), and no model instances."""
    if queue not in QUEUES:
        raise NotFound()
    if sort != "recent" and not cursor:
        page = _first_page_by_due(user=user, who=who, queue=queue, filters=filters, limit=limit)
    else:
        tickets = _filtered(ticket_scope(user).filter(ticket_predicate(queue, who)), filters)
        values = tickets.values(*ROW_FIELDS)
        if sort == "recent":
            page = paginate(values, order=("-last_message_at", "-pk"), cursor=cursor, limit=limit)
        else:
            page = _page_by_due(values, cursor, limit)
    rows = queue_rows(page.items, _tags_of([v["pk"] for v in page.items]), now=clock.now())
    return Page(items=rows, next_cursor=page.next_cursor)


# --- the ticket view ----------------------------------------------------------------------------


@dataclass
class Workspace:
    ticket: Ticket
    conversation: list[dict[str, Any]]  # display values, see _conversation
    last_message_id: int
    actions: list[Transition]
    macros: list[dict[str, Any]]  # code, title_fr, title_en
    agents: list[dict[str, Any]]  # pk, public_id, display_name
    teams: list[dict[str, Any]]  # pk, code, name_fr, name_en
    tags: list[str]
    audit: list[Any] = field(default_factory=list)


def console_ticket(*, user: Any, number: str) -> Ticket:
    """A ticket the agent may see (NotFound otherwise, like "does not exist")."""
    if not is_staff(user):
        raise NotFound()
    tickets = (
        ticket_scope(user)
        .select_related("contact__user", "team", "node", "order", "merged_into")
        .filter(number=(number or "").strip().upper())
    )
    found = list(tickets[:1])  # the number is unique: no ORDER BY to build
    if not found:
        raise NotFound()
    return found[0]


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


def _conversation(ticket: Ticket) -> list[dict[str, Any]]:
    """Replies and notes (the console is staff only) with their authors and attachments, as
    display values: two queries compiled once per process (the ticket's id is their input)."""

    def messages(ids: list[int]) -> QuerySet[Any]:
        return (
            Message.objects.filter(ticket_id=ids[0])
            .order_by("created_at", "id")
            .values_list(
                "pk",
                "kind",
                "direction",
                "created_at",
                "body_text",
                "author_user__full_name",
                "author_user__email",
                "author_contact__display_name",
                "author_contact__public_id",
            )
        )

    def attachments(ids: list[int]) -> QuerySet[Any]:
        return (
            MessageAttachment.objects.filter(message__ticket_id=ids[0])
            .order_by("pk")
            .values_list("message_id", "upload__public_id", "upload__original_name", "upload__size")
        )

    files: dict[int, list[dict[str, Any]]] = {}
    for message_id, public_id, name, size in compiled_rows(
        "console.conversation.attachments", attachments, [ticket.pk]
    ):
        files.setdefault(message_id, []).append(
            {"url": reverse("file-download", args=[public_id]), "name": name, "size": size}
        )
    return [
        {
            "pk": pk,
            "kind": kind,
            "direction": direction,
            "created_at": created_at,
            "body_text": body_text,
            # What the template printed: the user's display name, the contact's str().
            "author_user": (user_name or user_email.split("@")[0]) if user_email else "",
            "author_contact": (contact_name or contact_id) if contact_id else "",
            "attachments": files.get(pk, []),
        }
        for (
            pk,
            kind,
            direction,
            created_at,
            body_text,
            user_name,
            user_email,
            contact_name,
            contact_id,
        ) in compiled_rows("console.conversation.messages", messages, [ticket.pk])
    ]


def _workspace_lists(ticket: Ticket) -> tuple[list[Any], list[Any], list[Any], list[str]]:
    """Macros, assignable agents, teams and tags of the ticket view, each by SQL compiled once
    per process (their only inputs are the ticket's id and team)."""
    team = ticket.team_id

    def macros(ids: list[int]) -> QuerySet[Any]:
        mine = Q(team__isnull=True) | (Q(team_id=ids[0]) if ids else Q())
        return (
            Macro.objects.filter(mine, active=True)
            .order_by("code")
            .values_list("code", "title_fr", "title_en")
        )

    def agents(ids: list[int]) -> QuerySet[Any]:
        staff = User.objects.filter(is_active=True, role__in=["agent", "supervisor", "officer"])
        if ids:
            staff = staff.filter(teams=ids[0])
        return staff.order_by("full_name", "email").values_list(
            "pk", "public_id", "full_name", "email"
        )[:200]

    def teams(ids: list[int]) -> QuerySet[Any]:
        return Team.objects.order_by("code").values_list("pk", "code", "name_fr", "name_en")

    def tags(ids: list[int]) -> QuerySet[Any]:
        return (
            Ticket.tags.through.objects.filter(ticket_id=ids[0])
            .order_by("tag__code")
            .values_list("tag__code")
        )

    by_team = [team] if team is not None else []
    return (
        compiled_rows("console.workspace.macros", macros, by_team),
        compiled_rows("console.workspace.agents", agents, by_team),
        compiled_rows("console.workspace.teams", teams, []),
        sorted(code for (code,) in compiled_rows("console.workspace.tags", tags, [ticket.pk])),
    )


def ticket_workspace(*, user: Any, ticket: Ticket) -> Workspace:
    from comptoir.tickets.selectors import ticket_audit

    if not is_staff(user):
        raise NotFound()
    conversation = _conversation(ticket)
    public = [m["pk"] for m in conversation if m["kind"] == MessageKind.PUBLIC]
    macros, agents, teams, tags = _workspace_lists(ticket)
    return Workspace(
        ticket=ticket,
        conversation=conversation,
        last_message_id=max(public) if public else 0,
        actions=allowed_actions(ticket.status, Actor.STAFF),
        macros=[{"code": c, "title_fr": fr, "title_en": en} for c, fr, en in macros],
        agents=[
            {"pk": pk, "public_id": public_id, "display_name": name or email.split("@")[0]}
            for pk, public_id, name, email in agents
        ],
        teams=[{"pk": pk, "code": c, "name_fr": fr, "name_en": en} for pk, c, fr, en in teams],
        tags=tags,
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
