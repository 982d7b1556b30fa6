"""Seller conversations in the console's customer timeline (``core.timeline``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from comptoir.core.order_numbers import format_order_number
from comptoir.core.timeline import LIMIT, TimelineEntry

from .models import Conversation


def conversation_entries(*, user: Any, ticket: Any) -> list[TimelineEntry]:
    """The ticket customer's conversations with shops, most recent activity first. Staff may
    read every conversation, so nothing is hidden from an agent; one query."""
    customer = ticket.contact.user_id
    if customer is None:
        return []
    french = (get_language() or "fr").startswith("fr")
    rows = (
        Conversation.objects.filter(buyer_id=customer)
        .select_related("shop", "product", "order")
        .order_by("-last_message_at", "-pk")[:LIMIT]
    )
    entries = []
    for c in rows:
        if c.order is not None:
            about = _("order %(number)s") % {"number": format_order_number(c.order.number)}
        elif c.product is not None:
            about = c.product.title_fr if french else c.product.title_en
        else:
            about = ""
        entries.append(
            TimelineEntry(
                kind="conversation",
                at=c.last_message_at,
                title=_("Conversation with %(shop)s") % {"shop": c.shop.name},
                subtitle=about,
                url=reverse("messaging:conversation", args=[c.public_id]),
                lines=[c.last_message_preview] if c.last_message_preview else [],
            )
        )
    return entries
