"""Writes on tickets: status actions, replies and notes, assignment, merge, tags, order link,
CSAT. Each is atomic and takes the ticket's row lock (several tickets: in pk order)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import nh3
from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.accounts.models import Team, User
from comptoir.core import clock
from comptoir.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from comptoir.core.uploads import Upload
from comptoir.orders.models import Order
from comptoir.tickets.enums import Channel, Direction, MessageKind, Priority, TicketStatus
from comptoir.tickets.hooks import ticket_save
from comptoir.tickets.models import Contact, Csat, Message, MessageAttachment, Tag, Ticket
from comptoir.tickets.outbound import outbound_for
from comptoir.tickets.search import ticket_reindex
from comptoir.tickets.selectors import is_staff, is_supervisor
from comptoir.tickets.transitions import Action, Actor, transition_for

from . import sla
from .common import audit, lock_ticket, lock_tickets

MAX_TEXT = 20_000
MAX_ATTACHMENTS = 10


def clean_text(text: str) -> str:
    value = (text or "").replace("\r\n", "\n").replace("\x00", "").strip()
    if not value:
        raise ValidationFailed(_("Write a message."), {"fields": {"text": [_("Write a message.")]}})
    if len(value) > MAX_TEXT:
        message = _("The message is too long (at most %(max)s characters).") % {"max": MAX_TEXT}
        raise ValidationFailed(message, {"fields": {"text": [message]}})
    return value


def clean_html(html: str | None) -> str:
    """User HTML (e-mail bodies) through an allow-list before it is stored."""
    return nh3.clean(html) if html else ""


def message_create(
    *,
    ticket: Ticket,
    kind: str,
    direction: str,
    channel: str,
    text: str,
    html: str | None = None,
    author_user: Any = None,
    author_contact: Contact | None = None,
    channel_message_id: str = "",
    attachments: Sequence[Upload] = (),
    at: dt.datetime | None = None,
) -> Message:
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValidationFailed(
            _("At most %(max)s files.") % {"max": MAX_ATTACHMENTS},
            {"fields": {"attachments": [_("Too many files.")]}},
        )
    message = Message.objects.create(
        ticket=ticket,
        kind=kind,
        direction=direction,
        channel=channel,
        channel_message_id=channel_message_id[:255],
        author_user=author_user if getattr(author_user, "pk", None) else None,
        author_contact=author_contact,
        body_text=text,
        body_html=clean_html(html),
        created_at=at or clock.now(),
    )
    if attachments:
        MessageAttachment.objects.bulk_create(
            [MessageAttachment(message=message, upload=upload) for upload in attachments]
        )
    return message


def _require_staff(user: Any) -> None:
    if not is_staff(user):
        raise PermissionDenied()


def apply_transition(
    ticket: Ticket, *, action: Action, actor: Actor, user: Any, now: dt.datetime
) -> list[str]:
    """Move the (locked) ticket along the transition table; SLA pauses/resumes/stops follow.
    Returns the changed field names. Illegal moves raise Conflict ``illegal_transition``."""
    transition = transition_for(ticket.status, action, actor)
    if transition is None:
        raise Conflict(
            "illegal_transition",
            _("This request cannot go from “%(status)s” with this action.")
            % {"status": TicketStatus(ticket.status).label},
            {"status": ticket.status, "action": str(action)},
        )
    old = ticket.status
    ticket.status = transition.target
    changed = ["status"]
    if old == TicketStatus.PENDING:
        changed += sla.sla_resume(ticket, now=now)
    if transition.target == TicketStatus.PENDING:
        changed += sla.sla_pause(ticket, now=now)
    elif transition.target == TicketStatus.SOLVED:
        ticket.solved_at = now
        changed += ["solved_at", *sla.sla_stop(ticket)]
    elif transition.target == TicketStatus.CLOSED:
        ticket.closed_at = now
        changed.append("closed_at")
    elif transition.target == TicketStatus.OPEN and old == TicketStatus.SOLVED:
        ticket.solved_at = None
        changed += ["solved_at", *sla.sla_start(ticket, now=now)]
    audit(ticket, actor=user, field="status", old=old, new=ticket.status)
    return changed


def _save(ticket: Ticket, fields: Sequence[str]) -> None:
    ticket_save(ticket, fields=fields)


@transaction.atomic
def ticket_change_status(*, user: Any, ticket: Ticket, action: str) -> Ticket:
    """A status action by staff (open, pend, solve, reopen, close)."""
    _require_staff(user)
    try:
        chosen = Action(action)
    except ValueError as exc:
        raise NotFound() from exc
    locked = lock_ticket(ticket.pk)
    now = clock.now()
    _save(locked, apply_transition(locked, action=chosen, actor=Actor.STAFF, user=user, now=now))
    return locked


@transaction.atomic
def ticket_reply(
    *,
    user: Any,
    ticket: Ticket,
    text: str,
    attachments: Sequence[Upload] = (),
    then: str | None = None,
) -> Message:
    """A public reply from support, delivered on the ticket's channel (outbound registry).
    ``then``: an optional status action taken with it ("pend", "solve")."""
    _require_staff(user)
    body = clean_text(text)
    locked = lock_ticket(ticket.pk)
    if locked.merged_into_id is not None:
        raise Conflict("ticket_merged", _("This request was merged into another one."))
    now = clock.now()
    message = message_create(
        ticket=locked,
        kind=MessageKind.PUBLIC,
        direction=Direction.OUTBOUND,
        channel=locked.channel,
        text=body,
        author_user=user,
        attachments=attachments,
        at=now,
    )
    changed = ["last_message_at", *sla.sla_staff_replied(locked, now=now)]
    locked.last_message_at = now
    if locked.status == TicketStatus.NEW:
        changed += apply_transition(
            locked, action=Action.OPEN, actor=Actor.STAFF, user=user, now=now
        )
    if then:
        try:
            action = Action(then)
        except ValueError as exc:
            raise ValidationFailed(_("Unknown status action."), {"then": then}) from exc
        if locked.status == TicketStatus.PENDING and action == Action.PEND:
            pass
        else:
            changed += apply_transition(
                locked, action=action, actor=Actor.STAFF, user=user, now=now
            )
    _save(locked, changed)
    outbound_for(locked.channel).deliver_reply(locked, message)
    ticket_reindex(locked)
    return message


@transaction.atomic
def ticket_note(
    *, user: Any, ticket: Ticket, text: str, attachments: Sequence[Upload] = ()
) -> Message:
    """An internal note: staff only, never shown to the customer."""
    _require_staff(user)
    body = clean_text(text)
    locked = lock_ticket(ticket.pk)
    return message_create(
        ticket=locked,
        kind=MessageKind.NOTE,
        direction=Direction.OUTBOUND,
        channel=locked.channel,
        text=body,
        author_user=user,
        attachments=attachments,
    )


@transaction.atomic
def ticket_assign(
    *, user: Any, ticket: Ticket, assignee: User | None, team: Team | None = None
) -> Ticket:
    """Assign to an agent (and optionally move to a team). Agents assign within the ticket's
    team (themselves or a teammate); supervisors override anything."""
    _require_staff(user)
    locked = lock_ticket(ticket.pk)
    supervisor = is_supervisor(user)
    target_team = team if team is not None else locked.team
    if team is not None and team.pk != locked.team_id and not supervisor:
        raise PermissionDenied(_("Only supervisors move requests to another team."))
    if assignee is not None:
        if not assignee.is_staff_member or not assignee.is_active:
            raise ValidationFailed(_("This person is not an agent."), {"assignee": assignee.email})
        member = target_team is not None and target_team.members.filter(pk=assignee.pk).exists()
        if not member and not supervisor:
            raise PermissionDenied(_("This agent is not in the request's team."))
    now = clock.now()
    changed: list[str] = []
    if target_team is not None and target_team.pk != locked.team_id:
        audit(locked, actor=user, field="team", old=locked.team, new=target_team)
        locked.team = target_team
        changed += ["team", *sla.sla_start(locked, now=now)] if locked.is_active else ["team"]
    if (assignee.pk if assignee else None) != locked.assignee_id:
        audit(locked, actor=user, field="assignee", old=locked.assignee, new=assignee)
        locked.assignee = assignee
        changed.append("assignee")
    if changed:
        _save(locked, changed)
    return locked


@transaction.atomic
def ticket_set_priority(*, user: Any, ticket: Ticket, priority: int) -> Ticket:
    _require_staff(user)
    if priority not in Priority.values:
        raise ValidationFailed(_("Unknown priority."), {"priority": priority})
    locked = lock_ticket(ticket.pk)
    audit(locked, actor=user, field="priority", old=locked.priority, new=priority)
    locked.priority = priority
    _save(locked, ["priority"])
    return locked


@transaction.atomic
def ticket_tag(
    *, user: Any, ticket: Ticket, add: Sequence[str] = (), remove: Sequence[str] = ()
) -> list[str]:
    _require_staff(user)
    locked = lock_ticket(ticket.pk)
    before = sorted(locked.tags.values_list("code", flat=True))
    for code in add:
        tag, _created = Tag.objects.get_or_create(code=code.strip().lower()[:60])
        locked.tags.add(tag)
    if remove:
        locked.tags.remove(*Tag.objects.filter(code__in=[c.strip().lower() for c in remove]))
    after = sorted(locked.tags.values_list("code", flat=True))
    audit(locked, actor=user, field="tags", old=",".join(before), new=",".join(after))
    return after


@transaction.atomic
def ticket_link_order(*, user: Any, ticket: Ticket, order_number: str | None) -> Ticket:
    """Link an order of the ticket's customer (or unlink with None)."""
    _require_staff(user)
    locked = lock_ticket(ticket.pk)
    order = None
    if order_number:
        from comptoir.core.order_numbers import normalise_order_number

        digits = normalise_order_number(order_number)
        customer = locked.contact.user
        order = (
            Order.objects.filter(number=digits, buyer=customer).first()
            if digits and customer
            else None
        )
        if order is None:
            raise ValidationFailed(
                _("This order is not one of the customer's orders."), {"order": order_number}
            )
    audit(locked, actor=user, field="order", old=locked.order, new=order)
    locked.order = order
    _save(locked, ["order"])
    ticket_reindex(locked)
    return locked


