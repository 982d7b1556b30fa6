"""Disputes in the console's customer timeline (``core.timeline``): the customer's disputes as
a buyer, with their state and the deadline of the current step. One query."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from comptoir.core.money import format_money
from comptoir.core.order_numbers import format_order_number
from comptoir.core.timeline import LIMIT, TimelineEntry

from .enums import ACTIVE_STATUSES, DisputeStatus
from .selectors import dispute_scope

TONES: dict[str, str] = {
    DisputeStatus.ESCALATED: "err",
    DisputeStatus.APPEALED: "err",
    DisputeStatus.CLOSED: "solved",
    DisputeStatus.CANCELLED: "closed",
}


def dispute_entries(*, user: Any, ticket: Any) -> list[TimelineEntry]:
    customer = ticket.contact.user_id
    if customer is None:
        return []
    rows = (
        dispute_scope(user)
        .filter(buyer_id=customer)
        .select_related("order", "shop")
        .order_by("-updated_at", "-pk")[:LIMIT]
    )
    language = (get_language() or "fr")[:2]
    entries = []
    for d in rows:
        badges = [(str(d.get_status_display()), TONES.get(d.status, "info"))]
        if ticket.dispute_ref and ticket.dispute_ref == d.public_id:
            badges.append((_("linked to this request"), "brand"))
        lines = [
            _("%(reason)s · %(request)s · %(amount)s")
            % {
                "reason": d.get_reason_display(),
                "request": d.get_request_display(),
                "amount": format_money(d.requested, language),
            }
        ]
        if d.due_at is not None and d.status in ACTIVE_STATUSES:
            lines.append(
                _("Next deadline: %(date)s")
                % {"date": date_format(localtime(d.due_at), "SHORT_DATETIME_FORMAT")}
            )
        if d.outcome:
            lines.append(
                _("Outcome: %(outcome)s") % {"outcome": d.get_outcome_display()}
                + (
                    f" · {format_money(d.outcome_amount, language)}"
                    if d.outcome_amount is not None
                    else ""
                )
            )
        entries.append(
            TimelineEntry(
                kind="dispute",
                at=d.updated_at,
                title=_("Dispute with %(shop)s") % {"shop": d.shop.name},
                subtitle=_("order %(number)s") % {"number": format_order_number(d.order.number)},
                url=reverse("disputes:detail", args=[d.public_id]),
                badges=badges,
                lines=lines,
            )
        )
    return entries
