"""Macros: canned replies in FR and EN with ``{{ placeholder }}`` slots, rendered safely.

The syntax is deliberately tiny — ``{{ name }}`` with a name from PLACEHOLDERS, nothing else —
so a macro body can never run template code; values are plain text (the reply is stored as text
and escaped when shown). Unknown placeholders are left visible for the agent to fix."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.urls import reverse
from django.utils import formats, translation

from comptoir.core.order_numbers import format_order_number
from comptoir.tickets.models import Macro, Ticket

_SLOT = re.compile(r"\{\{\s*([a-z_]{1,40})\s*\}\}")


def _customer_name(ticket: Ticket) -> str:
    contact = ticket.contact
    return contact.display_name or (contact.user.display_name if contact.user else "")


def _order_number(ticket: Ticket) -> str:
    return format_order_number(ticket.order.number) if ticket.order else ""


def _tracking_link(ticket: Ticket) -> str:
    if ticket.order is None:
        return ""
    from comptoir.core.notifications.services import absolute_url

    return absolute_url(reverse("orders:detail", args=[ticket.order.number]))


def _protection_end(ticket: Ticket) -> str:
    if ticket.order is None:
        return ""
    from comptoir.orders.selectors import protection_dates

    hold = protection_dates(ticket.order).hold_ends_at
    return formats.date_format(hold, "DATE_FORMAT") if hold else ""


def _dispute_deadline(ticket: Ticket) -> str:
    # The disputes app (a later issue) fills this through the ticket's dispute reference.
    return ""


PLACEHOLDERS: dict[str, Callable[[Ticket], str]] = {
    "customer_name": _customer_name,
    "order_number": _order_number,
    "tracking_link": _tracking_link,
    "protection_end_date": _protection_end,
    "dispute_deadline": _dispute_deadline,
    "ticket_number": lambda ticket: ticket.number,
}


def render_placeholders(template: str, values: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        return values[name] if name in values else match.group(0)

    return _SLOT.sub(replace, template)


def macro_render(*, macro: Macro, ticket: Ticket, language: str | None = None) -> str:
    """The macro's text for ``ticket`` in the ticket's language (or ``language``)."""
    lang = language or ticket.language
    body = macro.body_fr if lang == "fr" else macro.body_en
    with translation.override("fr" if lang == "fr" else "en"):
        values: dict[str, Any] = {}
        for name in set(_SLOT.findall(body)):
            producer = PLACEHOLDERS.get(name)
            if producer is not None:
                values[name] = str(producer(ticket) or "")
    return render_placeholders(body, values)
