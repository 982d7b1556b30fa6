"""The API intake adapter: ``POST /api/v1/tickets`` turns the request into one InboundMessage.

The channel is ``api``; staff may record ``phone`` or ``post`` on behalf of a customer (by the
customer's e-mail). ``Idempotency-Key`` makes retries safe: the same key from the same caller
never creates two tickets."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Schema, Status
from pydantic import Field

from comptoir.accounts.models import User
from comptoir.core.errors import ValidationFailed
from comptoir.core.ids import new_token
from comptoir.tickets import selectors
from comptoir.tickets.api import ERRORS, TicketOut, router, ticket_out
from comptoir.tickets.enums import STAFF_RECORDED_CHANNELS, Channel
from comptoir.tickets.services import InboundMessage, intake_receive


class TicketIn(Schema):
    taxonomy: str | None = Field(None, description="a taxonomy node code; predicted when absent")
    order: str | None = Field(None, description="an order number of yours (dashes allowed)")
    subject: str = Field("", max_length=200)
    text: str = Field(..., min_length=1, max_length=20000)
    channel: str | None = Field(None, description="staff only: phone or post, recorded by hand")
    customer_email: str | None = Field(None, description="staff only: the customer's e-mail")


@router.post(
    "/tickets",
    response={201: TicketOut, 200: TicketOut, **ERRORS},
    summary="Open a ticket (or return the one this Idempotency-Key already opened)",
)
def tickets_create(request: HttpRequest, payload: TicketIn) -> Status:
    caller: Any = request.user
    channel: str = Channel.API
    sender: Any = caller
    recorded_by = None
    if payload.channel:
        if payload.channel not in STAFF_RECORDED_CHANNELS or not selectors.is_staff(caller):
            raise ValidationFailed(
                "This channel cannot be chosen.", {"fields": {"channel": ["forbidden"]}}
            )
        customer = User.objects.filter(email__iexact=(payload.customer_email or "").strip()).first()
        if customer is None:
            raise ValidationFailed("Unknown customer.", {"fields": {"customer_email": ["unknown"]}})
        channel, sender, recorded_by = payload.channel, customer, caller
    key = request.headers.get("Idempotency-Key", "")[:200] or new_token(18)
    result = intake_receive(
        inbound=InboundMessage(
            channel=channel,
            channel_message_id=f"{caller.pk}:{key}",
            text=payload.text,
            subject=payload.subject,
            sender_user=sender,
            node_code=payload.taxonomy or None,
            order_number=payload.order or None,
            recorded_by=recorded_by,
        )
    )
    if result.created and recorded_by is None and not selectors.is_staff(caller):
        # The customer's own new ticket, with its team, assignee, node and order loaded by
        # intake: visible to them by construction (ticket_scope: contact__user=caller).
        return Status(201, ticket_out(result.ticket))
    ticket = selectors.ticket_get(user=caller, number=result.ticket.number)
    return Status((200 if result.duplicate else 201), ticket_out(ticket))
