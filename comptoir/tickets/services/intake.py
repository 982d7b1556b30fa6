"""THE intake: every channel (web form, API, e-mail, social, phone, post, chat handoff) turns
its input into one ``InboundMessage`` and calls ``intake_receive``.

It finds or creates the contact, threads into an existing ticket (reply token, then thread
hints: earlier channel message ids, then the ticket number — each only when the sender is the
ticket's contact) or opens one, detects the language, links order numbers that belong to the
sender, predicts the taxonomy node of free text when none was chosen, and routes (team by node;
agent by team, skill, language and load among online agents). The same (channel, channel
message id) twice never creates two tickets or two messages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from comptoir.accounts.models import ShopMembership, User
from comptoir.core import clock
from comptoir.core.errors import ValidationFailed
from comptoir.core.groups import ticket_group
from comptoir.core.language import detect_language
from comptoir.core.node_predictor import predict_node
from comptoir.core.order_numbers import find_order_numbers, normalise_order_number
from comptoir.core.realtime import push_to_group
from comptoir.core.uploads import Upload
from comptoir.orders.models import Order
from comptoir.taxonomy.models import Node
from comptoir.taxonomy.selectors import NodeSettings
from comptoir.tickets.desk_cache import DeskData, desk_data
from comptoir.tickets.enums import Channel, Direction, MessageKind, TicketStatus
from comptoir.tickets.followups import ticket_opened_followup
from comptoir.tickets.hooks import ticket_save
from comptoir.tickets.models import Contact, Message, Ticket
from comptoir.tickets.outbound import outbound_for
from comptoir.tickets.search import ticket_reindex
from comptoir.tickets.selectors import is_staff
from comptoir.tickets.transitions import Action, Actor

from . import sla
from .common import allocate_ticket_number, audit, audit_many, lock_ticket, new_reply_token
from .contacts import contact_for_identity, contact_for_user
from .routing import route_pick_agent
from .tickets import apply_transition, clean_text, message_create

PREDICTION_THRESHOLD = 0.5
MAX_THREAD_HOPS = 5


@dataclass(frozen=True)
class SenderIdentity:
    kind: str  # enums.IdentityKind: "email", "phone", "social"
    value: str  # the address, number or handle as the channel gives it
    display_name: str = ""


@dataclass(frozen=True)
class InboundMessage:
    """One message from a customer, whatever the channel."""

    channel: str  # enums.Channel
    channel_message_id: str  # the channel's id (Message-ID, idempotency key…): required
    text: str
    sender_user: User | None = None  # the signed-in account, when the channel knows it
    sender: SenderIdentity | None = None  # otherwise: the identity the channel saw
    subject: str = ""
    html: str | None = None  # sanitised before it is stored
    attachments: tuple[Upload, ...] = ()  # already validated by core.uploads.upload_create
    node_code: str | None = None  # chosen in a menu; predicted from the text otherwise
    order_number: str | None = None  # chosen in a form: must belong to the sender
    reply_token: str | None = None  # from a reply address or link
    in_reply_to: tuple[str, ...] = ()  # channel message ids this message answers
    thread_ticket_number: str | None = None  # "T-…" seen in a subject or a page
    language_hint: str | None = None
    received_at: dt.datetime | None = None
    recorded_by: User | None = None  # staff who recorded a call or a letter by hand
    dispute_ref: str = ""  # the dispute a platform message is about (disputes.escalation)
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class IntakeResult:
    ticket: Ticket
    message: Message
    created: bool  # a new ticket was opened
    duplicate: bool  # this channel message was already received: nothing was written


def _orders_of(user: User | None) -> Any:
    if user is None:
        return Order.objects.none()
    if is_staff(user):
        return Order.objects.filter(buyer=user)
    shops = ShopMembership.objects.filter(user=user).values("shop_id")
    return Order.objects.filter(Q(buyer=user) | Q(shop_id__in=shops))


def _sender_orders(inbound: InboundMessage, user: User | None, text: str) -> Order | None:
    """The order to link: the chosen one (must be the sender's), else the first number in the
    text that belongs to the sender. Numbers of other people's orders are never linked."""
    if inbound.order_number:
        digits = normalise_order_number(inbound.order_number)
        order = _orders_of(user).filter(number=digits).first() if digits else None
        if order is None:
            message = _("This order is not one of your orders.")
            raise ValidationFailed(message, {"fields": {"order": [message]}})
        return order
    numbers = find_order_numbers(f"{inbound.subject}\n{text}")
    if not numbers or user is None:
        return None
    found = {o.number: o for o in _orders_of(user).filter(number__in=numbers)}
    return next((found[n] for n in numbers if n in found), None)


def _node(
    inbound: InboundMessage, text: str, language: str, desk: DeskData
) -> tuple[Node, NodeSettings] | None:
    """The chosen node (must be live), else the predicted one when confident enough; with its
    effective settings, from the desk cache."""
    if inbound.node_code:
        chosen = desk.node(inbound.node_code)
        if chosen is None:
            message = _("Choose a topic from the list.")
            raise ValidationFailed(message, {"fields": {"taxonomy": [message]}})
        return chosen
    prediction = predict_node(
        f"{inbound.subject}\n{text}", language=language, allowed_codes=desk.predictable_codes
    )
    if prediction is None or prediction.confidence < PREDICTION_THRESHOLD:
        return None
    return desk.node(prediction.code)


def _follow_merges(ticket: Ticket) -> Ticket:
    for _hop in range(MAX_THREAD_HOPS):
        if ticket.merged_into_id is None:
            break
        ticket = Ticket.objects.get(pk=ticket.merged_into_id)
    return ticket


def _thread(inbound: InboundMessage, contact: Contact) -> tuple[Ticket | None, Ticket | None]:
    """(the ticket to append to, a ticket to link a new one to). A token or hint pointing at
    someone else's ticket never threads into it."""
    linked: Ticket | None = None
    candidate: Ticket | None = None
    if inbound.reply_token:
        by_token = Ticket.objects.filter(reply_token=inbound.reply_token).first()
        if by_token is not None:
            if by_token.contact_id == contact.pk:
                candidate = by_token
            else:
                linked = by_token
    if candidate is None and inbound.in_reply_to:
        earlier = (
            Message.objects.select_related("ticket")
            .filter(
                channel=inbound.channel,
                channel_message_id__in=list(inbound.in_reply_to)[:50],
                ticket__contact=contact,
            )
            .order_by("-created_at")
            .first()
        )
        candidate = earlier.ticket if earlier is not None else None
    if candidate is None and inbound.thread_ticket_number:
        candidate = Ticket.objects.filter(
            number=inbound.thread_ticket_number.strip().upper(), contact=contact
        ).first()
    if candidate is None:
        return None, linked
    candidate = _follow_merges(candidate)
    if candidate.status == TicketStatus.CLOSED:
        return None, candidate  # a reply to a closed ticket opens a linked follow-up
    return candidate, None


def _contact(inbound: InboundMessage) -> Contact:
    if inbound.sender_user is not None:
        return contact_for_user(user=inbound.sender_user)
    if inbound.sender is not None:
        return contact_for_identity(
            kind=inbound.sender.kind,
            value=inbound.sender.value,
            display_name=inbound.sender.display_name,
        )
    raise ValueError("intake: an inbound message needs a sender_user or a sender identity.")


def _existing(inbound: InboundMessage) -> Message | None:
    # The usual answer is "none": ask for the id only, load the row and its ticket when found.
    found = (
        Message.objects.filter(
            channel=inbound.channel, channel_message_id=inbound.channel_message_id
        )
        .values_list("pk", flat=True)
        .first()
    )
    if found is None:
        return None
    return Message.objects.select_related("ticket").get(pk=found)


def _duplicate(message: Message) -> IntakeResult:
    return IntakeResult(ticket=message.ticket, message=message, created=False, duplicate=True)


def _push(ticket: Ticket, event: dict[str, Any]) -> None:
    group = ticket_group(ticket.pk)
    transaction.on_commit(lambda: push_to_group(group, event))


def _append(
    ticket: Ticket, inbound: InboundMessage, contact: Contact, text: str, now: dt.datetime
) -> IntakeResult:
    locked = lock_ticket(ticket.pk)
    user = inbound.sender_user
    message = message_create(
        ticket=locked,
        kind=MessageKind.PUBLIC,
        direction=Direction.INBOUND,
        channel=inbound.channel,
        channel_message_id=inbound.channel_message_id,
        text=text,
        html=inbound.html,
        author_user=user,
        author_contact=contact,
        attachments=inbound.attachments,
        at=now,
    )
    changed = ["last_message_at", "last_customer_message_at"]
    locked.last_message_at = locked.last_customer_message_at = now
    if locked.status == TicketStatus.PENDING:
        changed += apply_transition(
            locked, action=Action.OPEN, actor=Actor.CUSTOMER, user=user, now=now
        )
    elif locked.status == TicketStatus.SOLVED:
        changed += apply_transition(
            locked, action=Action.REOPEN, actor=Actor.CUSTOMER, user=user, now=now
        )
    changed += sla.sla_customer_wrote(locked, now=now)
    if locked.order_id is None:
        order = _sender_orders(inbound, user, text)
        if order is not None:
            audit(locked, actor=user, field="order", old=None, new=order)
            locked.order = order
            changed.append("order")
    ticket_save(locked, fields=changed)
    ticket_reindex(locked)
    _push(locked, {"type": "ticket.message", "number": locked.number})
    return IntakeResult(ticket=locked, message=message, created=False, duplicate=False)


def _open(
    inbound: InboundMessage,
    contact: Contact,
    text: str,
    now: dt.datetime,
    linked: Ticket | None,
) -> IntakeResult:
    user = inbound.sender_user
    hint = inbound.language_hint or (user.language if user else "") or contact.language or None
    language = detect_language(f"{inbound.subject}\n{text}", hint=hint).code
    order = _sender_orders(inbound, user, text)
    desk = desk_data()
    found = _node(inbound, text, language, desk)
    node, settings = found if found is not None else (None, None)
    team = settings.team if settings is not None else None
    subject = (inbound.subject or text.split("\n", 1)[0]).strip()[:200] or _("Request")
    ticket = Ticket(
        number=allocate_ticket_number(),
        contact=contact,
        channel=inbound.channel,
        language=language,
        subject=subject,
        node=node,
        restricted=bool(settings and settings.restricted),
        team=team,
        order=order,
        reply_token=new_reply_token(),
        follow_up_of=linked,
        dispute_ref=inbound.dispute_ref[:40],
        last_message_at=now,
        last_customer_message_at=now,
        created_at=now,
    )
    sla.sla_start(ticket, now=now, desk=desk)
    ticket.assignee = route_pick_agent(
        team=team,
        skill_id=settings.skill.pk if settings and settings.skill else None,
        language=language,
    )
    ticket_save(ticket)
    audit_many(
        ticket,
        actor=inbound.recorded_by,
        changes=[
            ("status", None, ticket.status),
            ("team", None, team),
            ("assignee", None, ticket.assignee),
        ],
    )
    message = message_create(
        ticket=ticket,
        kind=MessageKind.PUBLIC,
        direction=Direction.INBOUND,
        channel=inbound.channel,
        channel_message_id=inbound.channel_message_id,
        text=text,
        html=inbound.html,
        author_user=user,
        author_contact=contact,
        attachments=inbound.attachments,
        at=now,
    )
    outbound = outbound_for(ticket.channel)
    if outbound.deferred_acknowledge:
        ticket_opened_followup(ticket=ticket, message=message)
    else:
        ticket_reindex(ticket, texts=[text])
        outbound.acknowledge(ticket, message)
    return IntakeResult(ticket=ticket, message=message, created=True, duplicate=False)


def _receive(inbound: InboundMessage) -> IntakeResult:
    text = clean_text(inbound.text)
    contact = _contact(inbound)
    now = inbound.received_at or clock.now()
    target, linked = _thread(inbound, contact)
    if target is not None:
        return _append(target, inbound, contact, text, now)
    return _open(inbound, contact, text, now, linked)


def intake_receive(*, inbound: InboundMessage) -> IntakeResult:
    """Receive one customer message on any channel: thread it or open a ticket, and route.

    Atomic: its own transaction, or a savepoint inside the caller's. The same channel message
    id twice is caught by the unique constraint on messages, not by a read before each write
    (the usual answer is "not seen yet"): the second delivery's work is rolled back and the
    first one's ticket and message are returned; a second delivery that no longer validates
    (a topic retired meanwhile…) is answered the same way."""
    if inbound.channel not in Channel.values:
        raise ValueError(f"intake: unknown channel {inbound.channel!r}.")
    if not inbound.channel_message_id:
        raise ValueError("intake: the channel message id is required (idempotency).")
    try:
        with transaction.atomic():
            return _receive(inbound)
    except (IntegrityError, ValidationFailed):
        # The same channel message, received earlier or concurrently by another worker.
        existing = _existing(inbound)
        if existing is None:
            raise
        return _duplicate(existing)
