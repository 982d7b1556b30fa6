"""Reads of the support desk, scoped by the ONE visibility rule (``ticket_scope``): customers see
their own tickets; staff see every ticket except those of restricted nodes, which only the owning
team and supervisors see. Pages, the API and search all go through it; "not visible" is
NotFound, like "does not exist"."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from comptoir.accounts.enums import Role
from comptoir.core.errors import NotFound
from comptoir.core.pagination import Page, paginate
from comptoir.core.search import search_filter
from comptoir.core.uploads import Upload

from . import desk_cache
from .enums import MessageKind
from .models import AuditEvent, Message, MessageAttachment, Ticket
from .search import DOC_TYPE

SUPERVISOR_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})
LIST_ORDER = ("-last_message_at", "-pk")


def is_supervisor(user: Any) -> bool:
    return getattr(user, "role", None) in SUPERVISOR_ROLES


def is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_staff_member", False))


def ticket_scope(user: Any) -> QuerySet[Ticket]:
    """Every ticket ``user`` may see."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Ticket.objects.none()
    if is_supervisor(user):
        return Ticket.objects.all()
    if is_staff(user):
        return Ticket.objects.filter(Q(restricted=False) | Q(team__in=user.teams.values("pk")))
    return Ticket.objects.filter(contact__user=user)


def ticket_get(*, user: Any, number: str) -> Ticket:
    ticket = (
        ticket_scope(user)
        .select_related("contact__user", "team", "assignee", "node", "order", "merged_into")
        .filter(number=(number or "").strip().upper())
        .first()
    )
    if ticket is None:
        raise NotFound()
    return ticket


def ticket_list(
    *,
    user: Any,
    q: str = "",
    status: str | None = None,
    cursor: str | None = None,
    limit: int = 25,
) -> Page[Ticket]:
    """Visible tickets, most recent activity first, optionally full-text searched."""
    tickets = ticket_scope(user).select_related("team", "assignee", "node", "order")
    if status:
        tickets = tickets.filter(status=status)
    query = (q or "").strip()
    if query:
        number = query.upper()
        if number.startswith("T-") and number[2:].isdigit():
            tickets = tickets.filter(number=number)
        else:
            tickets = search_filter(tickets, doc_type=DOC_TYPE, query=query)
    return paginate(tickets, order=LIST_ORDER, cursor=cursor, limit=limit)


def ticket_messages(*, user: Any, ticket: Ticket) -> list[Message]:
    """The conversation: customers see public messages only, staff see notes too."""
    messages = (
        Message.objects.filter(ticket=ticket)
        .select_related("author_user")
        .prefetch_related(
            Prefetch("attachments", queryset=MessageAttachment.objects.select_related("upload"))
        )
        .order_by("created_at", "id")
    )
    if not is_staff(user):
        messages = messages.filter(kind=MessageKind.PUBLIC)
    return list(messages)


def ticket_audit(*, ticket: Ticket) -> list[AuditEvent]:
    return list(ticket.audit_events.select_related("actor").order_by("created_at", "id"))


def attachment_visible_to(user: Any, upload: Upload) -> bool:
    """upload_access rule: an attachment of a public message on a ticket the user may see."""
    attachments = MessageAttachment.objects.filter(
        upload=upload, message__ticket__in=ticket_scope(user)
    )
    if not is_staff(user):
        attachments = attachments.filter(message__kind=MessageKind.PUBLIC)
    return attachments.exists()


# --- taxonomy codes for the predictor, from the desk cache (tickets.desk_cache) ----------------


def forget_node_codes() -> None:
    desk_cache.forget()


def predictable_node_codes() -> list[str]:
    """The live second-level codes (what the node predictor may answer)."""
    return desk_cache.desk_data().predictable_codes
