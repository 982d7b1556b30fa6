"""Console writes on tickets: the collision-checked reply, bulk actions. Each ticket write is
a call to ``comptoir.tickets.services`` (which locks, audits and keeps the SLA)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.accounts.models import User
from comptoir.core.errors import ApplicationError, Conflict, NotFound, ValidationFailed
from comptoir.core.uploads import Upload
from comptoir.tickets import services as desk
from comptoir.tickets.enums import MessageKind, Presence
from comptoir.tickets.models import AgentPresence, Message, Ticket
from comptoir.tickets.selectors import is_staff, ticket_scope
from comptoir.tickets.transitions import Action

MAX_BULK = 100


def _replies_since(ticket_id: int, last_seen_message_id: int) -> list[Message]:
    return list(
        Message.objects.filter(
            ticket_id=ticket_id, kind=MessageKind.PUBLIC, pk__gt=last_seen_message_id
        )
        .select_related("author_user", "author_contact")
        .order_by("pk")
    )


@transaction.atomic
def console_reply(
    *,
    user: Any,
    ticket: Ticket,
    text: str,
    last_seen_message_id: int,
    force: bool = False,
    then: str | None = None,
    attachments: Sequence[Upload] = (),
) -> Message:
    """A public reply, refused with ``reply_collision`` when a public message arrived after
    the one the agent last saw (someone else replied, or the customer wrote), unless the agent
    confirmed (``force``). The check runs under the ticket's row lock."""
    Ticket.objects.select_for_update().filter(pk=ticket.pk).first()
    if not force:
        newer = _replies_since(ticket.pk, last_seen_message_id)
        if newer:
            raise Conflict(
                "reply_collision",
                _("Someone replied on this request while you were writing."),
                {
                    "messages": [m.pk for m in newer],
                    "authors": sorted(
                        {str(m.author_user or m.author_contact or "") for m in newer}
                    ),
                    "last_message_id": newer[-1].pk,
                },
            )
    return desk.ticket_reply(
        user=user, ticket=ticket, text=text, then=then or None, attachments=attachments
    )


@dataclass
class BulkResult:
    action: str
    done: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (number, reason)


BULK_ACTIONS = ("assign", "tag", "untag", "status")


def console_bulk(*, user: Any, numbers: Sequence[str], action: str, value: str) -> BulkResult:
    """Apply one action to several tickets; each ticket in its own savepoint, so one refusal
    (an illegal transition, a ticket not visible) does not undo the others. The caller's view
    owns the outer transaction."""
    if action not in BULK_ACTIONS:
        raise ValidationFailed(_("Unknown action."), {"action": action})
    wanted = list(dict.fromkeys(n.strip().upper() for n in numbers if n.strip()))
    if not wanted:
        raise ValidationFailed(_("Select at least one request."), {})
    if len(wanted) > MAX_BULK:
        raise ValidationFailed(
            _("At most %(max)s requests at once.") % {"max": MAX_BULK}, {"count": len(wanted)}
        )
    assignee: User | None = None
    if action == "assign" and value not in ("", "none"):
        assignee = User.objects.filter(public_id=value, is_active=True).first()
        if assignee is None:
            raise ValidationFailed(_("This person is not an agent."), {"assignee": value})
    if action == "status" and value not in {a.value for a in Action}:
        raise ValidationFailed(_("Unknown status action."), {"status": value})
    if action in ("tag", "untag") and not value.strip():
        raise ValidationFailed(_("Give a tag."), {})
    visible = {t.number: t for t in ticket_scope(user).filter(number__in=wanted).order_by("pk")}
    result = BulkResult(action=action)
    for number in wanted:
        ticket = visible.get(number)
        if ticket is None:
            result.failed.append((number, _("Not found.")))
            continue
        try:
            with transaction.atomic():
                if action == "assign":
                    desk.ticket_assign(user=user, ticket=ticket, assignee=assignee)
                elif action == "tag":
                    desk.ticket_tag(user=user, ticket=ticket, add=[value])
                elif action == "untag":
                    desk.ticket_tag(user=user, ticket=ticket, remove=[value])
                else:
                    desk.ticket_change_status(user=user, ticket=ticket, action=value)
        except ApplicationError as exc:
            result.failed.append((number, str(exc.message)))
        else:
            result.done.append(number)
    return result


@transaction.atomic
def console_presence(*, user: Any, status: str) -> AgentPresence:
    """An agent sets their presence (online / away / offline) from the console."""
    if not is_staff(user):
        raise NotFound()
    if status not in Presence.values:
        raise ValidationFailed(_("Unknown presence."), {"status": status})
    return desk.presence_set(user=user, status=status)