@transaction.atomic
def ticket_merge(*, user: Any, source: Ticket, target: Ticket) -> Ticket:
    """Merge ``source`` into ``target`` (same customer): the source is solved and points at the
    target; later messages threaded to the source follow the target."""
    _require_staff(user)
    if source.pk == target.pk:
        raise ValidationFailed(_("A request cannot be merged into itself."), {})
    locked = {t.pk: t for t in lock_tickets([source.pk, target.pk])}
    src, dst = locked[source.pk], locked[target.pk]
    if src.contact_id != dst.contact_id:
        raise Conflict(
            "merge_other_customer", _("Only requests of the same customer can be merged.")
        )
    if src.merged_into_id is not None or dst.merged_into_id is not None:
        raise Conflict("ticket_merged", _("This request was already merged."))
    if dst.status == TicketStatus.CLOSED:
        raise Conflict("ticket_closed", _("A closed request cannot receive a merge."))
    now = clock.now()
    message_create(
        ticket=dst,
        kind=MessageKind.NOTE,
        direction=Direction.OUTBOUND,
        channel=dst.channel,
        text=_("Request %(source)s was merged into this one.") % {"source": src.number},
        author_user=user,
        at=now,
    )
    Message.objects.filter(ticket=src).update(ticket=dst)
    audit(src, actor=user, field="merged_into", old=None, new=dst)
    audit(dst, actor=user, field="merged_from", old=None, new=src)
    src.merged_into = dst
    changed = ["merged_into"]
    if src.status in (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING):
        changed += apply_transition(src, action=Action.SOLVE, actor=Actor.STAFF, user=user, now=now)
    _save(src, changed)
    dst.last_message_at = max(dst.last_message_at, src.last_message_at)
    _save(dst, ["last_message_at"])
    ticket_reindex(dst)
    return dst


