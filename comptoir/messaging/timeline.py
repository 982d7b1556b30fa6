"""Seller conversations in the console's customer timeline.

No customer-timeline registry exists yet in the support desk; when the console builds one it
registers ``customer_timeline_entries`` (messaging sits above tickets, so the console cannot
import this module: the registry must live in tickets and be filled from
``MessagingConfig.ready``). Until then the console (or anything above messaging) calls it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.urls import reverse

from comptoir.core.order_numbers import format_order_number

from .models import Conversation


@dataclass(frozen=True)
class TimelineEntry:
    kind: str  # "conversation"
    at: dt.datetime
    title: str
    summary: str
    url: str
    ref: str  # the conversation's public id


def customer_timeline_entries(
    *, customer: Any, before: dt.datetime | None = None, limit: int = 50
) -> list[TimelineEntry]:
    """The customer's conversations with shops (as a buyer), most recent activity first. For
    staff: the conversation page is readable by staff."""
    rows = Conversation.objects.filter(buyer=customer)
    if before is not None:
        rows = rows.filter(last_message_at__lt=before)
    entries = []
    for c in rows.select_related("shop", "product", "order").order_by("-last_message_at", "-pk")[
        :limit
    ]:
        if c.order is not None:
            about = f"order {format_order_number(c.order.number)}"
        else:
            about = f"product {c.product.title_en if c.product is not None else ''}"
        entries.append(
            TimelineEntry(
                kind="conversation",
                at=c.last_message_at,
                title=f"Conversation with {c.shop.name} about {about}",
                summary=c.last_message_preview,
                url=reverse("messaging:conversation", args=[c.public_id]),
                ref=c.public_id,
            )
        )
    return entries
