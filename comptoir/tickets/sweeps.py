"""Time-driven desk work, as registered sweeps (idempotent, safe on several workers: rows are
claimed with a conditional UPDATE, then re-checked under the row lock):

- ``tickets.sla``: warning before a target, breach after it — a breach raises the priority and
  notifies the supervisors; a warning notifies the assignee.
- ``tickets.close_solved``: solved tickets close after 4 days."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from comptoir.accounts.enums import Role
from comptoir.accounts.models import User
from comptoir.core.leases import claim_rows
from comptoir.core.notifications import notify
from comptoir.core.sweeps import register_sweep

from .enums import Priority, SlaState, TicketStatus
from .hooks import ticket_save
from .models import Ticket
from .services.common import audit, lock_ticket
from .services.tickets import apply_transition
from .transitions import Action, Actor

CLOSE_AFTER = dt.timedelta(days=4)
CLAIM_FOR = dt.timedelta(minutes=1)
BATCH = 100
RUNNING = (TicketStatus.NEW, TicketStatus.OPEN)


def _notify_breach(ticket: Ticket) -> None:
    supervisors = User.objects.filter(role__in=[Role.SUPERVISOR], is_active=True)
    if ticket.team_id is not None:
        in_team = supervisors.filter(teams=ticket.team_id)
        supervisors = in_team if in_team.exists() else supervisors
    for supervisor in supervisors:
        notify(
            user=supervisor,
            kind="tickets",
            event_key=f"ticket:{ticket.pk}:breach:{ticket.sla_due_at:%Y%m%d%H%M}",
            title=lambda: str(_("SLA breached on %(number)s")) % {"number": ticket.number},
            body=lambda: (
                str(_("“%(subject)s” missed its target; its priority was raised."))
                % {"subject": ticket.subject}
            ),
            url="",
        )


def _notify_warning(ticket: Ticket) -> None:
    if ticket.assignee is None:
        return
    notify(
        user=ticket.assignee,
        kind="tickets",
        event_key=f"ticket:{ticket.pk}:warning:{ticket.sla_due_at:%Y%m%d%H%M}",
        title=lambda: str(_("%(number)s is due soon")) % {"number": ticket.number},
        body=lambda: (
            str(_("Answer “%(subject)s” before its target.")) % {"subject": ticket.subject}
        ),
        url="",
    )


def _release(ticket: Ticket, fields: list[str]) -> None:
    ticket.claimed_until = None
    ticket.claim_token = ""
    ticket_save(ticket, fields=[*fields, "claimed_until", "claim_token"])


@register_sweep("tickets.sla", every=dt.timedelta(minutes=1))
def sweep_sla(now: dt.datetime) -> int:
    handled = 0
    breaching = Ticket.objects.filter(
        status__in=RUNNING, sla_due_at__lte=now, sla_state__in=[SlaState.OK, SlaState.WARNING]
    )
    for claimed in claim_rows(breaching, lease_for=CLAIM_FOR, limit=BATCH):
        with transaction.atomic():
            ticket = lock_ticket(claimed.pk)
            if not (
                ticket.status in RUNNING
                and ticket.sla_due_at is not None
                and ticket.sla_due_at <= now
                and ticket.sla_state in (SlaState.OK, SlaState.WARNING)
            ):
                _release(ticket, [])
                continue
            audit(
                ticket, actor=None, field="sla_state", old=ticket.sla_state, new=SlaState.BREACHED
            )
            ticket.sla_state = SlaState.BREACHED
            raised = min(ticket.priority + 1, Priority.URGENT)
            audit(ticket, actor=None, field="priority", old=ticket.priority, new=raised)
            ticket.priority = raised
            _release(ticket, ["sla_state", "priority"])
            _notify_breach(ticket)
            handled += 1
    warning = Ticket.objects.filter(
        status__in=RUNNING, sla_warn_at__lte=now, sla_due_at__gt=now, sla_state=SlaState.OK
    )
    for claimed in claim_rows(warning, lease_for=CLAIM_FOR, limit=BATCH):
        with transaction.atomic():
            ticket = lock_ticket(claimed.pk)
            if not (
                ticket.status in RUNNING
                and ticket.sla_state == SlaState.OK
                and ticket.sla_warn_at is not None
                and ticket.sla_warn_at <= now
            ):
                _release(ticket, [])
                continue
            audit(ticket, actor=None, field="sla_state", old=ticket.sla_state, new=SlaState.WARNING)
            ticket.sla_state = SlaState.WARNING
            _release(ticket, ["sla_state"])
            _notify_warning(ticket)
            handled += 1
    return handled


@register_sweep("tickets.close_solved", every=dt.timedelta(minutes=10))
def sweep_close_solved(now: dt.datetime) -> int:
    handled = 0
    due = Ticket.objects.filter(status=TicketStatus.SOLVED, solved_at__lte=now - CLOSE_AFTER)
    for claimed in claim_rows(due, lease_for=CLAIM_FOR, limit=BATCH):
        with transaction.atomic():
            ticket = lock_ticket(claimed.pk)
            if (
                ticket.status != TicketStatus.SOLVED
                or ticket.solved_at is None
                or (ticket.solved_at > now - CLOSE_AFTER)
            ):
                _release(ticket, [])
                continue
            fields = apply_transition(
                ticket, action=Action.CLOSE, actor=Actor.SYSTEM, user=None, now=now
            )
            _release(ticket, fields)
            handled += 1
    return handled
