"""Helpers shared by the ticket services: row locks, audit rows, ticket numbers, tokens."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import connection
from django.db.models import F

from comptoir.core import clock
from comptoir.core.errors import NotFound
from comptoir.core.ids import new_token
from comptoir.tickets.models import AuditEvent, Ticket, TicketNumberCounter

FIRST_NUMBER = 100001
PG_SEQUENCE = "tickets_ticket_number_seq"


def new_reply_token() -> str:
    """192 random bits, URL-safe (the reply address and links carry it)."""
    return new_token(24)


def allocate_ticket_number() -> str:
    """The next ``T-`` number: a sequence on PostgreSQL (no hot row), a counter row on SQLite
    (writers are serialised there anyway). Safe under concurrency on both."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [PG_SEQUENCE])
            value = int(cursor.fetchone()[0])
        return f"T-{value}"
    updated = TicketNumberCounter.objects.filter(name="ticket").update(value=F("value") + 1)
    if not updated:  # the migration creates the row; a flushed test database may not have it
        TicketNumberCounter.objects.get_or_create(name="ticket", defaults={"value": FIRST_NUMBER})
    value = TicketNumberCounter.objects.get(name="ticket").value
    return f"T-{value}"


def lock_ticket(ticket_id: int) -> Ticket:
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("contact", "sla_policy__calendar", "team")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None:
        raise NotFound()
    return ticket


def lock_tickets(ticket_ids: list[int]) -> list[Ticket]:
    """Several tickets locked in primary-key order (no deadlocks between services)."""
    return list(Ticket.objects.select_for_update().filter(pk__in=ticket_ids).order_by("pk"))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if hasattr(value, "number"):
        return str(value.number)
    if hasattr(value, "code"):
        return str(value.code)
    if hasattr(value, "email"):
        return str(value.email)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)[:200]


def audit_many(
    ticket: Ticket,
    *,
    actor: Any,
    changes: Sequence[tuple[str, Any, Any]],
    at: dt.datetime | None = None,
) -> list[AuditEvent]:
    """Several audit rows (field, old, new) in one INSERT, in order; unchanged values skipped."""
    when = at or clock.now()
    rows = [
        AuditEvent(
            ticket=ticket,
            actor=actor if getattr(actor, "pk", None) else None,
            field=field,
            old=old_text,
            new=new_text,
            created_at=when,
        )
        for field, old, new in changes
        if (old_text := _text(old)) != (new_text := _text(new))
    ]
    return AuditEvent.objects.bulk_create(rows) if rows else []


def audit(ticket: Ticket, *, actor: Any, field: str, old: Any, new: Any) -> AuditEvent | None:
    """One audit row (actor, field, old, new); nothing when the value did not change."""
    old_text, new_text = _text(old), _text(new)
    if old_text == new_text:
        return None
    return AuditEvent.objects.create(
        ticket=ticket,
        actor=actor if getattr(actor, "pk", None) else None,
        field=field,
        old=old_text,
        new=new_text,
        created_at=clock.now(),
    )
