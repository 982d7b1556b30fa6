"""Supervisor edits: team membership, agents' skills, languages and caps, SLA policies,
business calendars and holidays, macros. Supervisors and admins only; each write atomic and
recorded in the same transaction as a ``SupervisorEdit`` (who, what, each field before/after)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from comptoir.accounts.enums import Language
from comptoir.accounts.models import AgentProfile, Skill, Team, User
from comptoir.console.models import SupervisorEdit
from comptoir.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from comptoir.tickets.models import BusinessCalendar, Holiday, Macro, SlaPolicy
from comptoir.tickets.selectors import is_supervisor
from comptoir.tickets.services.sla import forget_calendars


def _require_supervisor(user: Any) -> None:
    if not is_supervisor(user):
        raise PermissionDenied()


def _text(value: Any) -> str:
    if isinstance(value, list | tuple | set | frozenset):
        return ", ".join(sorted(str(v) for v in value))
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)[:500]


def _record(
    user: Any,
    kind: str,
    target: str,
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    created: bool = False,
) -> SupervisorEdit | None:
    """One history row for a change; nothing when no field actually changed."""
    changes = {
        name: [_text(before.get(name)), _text(value)]
        for name, value in after.items()
        if _text(before.get(name)) != _text(value)
    }
    if not changes and not created:
        return None
    return SupervisorEdit.objects.create(
        actor=user, kind=kind, target=target[:200], created=created, changes=changes
    )


def _agent_state(agent: User) -> dict[str, Any]:
    profile = AgentProfile.objects.filter(user=agent).first()
    return {
        "teams": list(agent.teams.values_list("code", flat=True)),
        "languages": list(profile.languages) if profile else [],
        "skills": list(profile.skills.values_list("code", flat=True)) if profile else [],
        "max_open_tickets": profile.max_open_tickets if profile else None,
    }


def _fields(obj: Any, names: Sequence[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}


_POLICY_FIELDS = (
    "team",
    "channel",
    "calendar",
    "first_response_minutes",
    "next_response_minutes",
    "resolution_minutes",
    "warn_before_minutes",
)
_CALENDAR_FIELDS = ("name", "timezone", "hours")
_MACRO_FIELDS = ("title_fr", "title_en", "body_fr", "body_en", "team", "active")


@transaction.atomic
def agent_update(
    *,
    user: Any,
    agent: User,
    teams: Sequence[Team],
    languages: Sequence[str],
    skills: Sequence[Skill],
    max_open_tickets: int,
) -> AgentProfile:
    """An agent's teams, languages, skills and open-ticket cap."""
    _require_supervisor(user)
    if not agent.is_staff_member:
        raise NotFound()
    bad = [code for code in languages if code not in Language.values]
    if bad:
        raise ValidationFailed(_("Unknown language."), {"languages": bad})
    if not 1 <= int(max_open_tickets) <= 500:
        raise ValidationFailed(_("The cap must be between 1 and 500."), {})
    profile, _created = AgentProfile.objects.select_for_update().get_or_create(user=agent)
    before = _agent_state(agent)
    profile.languages = sorted(set(languages))
    profile.max_open_tickets = int(max_open_tickets)
    profile.save(update_fields=["languages", "max_open_tickets", "updated_at"])
    profile.skills.set(skills)
    agent.teams.set(teams)
    _record(user, SupervisorEdit.Kind.AGENT, agent.email, before, _agent_state(agent))
    return profile


@transaction.atomic
def team_member_set(*, user: Any, team: Team, agent: User, member: bool) -> Team:
    _require_supervisor(user)
    was = team.members.filter(pk=agent.pk).exists()
    if member:
        if not agent.is_staff_member:
            raise ValidationFailed(_("This person is not an agent."), {})
        team.members.add(agent)
    else:
        team.members.remove(agent)
    _record(
        user,
        SupervisorEdit.Kind.TEAM,
        f"{team.code}: {agent.email}",
        {"member": was},
        {"member": member},
    )
    return team


