from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from comptoir.core.errors import Conflict, PermissionDenied
from comptoir.core.notifications import Notification
from comptoir.tickets.calendar import (
    Calendar,
    add_business_minutes,
    business_minutes_between,
    french_public_holidays,
)
from comptoir.tickets.enums import Priority, SlaState, TicketStatus
from comptoir.tickets.models import Ticket
from comptoir.tickets.services import (
    ticket_assign,
    ticket_change_status,
    ticket_merge,
    ticket_reply,
)
from comptoir.tickets.sweeps import sweep_close_solved, sweep_sla
from comptoir.tickets.tests.conftest import T0, make_agent, receive
from comptoir.tickets.transitions import TRANSITIONS, Action, Actor, allowed_actions, transition_for

PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=PARIS)


def cal(holidays: frozenset[dt.date] = frozenset()) -> Calendar:
    return Calendar.build(
        timezone="Europe/Paris",
        hours={str(d): [["09:00", "18:00"]] for d in range(5)},
        holidays=holidays,
    )


# --- business-hours arithmetic -----------------------------------------------------------------


def test_eight_business_hours_from_monday_morning_is_the_same_day():
    assert add_business_minutes(cal(), paris(2026, 3, 2, 9, 30), 480) == paris(2026, 3, 2, 17, 30)


def test_friday_evening_rolls_over_the_weekend():
    assert add_business_minutes(cal(), paris(2026, 3, 6, 17, 0), 120) == paris(2026, 3, 9, 10, 0)


def test_outside_hours_starts_at_next_opening():
    assert add_business_minutes(cal(), paris(2026, 3, 7, 23, 0), 60) == paris(2026, 3, 9, 10, 0)


def test_holidays_are_skipped():
    holidays = frozenset(d for d, _n in french_public_holidays(2026))
    assert dt.date(2026, 4, 6) in holidays  # Easter Monday 2026
    assert dt.date(2026, 5, 14) in holidays  # Ascension 2026
    # Thursday 30 April 17:00 + 2h: 1 May (Friday) is a holiday → Monday 4 May 10:00.
    assert add_business_minutes(cal(holidays), paris(2026, 4, 30, 17, 0), 120) == paris(
        2026, 5, 4, 10, 0
    )


def test_dst_change_keeps_nine_business_hours_a_day():
    # Paris switches to summer time on Sunday 29 March 2026. Friday 17:00 → Monday 17:00 local
    # is 9 business hours (60 Friday + 480 Monday) although UTC offsets differ.
    start = paris(2026, 3, 27, 17, 0)
    due = add_business_minutes(cal(), start, 540)
    assert due == paris(2026, 3, 30, 17, 0)
    assert due.astimezone(dt.UTC).hour == 15  # UTC+2 after the change
    assert business_minutes_between(cal(), start, due) == 540


def test_minutes_between_counts_only_open_hours():
    assert (
        business_minutes_between(cal(), paris(2026, 3, 6, 17, 0), paris(2026, 3, 9, 10, 0)) == 120
    )
    assert business_minutes_between(cal(), paris(2026, 3, 9, 10, 0), paris(2026, 3, 6, 17, 0)) == 0


# --- the status machine ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "action", "actor", "target"),
    [
        ("new", "open", Actor.STAFF, "open"),
        ("open", "pend", Actor.STAFF, "pending"),
        ("pending", "open", Actor.CUSTOMER, "open"),
        ("open", "solve", Actor.STAFF, "solved"),
        ("solved", "reopen", Actor.CUSTOMER, "open"),
        ("solved", "close", Actor.SYSTEM, "closed"),
    ],
)
def test_legal_moves(status, action, actor, target):
    assert transition_for(status, action, actor).target == target


@pytest.mark.parametrize(
    ("status", "action", "actor"),
    [
        ("closed", "reopen", Actor.CUSTOMER),
        ("closed", "open", Actor.STAFF),
        ("new", "close", Actor.STAFF),
        ("open", "reopen", Actor.STAFF),
        ("open", "solve", Actor.CUSTOMER),
        ("pending", "pend", Actor.STAFF),
        ("open", "fly", Actor.STAFF),
    ],
)
def test_illegal_moves(status, action, actor):
    assert transition_for(status, action, actor) is None


def test_buttons_come_from_the_table():
    assert [t.action for t in allowed_actions("solved", Actor.STAFF)] == [
        Action.REOPEN,
        Action.CLOSE,
    ]
    assert set(TRANSITIONS) == set(Action)


@pytest.mark.django_db
def test_illegal_move_refused_by_the_service_without_audit(buyer, agent):
    ticket = receive(buyer, node_code="delivery.delay").ticket
    before = ticket.audit_events.count()
    with pytest.raises(Conflict) as exc:
        ticket_change_status(user=agent, ticket=ticket, action="close")
    assert exc.value.code == "illegal_transition"
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.NEW and ticket.audit_events.count() == before


@pytest.mark.django_db
def test_customers_take_no_staff_action(buyer):
    ticket = receive(buyer).ticket
    with pytest.raises(PermissionDenied):
        ticket_change_status(user=buyer, ticket=ticket, action="solve")


@pytest.mark.django_db
def test_status_check_constraint(buyer):
    from django.db import IntegrityError, transaction

    ticket = receive(buyer).ticket
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(status="lost")


# --- the SLA clock on tickets ------------------------------------------------------------------


