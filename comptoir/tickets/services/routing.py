"""Routing: the team from the taxonomy node; the agent by team, skill for the node, language and
current load, among agents who are online and under their open-ticket cap."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from comptoir.accounts.models import AgentProfile, Team, User
from comptoir.core import clock
from comptoir.core.realtime import push_to_user_on_commit
from comptoir.taxonomy.models import Node
from comptoir.taxonomy.selectors import NodeSettings, effective_settings
from comptoir.tickets.enums import ACTIVE_STATUSES, Presence
from comptoir.tickets.models import AgentPresence, Ticket


def node_settings(node: Node | None) -> NodeSettings | None:
    return effective_settings(node) if node is not None else None


_TEAM_SENTINEL = -7_300_100_001
_SKILL_SENTINEL = -7_300_100_002
_compiled: dict[tuple[str, bool], tuple[str, list[Any], list[int], list[int]] | None] = {}
_compiled_lock = threading.Lock()


def _candidates(*, team_id: int, skill_id: int | None, exclude: set[int]) -> QuerySet[User]:
    """The online members of the team with their profile's languages and cap, whether they have
    the skill, and their current load (agents without a profile: no skill, no language, 25)."""
    open_load = (
        Ticket.objects.filter(assignee_id=OuterRef("pk"), status__in=ACTIVE_STATUSES)
        .order_by()
        .values("assignee_id")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    has_skill: Any = Value(False)
    if skill_id is not None:
        has_skill = Exists(
            AgentProfile.skills.through.objects.filter(
                agentprofile_id=OuterRef("agent_profile__id"), skill_id=skill_id
            )
        )
    return (
        User.objects.filter(teams=team_id, is_active=True, presence__status=Presence.ONLINE)
        .exclude(pk__in=exclude)
        .annotate(
            routing_load=Coalesce(Subquery(open_load, output_field=IntegerField()), 0),
            routing_cap=F("agent_profile__max_open_tickets"),
            routing_languages=F("agent_profile__languages"),
            routing_skill=has_skill,
        )
    )


def _candidate_users(*, team_id: int, skill_id: int | None, exclude: set[int]) -> Iterable[Any]:
    """``_candidates`` run from its SQL compiled once per process and database vendor (building
    and compiling this queryset costs several times what running it does; intake routes every
    new ticket). The team and skill ids are swapped in for the sentinels they were compiled
    with; a shape the sentinels cannot be found in runs as a plain queryset."""
    if exclude:
        return _candidates(team_id=team_id, skill_id=skill_id, exclude=exclude)
    key = (connection.vendor, skill_id is not None)
    if key not in _compiled:
        skill = _SKILL_SENTINEL if skill_id is not None else None
        query = _candidates(team_id=_TEAM_SENTINEL, skill_id=skill, exclude=set()).query
        sql, compiled_params = query.sql_with_params()
        params = list(compiled_params)
        teams = [i for i, p in enumerate(params) if p == _TEAM_SENTINEL]
        skills = [i for i, p in enumerate(params) if p == _SKILL_SENTINEL]
        usable = bool(teams) and (skill_id is None or bool(skills))
        with _compiled_lock:
            _compiled[key] = (sql, params, teams, skills) if usable else None
    entry = _compiled[key]
    if entry is None:
        return _candidates(team_id=team_id, skill_id=skill_id, exclude=exclude)
    sql, template, teams, skills = entry
    params = list(template)
    for place in teams:
        params[place] = team_id
    for place in skills:
        params[place] = skill_id
    return User.objects.raw(sql, params)


def _languages(value: Any) -> list[str]:
    if isinstance(value, str):  # a JSON column read without the field's converter
        value = json.loads(value)
    return list(value or [])


def route_pick_agent(
    *, team: Team | None, skill_id: int | None, language: str, exclude: set[int] | None = None
) -> User | None:
    """The best online agent of ``team``: has the node's skill, speaks the ticket's language,
    carries the fewest open tickets (below their cap). None when nobody is available."""
    if team is None:
        return None
    ranked = []
    for user in _candidate_users(team_id=team.pk, skill_id=skill_id, exclude=exclude or set()):
        load = int(user.routing_load or 0)
        cap = user.routing_cap if user.routing_cap is not None else 25
        if load >= cap:
            continue
        ranked.append(
            (
                0 if user.routing_skill else 1,
                0 if language in _languages(user.routing_languages) else 1,
                load,
                user.pk,
                user,
            )
        )
    if not ranked:
        return None
    ranked.sort(key=lambda row: row[:4])
    return ranked[0][4]


@transaction.atomic
def presence_set(*, user: Any, status: str) -> AgentPresence:
    """An agent goes online / away / offline (the console and the WebSocket call this)."""
    if status not in Presence.values:
        from django.utils.translation import gettext as _

        from comptoir.core.errors import ValidationFailed

        raise ValidationFailed(_("Unknown presence."), {"status": status})
    presence, _created = AgentPresence.objects.update_or_create(
        user=user, defaults={"status": status, "updated_at": clock.now()}
    )
    push_to_user_on_commit(user.pk, {"type": "presence", "status": status})
    return presence


def online_agents(*, team: Team) -> list[User]:
    return list(User.objects.filter(Q(teams=team), presence__status=Presence.ONLINE))