@transaction.atomic
def sla_policy_save(
    *,
    user: Any,
    policy: SlaPolicy | None,
    team: Team | None,
    channel: str,
    calendar: BusinessCalendar,
    first_response_minutes: int,
    next_response_minutes: int,
    resolution_minutes: int,
    warn_before_minutes: int,
) -> SlaPolicy:
    """Create or change a policy. Running tickets keep their targets; new targets use it."""
    _require_supervisor(user)
    values = {
        "team": team,
        "channel": channel,
        "calendar": calendar,
        "first_response_minutes": first_response_minutes,
        "next_response_minutes": next_response_minutes,
        "resolution_minutes": resolution_minutes,
        "warn_before_minutes": warn_before_minutes,
    }
    if min(first_response_minutes, next_response_minutes, resolution_minutes) < 1:
        raise ValidationFailed(_("Targets are at least one minute."), {})
    target = policy or SlaPolicy()
    before = _fields(target, _POLICY_FIELDS) if policy is not None else {}
    for name, value in values.items():
        setattr(target, name, value)
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError as exc:
        raise Conflict(
            "sla_policy_exists", _("A policy already exists for this team and channel.")
        ) from exc
    label = f"{team.code if team else '*'} / {channel or '*'}"
    _record(
        user,
        SupervisorEdit.Kind.SLA_POLICY,
        label,
        before,
        _fields(target, _POLICY_FIELDS),
        created=policy is None,
    )
    return target


def _clean_hours(hours: dict[str, Any]) -> dict[str, list[list[str]]]:
    cleaned: dict[str, list[list[str]]] = {}
    for day, intervals in hours.items():
        if day not in {str(d) for d in range(7)}:
            raise ValidationFailed(_("Unknown weekday."), {"day": day})
        for start, end in intervals:
            a, b = dt.time.fromisoformat(start), dt.time.fromisoformat(end)
            if a >= b:
                raise ValidationFailed(_("Opening hours must end after they start."), {})
        cleaned[day] = [[s, e] for s, e in intervals]
    return cleaned


@transaction.atomic
def calendar_save(
    *,
    user: Any,
    calendar: BusinessCalendar | None,
    code: str,
    name: str,
    timezone: str,
    hours: dict[str, Any],
) -> BusinessCalendar:
    _require_supervisor(user)
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed(_("Unknown time zone."), {"timezone": timezone}) from exc
    target = calendar or BusinessCalendar(code=code)
    before = _fields(target, _CALENDAR_FIELDS) if calendar is not None else {}
    target.name = name
    target.timezone = timezone
    target.hours = _clean_hours(hours)
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError as exc:
        raise Conflict("calendar_exists", _("This code is already used.")) from exc
    _record(
        user,
        SupervisorEdit.Kind.CALENDAR,
        target.code,
        before,
        _fields(target, _CALENDAR_FIELDS),
        created=calendar is None,
    )
    transaction.on_commit(forget_calendars)
    return target


@transaction.atomic
def holiday_add(*, user: Any, calendar: BusinessCalendar, date: dt.date, name: str) -> Holiday:
    _require_supervisor(user)
    try:
        with transaction.atomic():
            holiday = Holiday.objects.create(calendar=calendar, date=date, name=name[:120])
    except IntegrityError as exc:
        raise Conflict("holiday_exists", _("This day is already a holiday.")) from exc
    _record(
        user,
        SupervisorEdit.Kind.HOLIDAY,
        f"{calendar.code}: {date.isoformat()}",
        {},
        {"name": holiday.name},
        created=True,
    )
    transaction.on_commit(forget_calendars)
    return holiday


@transaction.atomic
def holiday_remove(*, user: Any, calendar: BusinessCalendar, date: dt.date) -> int:
    _require_supervisor(user)
    names = list(
        Holiday.objects.filter(calendar=calendar, date=date).values_list("name", flat=True)
    )
    deleted, _rows = Holiday.objects.filter(calendar=calendar, date=date).delete()
    if deleted:
        _record(
            user,
            SupervisorEdit.Kind.HOLIDAY,
            f"{calendar.code}: {date.isoformat()}",
            {"name": names[0] if names else ""},
            {"name": None},
        )
    transaction.on_commit(forget_calendars)
    return int(deleted)


@transaction.atomic
def macro_save(
    *,
    user: Any,
    macro: Macro | None,
    code: str,
    title_fr: str,
    title_en: str,
    body_fr: str,
    body_en: str,
    team: Team | None,
    active: bool,
) -> Macro:
    _require_supervisor(user)
    target = macro or Macro(code=code)
    before = _fields(target, _MACRO_FIELDS) if macro is not None else {}
    if macro is None:
        target.code = code
    target.title_fr, target.title_en = title_fr, title_en
    target.body_fr, target.body_en = body_fr, body_en
    target.team, target.active = team, active
    try:
        with transaction.atomic():
            target.save()
    except IntegrityError as exc:
        raise Conflict("macro_exists", _("This code is already used.")) from exc
    _record(
        user,
        SupervisorEdit.Kind.MACRO,
        target.code,
        before,
        _fields(target, _MACRO_FIELDS),
        created=macro is None,
    )
    return target
