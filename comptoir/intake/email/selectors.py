"""Reads of the e-mail channel: delivery problems of a ticket's mails (shown to agents beside
the ticket through the customer-timeline registry), mails staff must look at."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from comptoir.core.outbox import OutboxState
from comptoir.core.timeline import LIMIT, TimelineEntry
from comptoir.tickets.models import Ticket
from comptoir.tickets.selectors import is_staff

from .models import OutboundMail, RawMail, RawStatus


def failed_deliveries(*, ticket: Ticket) -> QuerySet[OutboundMail]:
    """Mails of the ticket that did not reach the customer: bounced, given up (dead) or still
    being retried after a failure. One query."""
    return (
        OutboundMail.objects.filter(ticket=ticket)
        .filter(
            Q(bounced_at__isnull=False)
            | Q(outbox__state=OutboxState.DEAD)
            | Q(outbox__state=OutboxState.PENDING, outbox__attempts__gt=0)
        )
        .select_related("outbox")
        .order_by("-created_at", "-pk")
    )


def delivery_entries(*, user: Any, ticket: Ticket) -> list[TimelineEntry]:
    if not is_staff(user):
        return []
    entries = []
    for mail in failed_deliveries(ticket=ticket)[:LIMIT]:
        outbox = mail.outbox
        if mail.bounced_at is not None:
            title, tone, detail = _("E-mail bounced"), "danger", mail.bounce_reason
        elif outbox is not None and outbox.state == OutboxState.DEAD:
            title, tone, detail = _("E-mail not delivered"), "danger", outbox.last_error
        else:
            title, tone = _("E-mail delivery failing, retrying"), "warning"
            detail = outbox.last_error if outbox is not None else ""
        entries.append(
            TimelineEntry(
                kind="email",
                at=mail.bounced_at or mail.created_at,
                title=title,
                subtitle=mail.to,
                badges=[(_("E-mail"), tone)],
                lines=[line for line in (detail[:200],) if line],
            )
        )
    for mail in left_out_attachments(ticket=ticket)[:LIMIT]:
        entries.append(
            TimelineEntry(
                kind="email",
                at=mail.created_at,
                title=_("Files not sent by e-mail (too large)"),
                subtitle=mail.to,
                badges=[(_("E-mail"), "warning")],
                lines=[", ".join(str(name) for name in mail.attachments_left_out)[:200]],
            )
        )
    return entries


def left_out_attachments(*, ticket: Ticket) -> QuerySet[OutboundMail]:
    """Replies whose files did not all fit in the mail."""
    return (
        OutboundMail.objects.filter(ticket=ticket)
        .exclude(attachments_left_out=[])
        .order_by("-created_at", "-pk")
    )


def raw_mails_to_review() -> QuerySet[RawMail]:
    """Mails that could not be processed, newest first (staff look at them, fix, retry)."""
    return RawMail.objects.filter(status=RawStatus.FAILED).order_by("-received_at", "-pk")