@transaction.atomic
def csat_submit(*, user: Any, ticket: Ticket, score: int, comment: str = "") -> Csat:
    """The customer rates a solved or closed request (1–5 and a comment), once."""
    locked = lock_ticket(ticket.pk)
    if locked.contact.user_id != getattr(user, "pk", None):
        raise NotFound()
    if locked.status not in (TicketStatus.SOLVED, TicketStatus.CLOSED):
        raise Conflict("csat_not_solved", _("You can rate a request once it is solved."))
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationFailed(
            _("Choose a rating from 1 to 5."),
            {"fields": {"score": [_("Choose a rating from 1 to 5.")]}},
        )
    if Csat.objects.filter(ticket=locked).exists():
        raise Conflict("csat_exists", _("You already rated this request. Thank you!"))
    csat = Csat.objects.create(ticket=locked, score=score, comment=(comment or "").strip()[:2000])
    audit(locked, actor=user, field="csat", old=None, new=score)
    return csat


def web_channel_for(user: Any, requested: str | None) -> str:
    """The channel an adapter records: the adapter's own, or (staff only) phone/post."""
    from comptoir.tickets.enums import STAFF_RECORDED_CHANNELS

    if requested and requested in STAFF_RECORDED_CHANNELS and is_staff(user):
        return requested
    return Channel.WEB
