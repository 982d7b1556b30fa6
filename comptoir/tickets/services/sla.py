"""The SLA clock of a ticket: targets from the policy of its team and channel, counted in the
calendar's business minutes, paused while the ticket waits for the customer.

These helpers change the ticket's fields in memory and return the names they changed; the
calling service (which holds the row lock) saves them and writes the audit rows."""

from __future__ import annotations

import datetime as dt

from comptoir.tickets.calendar import Calendar, add_business_minutes, business_minutes_between
from comptoir.tickets.desk_cache import DeskData, build_calendar, desk_data, forget
from comptoir.tickets.enums import SlaState
from comptoir.tickets.models import BusinessCalendar, Holiday, SlaPolicy, Ticket

TARGETS = ("first_response", "next_response", "resolution")
SLA_FIELDS = [
    "first_response_due_at",
    "next_response_due_at",
    "resolution_due_at",
    "sla_due_at",
    "sla_warn_at",
    "sla_state",
    "sla_paused_remaining",
    "sla_policy",
]


def forget_calendars() -> None:
    """Drop this process's cached calendars and policies (other processes see the change
    through the desk cache's version token)."""
    forget()


def calendar_for(calendar: BusinessCalendar, *, desk: DeskData | None = None) -> Calendar:
    """The calendar with its holidays, from the desk cache (tickets.desk_cache)."""
    cached = (desk or desk_data()).calendars.get(calendar.pk)
    if cached is not None:
        return cached
    holidays = frozenset(Holiday.objects.filter(calendar=calendar).values_list("date", flat=True))
    return build_calendar(calendar, holidays)


def policy_for(
    *, team_id: int | None, channel: str, desk: DeskData | None = None
) -> SlaPolicy | None:
    """The most specific policy: team + channel, team, channel, then the default."""
    return (desk or desk_data()).policy_for(team_id=team_id, channel=channel)


def _due_field(target: str) -> str:
    return f"{target}_due_at"


def _minutes(policy: SlaPolicy, target: str) -> int:
    return int(getattr(policy, f"{target}_minutes"))


def _recompute(ticket: Ticket) -> None:
    dues = [getattr(ticket, _due_field(t)) for t in TARGETS if getattr(ticket, _due_field(t))]
    if ticket.sla_paused_remaining:
        ticket.sla_due_at = None
        ticket.sla_warn_at = None
        ticket.sla_state = SlaState.PAUSED
        return
    if not dues:
        ticket.sla_due_at = None
        ticket.sla_warn_at = None
        ticket.sla_state = SlaState.NONE
        return
    due = min(dues)
    warn = ticket.sla_policy.warn_before_minutes if ticket.sla_policy else 60
    ticket.sla_due_at = due
    ticket.sla_warn_at = due - dt.timedelta(minutes=warn)
    ticket.sla_state = SlaState.OK


def sla_start(ticket: Ticket, *, now: dt.datetime, desk: DeskData | None = None) -> list[str]:
    """Set the first-response and resolution targets of a new ticket (or after a team change:
    targets are then measured again from ``now``)."""
    desk = desk or desk_data()
    policy = desk.policy_for(team_id=ticket.team_id, channel=ticket.channel)
    ticket.sla_policy = policy
    ticket.sla_paused_remaining = {}
    if policy is None:
        for target in TARGETS:
            setattr(ticket, _due_field(target), None)
    else:
        calendar = calendar_for(policy.calendar, desk=desk)
        if ticket.first_responded_at is None:
            ticket.first_response_due_at = add_business_minutes(
                calendar, now, _minutes(policy, "first_response")
            )
        ticket.resolution_due_at = add_business_minutes(
            calendar, now, _minutes(policy, "resolution")
        )
    _recompute(ticket)
    return list(SLA_FIELDS)


def sla_staff_replied(ticket: Ticket, *, now: dt.datetime) -> list[str]:
    changed = list(SLA_FIELDS)
    if ticket.first_responded_at is None:
        ticket.first_responded_at = now
        changed.append("first_responded_at")
    ticket.first_response_due_at = None
    ticket.next_response_due_at = None
    ticket.sla_paused_remaining.pop("first_response", None)
    ticket.sla_paused_remaining.pop("next_response", None)
    _recompute(ticket)
    return changed


def sla_customer_wrote(ticket: Ticket, *, now: dt.datetime) -> list[str]:
    """A customer message after the first response starts the next-response target."""
    policy = ticket.sla_policy
    if (
        policy is not None
        and ticket.first_responded_at is not None
        and ticket.next_response_due_at is None
    ):
        ticket.next_response_due_at = add_business_minutes(
            calendar_for(policy.calendar), now, _minutes(policy, "next_response")
        )
    _recompute(ticket)
    return list(SLA_FIELDS)


def sla_pause(ticket: Ticket, *, now: dt.datetime) -> list[str]:
    """Waiting for the customer: keep the business minutes left on each running target."""
    policy = ticket.sla_policy
    remaining: dict[str, int] = {}
    for target in TARGETS:
        due = getattr(ticket, _due_field(target))
        if due is not None and policy is not None:
            remaining[target] = business_minutes_between(calendar_for(policy.calendar), now, due)
            setattr(ticket, _due_field(target), None)
    ticket.sla_paused_remaining = remaining
    _recompute(ticket)
    return list(SLA_FIELDS)


def sla_resume(ticket: Ticket, *, now: dt.datetime) -> list[str]:
    policy = ticket.sla_policy
    if policy is not None:
        calendar = calendar_for(policy.calendar)
        for target, minutes in (ticket.sla_paused_remaining or {}).items():
            setattr(ticket, _due_field(target), add_business_minutes(calendar, now, int(minutes)))
    ticket.sla_paused_remaining = {}
    _recompute(ticket)
    return list(SLA_FIELDS)


def sla_stop(ticket: Ticket) -> list[str]:
    for target in TARGETS:
        setattr(ticket, _due_field(target), None)
    ticket.sla_paused_remaining = {}
    _recompute(ticket)
    return list(SLA_FIELDS)
