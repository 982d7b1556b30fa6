"""After-commit work of a new ticket, through the outbox: the acknowledgement to the customer
and the search indexing run in a worker (Celery in production, in-process after commit in the
embedded default), not in the request that opened the ticket.

Channels whose ``OutboundChannel.deferred_acknowledge`` is set (``web`` and ``api``) use it. The
row is written in the intake transaction, so neither is lost if the process dies after commit;
delivery is at-least-once, and both steps are idempotent (the search document is replaced, the
notification is keyed by ticket and message)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from comptoir.core.outbox import outbox_enqueue, register_outbox_handler

from .models import Message, Ticket
from .outbound import outbound_for
from .search import ticket_reindex

FOLLOWUP_KIND = "tickets.opened"


def ticket_opened_followup(*, ticket: Ticket, message: Message) -> None:
    """Inside the intake transaction: hand the acknowledgement and the indexing to the outbox."""
    # No idempotency key: a new ticket's first message is unique, which saves a lookup.
    outbox_enqueue(kind=FOLLOWUP_KIND, payload={"ticket_id": ticket.pk, "message_id": message.pk})


@register_outbox_handler(FOLLOWUP_KIND)
def ticket_opened_deliver(payload: dict[str, Any]) -> None:
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_related("contact__user", "order")
            .filter(pk=payload["ticket_id"])
            .first()
        )
        message = Message.objects.filter(pk=payload["message_id"]).first()
        if ticket is None or message is None:
            return  # deleted meanwhile: nothing left to acknowledge
        ticket_reindex(ticket)
        outbound_for(ticket.channel).acknowledge(ticket, message)
