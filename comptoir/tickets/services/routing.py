"""Routing: the team from the taxonomy node; the agent by team, skill for the node, language and
current load, among agents who are online and under their open-ticket cap."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Value
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


def route_pick_agent(
    *, team: Team | None, skill_id: int | None, language: str, exclude: set[int] | None = None
) -> User | None:
    """The best online agent of ``team``: has the node's skill, speaks the ticket's language,
    carries the fewest open tickets (below their cap). None when nobody is available."""
    if team is None:
        return None
    # One query: the online members with their profile's languages and cap, whether they have
    # the skill, and their current load (agents without a profile: no skill, no language, 25).
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
    candidates = (
        User.objects.filter(teams=team, is_active=True, presence__status=Presence.ONLINE)
        .exclude(pk__in=exclude or set())
        .annotate(
            routing_load=Coalesce(Subquery(open_load, output_field=IntegerField()), 0),
            routing_cap=F("agent_profile__max_open_tickets"),
            routing_languages=F("agent_profile__languages"),
            routing_skill=has_skill,
        )
    )
    ranked = []
    for user in candidates:
        load = int(user.routing_load)
        cap = user.routing_cap if user.routing_cap is not None else 25
        if load >= cap:
            continue
        languages = list(user.routing_languages or [])
        ranked.append(
            (
                0 if user.routing_skill else 1,
                0 if language in languages else 1,
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