@pytest.mark.django_db
def test_first_response_due_eight_business_hours_later(buyer):
    ticket = receive(buyer, at=paris(2026, 3, 6, 16, 0)).ticket  # Friday 16:00
    assert ticket.first_response_due_at == paris(2026, 3, 9, 15, 0)  # Monday 15:00
    assert ticket.sla_due_at == ticket.first_response_due_at and ticket.sla_state == SlaState.OK


@pytest.mark.django_db
def test_pending_pauses_the_clock_and_resumes_with_what_was_left(buyer, agent):
    from comptoir.core import clock

    ticket = receive(buyer, node_code="delivery.delay", at=paris(2026, 3, 2, 10, 0)).ticket
    with clock.frozen_at(paris(2026, 3, 2, 11, 0)):
        ticket_reply(user=agent, ticket=ticket, text="Une question ?", then="pend")
    ticket.refresh_from_db()
    resolution_left = ticket.sla_paused_remaining["resolution"]
    assert ticket.sla_state == SlaState.PAUSED and ticket.sla_due_at is None
    # Two days later the customer answers: the resolution target moves by the paused time.
    receive(buyer, thread_ticket_number=ticket.number, text="Voici", at=paris(2026, 3, 4, 11, 0))
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.OPEN
    assert ticket.sla_paused_remaining == {}
    assert (
        business_minutes_between(cal(), paris(2026, 3, 4, 11, 0), ticket.resolution_due_at)
        == resolution_left
    )
    # …and the next-response target starts from the customer's message.
    assert ticket.next_response_due_at == paris(2026, 3, 5, 10, 0)


@pytest.mark.django_db
def test_sweep_warns_then_breaches_and_escalates(buyer, agent, supervisor):
    ticket = receive(buyer, node_code="delivery.delay", at=paris(2026, 3, 2, 9, 0)).ticket
    assert ticket.first_response_due_at == paris(2026, 3, 2, 17, 0)
    assert sweep_sla(paris(2026, 3, 2, 15, 0)) == 0
    assert sweep_sla(paris(2026, 3, 2, 16, 30)) == 1
    ticket.refresh_from_db()
    assert ticket.sla_state == SlaState.WARNING
    assert Notification.objects.filter(user=agent, kind="tickets").count() == 1
    assert sweep_sla(paris(2026, 3, 2, 17, 1)) == 1
    ticket.refresh_from_db()
    assert ticket.sla_state == SlaState.BREACHED and ticket.priority == Priority.HIGH
    assert Notification.objects.filter(user=supervisor).count() == 1
    assert sweep_sla(paris(2026, 3, 2, 17, 5)) == 0  # idempotent
    ticket.refresh_from_db()
    assert ticket.priority == Priority.HIGH


@pytest.mark.django_db
def test_solved_tickets_close_after_four_days(buyer, agent):
    from comptoir.core import clock

    ticket = receive(buyer).ticket
    with clock.frozen_at(T0):
        ticket_change_status(user=agent, ticket=ticket, action="solve")
    assert sweep_close_solved(T0 + dt.timedelta(days=3, hours=23)) == 0
    assert sweep_close_solved(T0 + dt.timedelta(days=4)) == 1
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CLOSED
    assert ticket.audit_events.filter(field="status", new="closed", actor__isnull=True).exists()


# --- assignment and merge ----------------------------------------------------------------------


@pytest.mark.django_db
def test_agents_assign_within_team_supervisors_override(buyer, agent, supervisor):
    from comptoir.accounts.models import Team

    mate = make_agent(email="mate@example.org", teams=("delivery-delay",))
    stranger = make_agent(email="stranger@example.org", teams=("item-damaged",))
    ticket = receive(buyer, node_code="delivery.delay").ticket
    ticket_assign(user=agent, ticket=ticket, assignee=mate)
    with pytest.raises(PermissionDenied):
        ticket_assign(user=agent, ticket=ticket, assignee=stranger)
    with pytest.raises(PermissionDenied):
        ticket_assign(
            user=agent, ticket=ticket, assignee=None, team=Team.objects.get(code="item-damaged")
        )
    ticket_assign(
        user=supervisor,
        ticket=ticket,
        assignee=stranger,
        team=Team.objects.get(code="item-damaged"),
    )
    ticket.refresh_from_db()
    assert ticket.assignee == stranger and ticket.team.code == "item-damaged"
    assert list(
        ticket.audit_events.filter(field="assignee")
        .order_by("pk")
        .values_list("old", "new", "actor__email")
    ) == [
        ("", agent.email, None),
        (agent.email, mate.email, agent.email),
        (mate.email, stranger.email, supervisor.email),
    ]


@pytest.mark.django_db
def test_merge_moves_messages_and_later_messages_follow(buyer, other_buyer, agent):
    a = receive(buyer, text="Premier message").ticket
    b = receive(buyer, text="Deuxième message").ticket
    merged = ticket_merge(user=agent, source=a, target=b)
    a.refresh_from_db()
    assert merged == b and a.merged_into == b and a.status == TicketStatus.SOLVED
    assert b.messages.filter(kind="public").count() == 2
    later = receive(buyer, reply_token=a.reply_token, text="Et encore ceci")
    assert later.ticket == b
    c = receive(other_buyer, text="Hello, my own question").ticket
    with pytest.raises(Conflict):
        ticket_merge(user=agent, source=c, target=b)
