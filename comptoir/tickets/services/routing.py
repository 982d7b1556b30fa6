"""Routing: the team from the taxonomy node; the agent by team, skill for the node, language and
current load, among agents who are online and under their open-ticket cap."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Count, Q

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
    candidates = list(
        User.objects.filter(teams=team, is_active=True, presence__status=Presence.ONLINE).exclude(
            pk__in=exclude or set()
        )
    )
    if not candidates:
        return None
    ids = [user.pk for user in candidates]
    profiles = {
        profile.user_id: profile
        for profile in AgentProfile.objects.filter(user_id__in=ids).prefetch_related("skills")
    }
    loads = dict(
        Ticket.objects.filter(assignee_id__in=ids, status__in=ACTIVE_STATUSES)
        .values_list("assignee_id")
        .annotate(n=Count("id"))
        .values_list("assignee_id", "n")
    )
    ranked = []
    for user in candidates:
        profile = profiles.get(user.pk)
        load = int(loads.get(user.pk, 0))
        cap = profile.max_open_tickets if profile is not None else 25
        if load >= cap:
            continue
        skills = {skill.pk for skill in profile.skills.all()} if profile is not None else set()
        languages = list(profile.languages) if profile is not None else []
        ranked.append(
            (
                0 if skill_id is not None and skill_id in skills else 1,
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
