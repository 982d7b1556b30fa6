"""``ticket_changed_hooks``: called inside the writing service's transaction each time a ticket
row is inserted or updated through ``ticket_save``, with the ticket and its watched values before
the write (None for a new ticket). Later apps (the console's queue counters) register here in
their ``AppConfig.ready``; a hook that raises rolls the business write back."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from comptoir.core.registry import Registry
from comptoir.tickets.models import Ticket

TicketChangedHook = Callable[[Ticket, dict[str, Any] | None], None]
ticket_changed_hooks: Registry[TicketChangedHook] = Registry("tickets.ticket_changed")

# The columns hooks care about (queues are cut by these); other writes skip the extra read.
WATCHED = ("team_id", "assignee_id", "status", "sla_state", "restricted")
_WATCHED_FIELDS = frozenset({"team", "assignee", "status", "sla_state", "restricted"})


def ticket_save(ticket: Ticket, *, fields: Sequence[str] | None = None) -> None:
    """Save ``ticket`` (all columns, or ``fields``) and call the hooks. The caller holds the
    row lock for an update, so the "before" read is consistent."""
    hooks = [hook for _key, hook in ticket_changed_hooks.items()]
    watched = fields is None or bool(_WATCHED_FIELDS.intersection(fields))
    before: dict[str, Any] | None = None
    if hooks and watched and ticket.pk is not None and not ticket._state.adding:
        before = Ticket.objects.filter(pk=ticket.pk).values(*WATCHED).first()
    if fields is None:
        ticket.save()
    else:
        ticket.save(update_fields=sorted(set(fields)))
    if hooks and watched:
        for hook in hooks:
            hook(ticket, before)
