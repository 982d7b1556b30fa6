"""The console's side of the customer timeline (registry in ``comptoir.core.timeline``).

``customer_timeline`` merges every provider's entries for the ticket view; this module also
provides the two entries the console knows itself: the customer's orders and earlier tickets.
Other apps (messaging, ledger, disputes) register theirs in core's registries."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

from django.urls import reverse
from django.utils import formats
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from comptoir.core.money import format_money
from comptoir.core.order_numbers import format_order_number
from comptoir.core.timeline import LIMIT, TimelineEntry, order_facts, timeline_providers
from comptoir.tickets.models import Ticket

logger = logging.getLogger(__name__)

__all__ = ["LIMIT", "TimelineEntry", "customer_timeline", "order_facts", "timeline_providers"]


def customer_timeline(*, user: Any, ticket: Ticket) -> list[TimelineEntry]:
    """Every provider's entries, most recent first. A failing provider is logged and skipped:
    the agent still gets the rest of the story."""
    entries: list[TimelineEntry] = []
    for key, provider in timeline_providers.items():
        try:
            entries.extend(provider(user=user, ticket=ticket)[:LIMIT])
        except Exception:
            logger.exception("timeline provider %s failed", key)
    return sorted(entries, key=lambda e: e.at, reverse=True)


def _date(value: Any) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else ""


def order_entries(*, user: Any, ticket: Ticket) -> list[TimelineEntry]:
    """The customer's orders: status, tracking of the parcel, protection dates."""
    from comptoir.orders.models import Order
    from comptoir.orders.selectors import last_event_label, protection_dates

    customer = ticket.contact.user_id
    if customer is None:
        return []
    orders = list(
        Order.objects.filter(buyer_id=customer)
        .select_related("shop")
        .prefetch_related("shipments", "lines")
        .order_by("-created_at", "-pk")[:LIMIT]
    )
    extra: dict[int, list[str]] = {}
    for key, facts in order_facts.items():
        try:
            for order_id, lines in facts(orders).items():
                extra.setdefault(order_id, []).extend(lines)
        except Exception:
            logger.exception("order facts %s failed", key)
    entries = []
    for order in orders:
        protection = protection_dates(order)
        badges = [(str(order.get_status_display()), "info")]
        if ticket.order_id == order.pk:
            badges.append((_("linked to this request"), "brand"))
        if protection.late:
            badges.append((_("late"), "err"))
        if protection.parcel_problem:
            badges.append((_("parcel problem"), "err"))
        lines = []
        french = (get_language() or "fr").startswith("fr")
        titles = ", ".join(
            line.title_fr if french else line.title_en for line in order.lines.all()[:3]
        )
        if titles:
            lines.append(titles)
        for shipment in order.shipments.all():
            label = last_event_label(shipment) or shipment.get_status_display()
            lines.append(
                _("Parcel %(carrier)s %(tracking)s: %(event)s")
                % {
                    "carrier": shipment.carrier,
                    "tracking": shipment.tracking_number,
                    "event": label,
                }
            )
        if protection.promised_delivery_date:
            lines.append(
                _("Promised delivery: %(date)s")
                % {"date": _date(protection.promised_delivery_date)}
            )
        if protection.hold_ends_at:
            lines.append(
                _("Protection until %(date)s (%(days)s days left)")
                % {"date": _date(protection.hold_ends_at), "days": protection.days_left}
            )
        elif protection.not_received_from:
            lines.append(
                _("“Not received” dispute possible from %(date)s")
                % {"date": _date(protection.not_received_from)}
            )
        lines.extend(extra.get(order.pk, []))
        total = format_money(order.total, "fr" if french else "en")
        entries.append(
            TimelineEntry(
                kind="order",
                at=order.created_at,
                title=_("Order %(number)s") % {"number": format_order_number(order.number)},
                subtitle=f"{order.shop.name} · {total}",
                url=reverse("orders:detail", args=[order.number]),
                badges=badges,
                lines=lines,
            )
        )
    return entries


def ticket_entries(*, user: Any, ticket: Ticket) -> list[TimelineEntry]:
    """Earlier tickets of the same customer on every channel, as far as ``user`` may see."""
    from comptoir.accounts.models import User
    from comptoir.tickets.enums import Channel, TicketStatus
    from comptoir.tickets.selectors import is_staff, is_supervisor, ticket_scope

    from .compiled import compiled_rows

    def build(ids: list[int]) -> Any:
        # The viewer as far as ticket_scope looks at it: role, and id for its teams.
        viewer = User(pk=ids[2], role=user.role)
        return (
            ticket_scope(viewer)
            .filter(contact_id=ids[0])
            .exclude(pk=ids[1])
            .order_by("-last_message_at", "-pk")
            .values_list("number", "subject", "channel", "status", "created_at")[:LIMIT]
        )

    others = compiled_rows(
        "console.timeline.tickets",
        build,
        [ticket.contact_id, ticket.pk, user.pk],
        shape=(is_supervisor(user), is_staff(user)),
    )
    if not others:
        return []
    channels = {value: str(label) for value, label in Channel.choices}
    statuses = {value: str(label) for value, label in TicketStatus.choices}
    head, tail = reverse("console:ticket", args=["T-0"]).rsplit("T-0", 1)
    return [
        TimelineEntry(
            kind="ticket",
            at=created_at,
            title=f"{number} · {subject}",
            subtitle=channels.get(channel, channel),
            url=f"{head}{quote(number)}{tail}",
            badges=[(statuses.get(status, status), status)],
        )
        for number, subject, channel, status, created_at in others
    ]


timeline_providers.register("orders", order_entries)
timeline_providers.register("tickets", ticket_entries)
