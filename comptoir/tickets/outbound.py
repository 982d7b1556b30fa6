"""The outbound channel registry: how a reply (or an acknowledgement) reaches the customer on
each channel. ``web`` and ``api`` = in-app notification + e-mail through the outbox; the e-mail,
social, phone and post issues register their own channels here (``replace=True`` to take over
one of these). Deliverers run inside the business transaction and must only write rows
(notifications, outbox messages): delivery happens after commit."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from comptoir.core.notifications import notify
from comptoir.core.outbox import email_enqueue
from comptoir.core.registry import Registry

from .enums import Channel, IdentityKind

if TYPE_CHECKING:
    from .models import Message, Ticket

Deliver = Callable[["Ticket", "Message"], None]


@dataclass(frozen=True)
class OutboundChannel:
    code: str
    label: object  # lazily translated
    deliver_reply: Deliver  # a public reply from support
    acknowledge: Deliver  # "we received your request" for a new ticket
    # Shown on the Contact page as a way to reach support (issue 6 reads this).
    listed: bool = True
    # True: a new ticket's acknowledgement (and its search indexing) runs after commit from the
    # outbox (tickets.followups), not inside the intake request.
    deferred_acknowledge: bool = False
    # What the Contact page shows under the channel (issue 6), read when the page is drawn:
    # e.g. {"address": "support@…"} for e-mail, {"number", "hours"} for phone, {"addresses"}
    # for post, {"accounts"} for social; {"fr": …, "en": …} values are shown in the page's
    # language. None: the page shows the label and the response time only.
    contact_details: Callable[[], Mapping[str, Any]] | None = None


outbound_channels: Registry[OutboundChannel] = Registry("outbound channels")


def outbound_for(channel: str) -> OutboundChannel:
    """The channel's deliverer, falling back to ``web`` (the customer's account) when the
    channel has none yet (e.g. ``phone`` before the phone issue lands)."""
    return outbound_channels.get(channel if channel in outbound_channels else Channel.WEB)


def _ticket_url(ticket: Ticket) -> str:
    return reverse("tickets:detail", args=[ticket.number])


def _email_of(ticket: Ticket) -> str | None:
    identity = ticket.contact.identities.filter(
        kind=IdentityKind.EMAIL, verified_at__isnull=False
    ).first()
    return identity.value if identity is not None else None


def _tell(ticket: Ticket, message: Message, *, event: str, title: object, body: object) -> None:
    user = ticket.contact.user
    if user is not None:
        notify(
            user=user,
            kind="tickets",
            event_key=f"ticket:{ticket.pk}:{event}:{message.pk}",
            title=lambda: str(title) % {"number": ticket.number},
            body=lambda: str(body) % {"number": ticket.number, "subject": ticket.subject},
            url=_ticket_url(ticket),
        )
        return
    address = _email_of(ticket)
    if address:
        email_enqueue(
            to=[address],
            subject=str(title) % {"number": ticket.number},
            body_text=str(body) % {"number": ticket.number, "subject": ticket.subject},
            idempotency_key=f"ticket:{ticket.pk}:{event}:{message.pk}",
        )


def web_acknowledge(ticket: Ticket, message: Message) -> None:
    _tell(
        ticket,
        message,
        event="ack",
        title=_("We received your request %(number)s"),
        body=_(
            "Your request “%(subject)s” has the number %(number)s. An agent will answer you "
            "here; you will get an e-mail when they do."
        ),
    )


def web_deliver_reply(ticket: Ticket, message: Message) -> None:
    _tell(
        ticket,
        message,
        event="reply",
        title=_("New answer to your request %(number)s"),
        body=_("Customer service answered your request “%(subject)s”. Read it and reply online."),
    )


for _code, _label in ((Channel.WEB, _("Contact form")), (Channel.API, _("API"))):
    outbound_channels.register(
        _code,
        OutboundChannel(
            code=_code,
            label=_label,
            deliver_reply=web_deliver_reply,
            acknowledge=web_acknowledge,
            listed=_code == Channel.WEB,
            deferred_acknowledge=True,
        ),
    )
