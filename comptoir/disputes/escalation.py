"""The arbitration ticket: every escalation (and every appeal) opens or updates a ticket through
THE intake (``tickets.services.intake_receive``), channel ``system``, contact = the buyer, node
``returns.decision`` (team "disputes", whose SLA policy gives an arbitration 2 business days),
linked to the dispute (``Ticket.dispute_ref``) and to its order.

The request is an outbox row written in the escalation's own transaction
(``escalation_request``, called from ``notify.event_recorded``): a crash after the commit never
loses it, and a failing intake (a retired node, a locked table) is retried with back-off
instead of blocking the escalation. Delivery is at-least-once; the channel message id
``dispute-event:<event id>`` makes intake idempotent (the same event never writes twice)."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.core.money import format_money
from comptoir.core.order_numbers import format_order_number
from comptoir.core.outbox import outbox_enqueue, register_outbox_handler

from .models import Dispute, DisputeEvent

OUTBOX_KIND = "disputes.escalation_ticket"
NODE = "returns.decision"
CHANNEL = "system"


def channel_message_id(event_id: int) -> str:
    return f"dispute-event:{event_id}"


def escalation_request(event: DisputeEvent) -> None:
    """Write the ticket request in the caller's transaction (delivered after commit)."""
    outbox_enqueue(
        kind=OUTBOX_KIND,
        payload={"event": event.pk},
        idempotency_key=f"{OUTBOX_KIND}:{event.pk}",
    )


def _text(event: DisputeEvent, d: Dispute) -> tuple[str, str]:
    """(subject, text) in the buyer's language: what the officer needs to start."""
    number = format_order_number(d.order.number)
    if event.action == "appeal":
        subject = _("Appeal of the dispute on order %(number)s") % {"number": number}
        why = _("An appeal was lodged by the %(side)s: %(message)s") % {
            "side": event.get_actor_kind_display(),
            "message": str((event.payload or {}).get("message", "")),
        }
    else:
        subject = _("Dispute to arbitrate on order %(number)s") % {"number": number}
        if event.action == "evidence-missed":
            why = _("No evidence came in time: the dispute is back in the officers' queue.")
        elif (event.payload or {}).get("why") == "no_agreement":
            why = _("No agreement was found in time: the dispute was escalated automatically.")
        else:
            why = _("The buyer asked the platform to decide.")
    lines = [
        why,
        _("Reason: %(reason)s · request: %(request)s · amount asked: %(amount)s")
        % {
            "reason": d.get_reason_display(),
            "request": d.get_request_display(),
            "amount": format_money(d.requested, d.buyer.language or "fr"),
        },
        _("Dispute %(id)s — decide it from the arbitration screen.") % {"id": d.public_id},
    ]
    return subject, "\n\n".join(lines)


@register_outbox_handler(OUTBOX_KIND)
def deliver_escalation_ticket(payload: dict[str, Any]) -> None:
    """Open (or thread into) the dispute's arbitration ticket. Runs after commit, may repeat."""
    from comptoir.tickets.models import Ticket
    from comptoir.tickets.services import InboundMessage, intake_receive

    event = (
        DisputeEvent.objects.select_related("dispute__order", "dispute__buyer")
        .filter(pk=int(payload["event"]))
        .first()
    )
    if event is None:  # the escalation was rolled back after all: nothing to do
        return
    dispute = event.dispute
    if dispute is None:  # a change-of-mind return's event: no arbitration
        return
    buyer = dispute.buyer
    existing = (
        Ticket.objects.filter(dispute_ref=dispute.public_id, contact__user=buyer)
        .order_by("-created_at", "-pk")
        .values_list("number", flat=True)
        .first()
    )
    with translation.override(buyer.language or "fr"):
        subject, text = _text(event, dispute)
    intake_receive(
        inbound=InboundMessage(
            channel=CHANNEL,
            channel_message_id=channel_message_id(event.pk),
            text=text,
            subject=subject,
            sender_user=buyer,
            node_code=NODE,
            order_number=dispute.order.number,
            thread_ticket_number=existing,
            language_hint=buyer.language or None,
            received_at=event.created_at,
            dispute_ref=dispute.public_id,
        )
    )


def _no_acknowledgement(ticket: Any, message: Any) -> None:
    """The buyer was already told of the escalation by the dispute's own notification."""


def register_system_channel() -> None:
    """Replies to a ``system`` ticket reach the customer like web replies (in-app + e-mail);
    no acknowledgement is sent for a ticket the platform opened itself."""
    from comptoir.tickets.outbound import OutboundChannel, outbound_channels, web_deliver_reply

    if CHANNEL in outbound_channels:
        return
    outbound_channels.register(
        CHANNEL,
        OutboundChannel(
            code=CHANNEL,
            label=gettext_lazy("Platform (automatic)"),
            deliver_reply=web_deliver_reply,
            acknowledge=_no_acknowledgement,
            listed=False,
        ),
    )
