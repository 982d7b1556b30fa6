"""The ``email`` outbound channel: acknowledgements and agent replies as multipart text + HTML
through the outbox, threaded (Message-ID, In-Reply-To, References, Reply-To with the ticket's
token address). Automatic mail carries ``Auto-Submitted`` and is never sent in answer to an
automatic mail, to a robot address, or more than N times per sender per hour (loop protection).
Deliverers run inside the business transaction and only write rows."""

from __future__ import annotations

import datetime as dt
from email.utils import make_msgid

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from comptoir.core import clock
from comptoir.core.order_numbers import format_order_number
from comptoir.core.outbox import email_enqueue
from comptoir.tickets.enums import Channel, Direction, IdentityKind
from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.outbound import OutboundChannel, web_acknowledge, web_deliver_reply

from .addresses import (
    from_address,
    message_id_domain,
    never_answer,
    reply_address,
    support_addresses,
)
from .attachments import Selection, display_name, mail_enqueue, select_attachments
from .models import AutoReply, MailKind, OutboundKind, OutboundMail, RawMail

RECENT_ORDERS = 3
MAX_REFERENCES = 20


def mail_language(ticket: Ticket) -> str:
    """French or English; any other language gets English (PRODUCT.md J3)."""
    return ticket.language if ticket.language in ("fr", "en") else "en"


def _recipient(ticket: Ticket) -> str | None:
    """The address the customer last wrote from, else their verified, else any e-mail identity."""
    last = (
        RawMail.objects.filter(ticket_number=ticket.number, kind=MailKind.NORMAL)
        .exclude(sender="")
        .order_by("-received_at", "-pk")
        .values_list("sender", flat=True)
        .first()
    )
    if last and ticket.contact.identities.filter(kind=IdentityKind.EMAIL, value=last).exists():
        return str(last)
    identity = (
        ticket.contact.identities.filter(kind=IdentityKind.EMAIL)
        .order_by("verified_at", "pk")
        .first()
    )
    verified = ticket.contact.identities.filter(
        kind=IdentityKind.EMAIL, verified_at__isnull=False
    ).first()
    chosen = verified or identity
    return chosen.value if chosen is not None else None


def _thread_ids(ticket: Ticket) -> list[str]:
    """Every Message-ID of the conversation, oldest first (customer mails and ours)."""
    inbound = list(
        Message.objects.filter(ticket=ticket, channel=Channel.EMAIL, direction=Direction.INBOUND)
        .exclude(channel_message_id="")
        .order_by("created_at", "pk")
        .values_list("created_at", "channel_message_id")
    )
    ours = list(
        OutboundMail.objects.filter(ticket=ticket)
        .order_by("created_at", "pk")
        .values_list("created_at", "message_id")
    )
    ids = [mid for _at, mid in sorted(inbound + ours, key=lambda pair: pair[0]) if _is_real_id(mid)]
    return list(dict.fromkeys(ids))


def _is_real_id(mid: str) -> bool:
    """A Message-ID the customer's client knows (not the synthetic one of a mail without)."""
    return mid.startswith("<") and not mid.endswith("@raw.comptoir.invalid>")


def _last_inbound_id(ticket: Ticket) -> str | None:
    value = (
        Message.objects.filter(ticket=ticket, channel=Channel.EMAIL, direction=Direction.INBOUND)
        .exclude(channel_message_id="")
        .order_by("-created_at", "-pk")
        .values_list("channel_message_id", flat=True)
        .first()
    )
    return value if value and not value.endswith("@raw.comptoir.invalid>") else None


def _subject(ticket: Ticket) -> str:
    subject = ticket.subject
    if not subject.lower().startswith(("re:", "re :")):
        subject = f"Re: {subject}"
    return f"{subject} [{ticket.number}]"


def _send(
    ticket: Ticket,
    message: Message,
    *,
    kind: str,
    to: str,
    template: str,
    context: dict[str, object],
    automatic: bool,
    thread: list[str] | None = None,
    files: Selection | None = None,
) -> OutboundMail:
    language = mail_language(ticket)
    left_out = [display_name(u) for u in files.too_large] if files else []
    context = {**context, "left_out": left_out}
    with translation.override(language):
        full = {"ticket": ticket, "message": message, "site_name": settings.SITE_NAME, **context}
        body_text = render_to_string(f"intake_email/{template}.txt", full)
        body_html = render_to_string(f"intake_email/{template}.html", full)
        subject = _subject(ticket)
    message_id = make_msgid(domain=message_id_domain())
    if thread is None:
        thread = _thread_ids(ticket)
        parent = _last_inbound_id(ticket) or (thread[-1] if thread else None)
    else:
        thread = [mid for mid in thread if _is_real_id(mid)]
        parent = thread[-1] if thread else None
    headers = {"Message-ID": message_id, "Content-Language": language}
    if parent:
        headers["In-Reply-To"] = parent
    if thread:
        kept = (
            thread
            if len(thread) <= MAX_REFERENCES
            else [thread[0], *thread[-(MAX_REFERENCES - 1) :]]
        )
        headers["References"] = " ".join(kept)
    if automatic:
        headers["Auto-Submitted"] = "auto-replied"
        headers["X-Auto-Response-Suppress"] = "All"
    key = f"intake_email:{kind}:{message.pk}"
    if files and files.attached:
        outbox = mail_enqueue(
            payload={
                "to": [to],
                "subject": subject,
                "body_text": body_text,
                "body_html": body_html,
                "reply_to": [reply_address(ticket.reply_token)],
                "headers": headers,
                "from_email": from_address(),
            },
            attachments=files.attached,
            idempotency_key=key,
        )
    else:
        outbox = email_enqueue(
            to=[to],
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            reply_to=[reply_address(ticket.reply_token)],
            headers=headers,
            from_email=from_address(),
            idempotency_key=key,
        )
    sent_id = str(outbox.payload.get("headers", {}).get("Message-ID", message_id))
    fields = {
        "ticket": ticket,
        "ticket_message": message,
        "kind": kind,
        "to": to,
        "outbox": outbox,
        "created_at": clock.now(),
        "attachments_left_out": left_out,
    }
    if sent_id == message_id:  # a new outbox row: its mail cannot exist yet
        return OutboundMail.objects.create(message_id=sent_id, **fields)
    mail, _created = OutboundMail.objects.get_or_create(message_id=sent_id, defaults=fields)
    return mail


def may_auto_reply(address: str) -> bool:
    """Loop protection: robots and our own addresses never; others at most N per hour."""
    if never_answer(address):
        return False
    since = clock.now() - dt.timedelta(hours=1)
    sent = AutoReply.objects.filter(address=address, sent_at__gte=since).count()
    return sent < int(settings.INTAKE_EMAIL_AUTO_REPLIES_PER_HOUR)


def _recent_orders(ticket: Ticket) -> list[dict[str, str]]:
    if ticket.order_id is not None or ticket.contact.user_id is None:
        return []
    from comptoir.orders.models import Order

    orders = Order.objects.filter(buyer_id=ticket.contact.user_id).order_by("-created_at", "-pk")[
        :RECENT_ORDERS
    ]
    return [
        {
            "number": format_order_number(order.number),
            "date": formats.date_format(order.created_at, "SHORT_DATE_FORMAT"),
        }
        for order in orders
    ]


def _raw_of(message: Message) -> RawMail | None:
    """The raw mail the message came from: the one being processed (no query), else stored."""
    from .services import current_raw

    raw = current_raw.get()  # intake acknowledges the message it made from this very mail
    if raw is not None:
        return raw
    return RawMail.objects.filter(message_id=message.channel_message_id).first()


def email_acknowledge(ticket: Ticket, message: Message) -> None:
    """ "We received your request": number, expected answer time, recent orders to reply with.
    Not for automatic mail, robots, or past the hourly limit per sender."""
    raw = _raw_of(message)
    if raw is not None and raw.kind != MailKind.NORMAL:
        return
    to = (raw.sender if raw is not None and raw.sender else None) or _recipient(ticket)
    if not to:
        web_acknowledge(ticket, message)
        return
    if not may_auto_reply(to):
        return
    language = mail_language(ticket)
    with translation.override(language):
        due = (
            formats.date_format(timezone.localtime(ticket.first_response_due_at), "DATETIME_FORMAT")
            if ticket.first_response_due_at
            else ""
        )
        orders = _recent_orders(ticket)
    _send(
        ticket,
        message,
        kind=OutboundKind.ACK,
        to=to,
        template="ack",
        context={"due": due, "orders": orders},
        automatic=True,
        thread=[message.channel_message_id],  # a new ticket: the customer's mail is all of it
    )
    AutoReply.objects.create(address=to, sent_at=clock.now())


def email_deliver_reply(ticket: Ticket, message: Message) -> None:
    """An agent's public reply, as a normal (human) mail threaded into the conversation."""
    to = _recipient(ticket)
    if not to:
        web_deliver_reply(ticket, message)
        return
    uploads = [
        attachment.upload
        for attachment in message.attachments.select_related("upload").order_by("pk")
    ]
    _send(
        ticket,
        message,
        kind=OutboundKind.REPLY,
        to=to,
        template="reply",
        context={"author": getattr(message.author_user, "display_name", "")},
        automatic=False,
        files=select_attachments(uploads) if uploads else None,
    )


def contact_details() -> dict[str, str]:
    """What the Contact page shows under the channel (``OutboundChannel.contact_details``): the
    public address, the first support address (``INTAKE_EMAIL_ADDRESSES``), read when the page
    is drawn so that settings apply."""
    return {"address": support_addresses()[0]}


EMAIL_CHANNEL = OutboundChannel(
    code=Channel.EMAIL,
    label=_("E-mail"),
    deliver_reply=email_deliver_reply,
    acknowledge=email_acknowledge,
    listed=True,
    contact_details=contact_details,
)
