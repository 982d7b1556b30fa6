"""Tickets API: list/search, read, conversation, replies, notes, assignment, status actions,
merge, tags, order link, CSAT. Everything within the visibility rule (404 otherwise). The
creation endpoint (POST /tickets) is the API intake adapter in intake/webform/api.py, added to
this router."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema, Status
from pydantic import Field

from comptoir.accounts.models import Team, User
from comptoir.core.errors import ValidationFailed
from comptoir.core.ids import new_token
from comptoir.core.pagination import page_schema

from . import selectors, services
from .enums import Channel, TicketStatus
from .models import Message, Ticket
from .transitions import Action

router = Router(tags=["tickets"])


class ErrorOut(Schema):
    code: str
    message: str
    details: dict[str, Any]


ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class PersonOut(Schema):
    public_id: str
    name: str


class SlaOut(Schema):
    state: str
    first_response_due_at: dt.datetime | None
    next_response_due_at: dt.datetime | None
    resolution_due_at: dt.datetime | None


class TicketOut(Schema):
    number: str
    subject: str
    status: str
    status_label: str
    channel: str
    language: str
    priority: int
    taxonomy: str | None
    team: str | None
    assignee: PersonOut | None
    order: str | None
    merged_into: str | None
    follow_up_of: str | None
    sla: SlaOut
    created_at: dt.datetime
    last_message_at: dt.datetime
    url: str


class AttachmentOut(Schema):
    name: str
    content_type: str
    size: int
    url: str


class MessageOut(Schema):
    kind: str
    direction: str
    channel: str
    author: str
    text: str
    created_at: dt.datetime
    attachments: list[AttachmentOut]


def ticket_out(ticket: Ticket) -> dict[str, Any]:
    assignee = ticket.assignee
    return {
        "number": ticket.number,
        "subject": ticket.subject,
        "status": ticket.status,
        "status_label": str(TicketStatus(ticket.status).label),
        "channel": ticket.channel,
        "language": ticket.language,
        "priority": ticket.priority,
        "taxonomy": ticket.node.code if ticket.node else None,
        "team": ticket.team.code if ticket.team else None,
        "assignee": {"public_id": assignee.public_id, "name": assignee.display_name}
        if assignee
        else None,
        "order": ticket.order.number if ticket.order else None,
        "merged_into": ticket.merged_into.number if ticket.merged_into else None,
        "follow_up_of": ticket.follow_up_of.number if ticket.follow_up_of else None,
        "sla": {
            "state": ticket.sla_state,
            "first_response_due_at": ticket.first_response_due_at,
            "next_response_due_at": ticket.next_response_due_at,
            "resolution_due_at": ticket.resolution_due_at,
        },
        "created_at": ticket.created_at,
        "last_message_at": ticket.last_message_at,
        "url": reverse("tickets:detail", args=[ticket.number]),
    }


def message_out(message: Message) -> dict[str, Any]:
    author = message.author_user.display_name if message.author_user else ""
    return {
        "kind": message.kind,
        "direction": message.direction,
        "channel": message.channel,
        "author": author,
        "text": message.body_text,
        "created_at": message.created_at,
        "attachments": [
            {
                "name": a.upload.original_name,
                "content_type": a.upload.content_type,
                "size": a.upload.size,
                "url": a.upload.url,
            }
            for a in message.attachments.all()
        ],
    }


def _get(request: HttpRequest, number: str) -> Ticket:
    return selectors.ticket_get(user=request.user, number=number)


class ListQuery(Schema):
    q: str = ""
    status: str | None = None
    cursor: str | None = None
    limit: int = Field(25, ge=1, le=100)


@router.get("/tickets", response={200: page_schema(TicketOut), **ERRORS}, summary="Search tickets")
def tickets_list(request: HttpRequest, filters: Query[ListQuery]) -> dict[str, Any]:
    if filters.status and filters.status not in TicketStatus.values:
        raise ValidationFailed("Unknown status.", {"fields": {"status": ["unknown"]}})
    page = selectors.ticket_list(
        user=request.user,
        q=filters.q,
        status=filters.status,
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {"items": [ticket_out(t) for t in page.items], "next_cursor": page.next_cursor}


@router.get("/tickets/{number}", response={200: TicketOut, **ERRORS}, summary="One ticket")
def tickets_get(request: HttpRequest, number: str) -> dict[str, Any]:
    return ticket_out(_get(request, number))


@router.get("/tickets/{number}/messages", response={200: list[MessageOut], **ERRORS})
def tickets_messages(request: HttpRequest, number: str) -> list[dict[str, Any]]:
    ticket = _get(request, number)
    return [message_out(m) for m in selectors.ticket_messages(user=request.user, ticket=ticket)]


class ReplyIn(Schema):
    text: str = Field(..., max_length=20000)
    then: str | None = Field(None, description="staff: a status action taken with the reply")


@router.post("/tickets/{number}/replies", response={201: MessageOut, **ERRORS})
def tickets_reply(request: HttpRequest, number: str, payload: ReplyIn) -> Status:
    ticket = _get(request, number)
    if selectors.is_staff(request.user):
        message = services.ticket_reply(
            user=request.user, ticket=ticket, text=payload.text, then=payload.then
        )
    else:
        key = request.headers.get("Idempotency-Key", "")[:200] or new_token(18)
        result = services.intake_receive(
            inbound=services.InboundMessage(
                channel=Channel.API,
                channel_message_id=f"reply:{request.user.pk}:{key}",
                text=payload.text,
                sender_user=request.user,  # type: ignore[arg-type]
                thread_ticket_number=ticket.number,
            )
        )
        message = result.message
    return Status(201, message_out(message))


class NoteIn(Schema):
    text: str = Field(..., max_length=20000)


@router.post("/tickets/{number}/notes", response={201: MessageOut, **ERRORS})
def tickets_note(request: HttpRequest, number: str, payload: NoteIn) -> Status:
    ticket = _get(request, number)
    return Status(
        201, message_out(services.ticket_note(user=request.user, ticket=ticket, text=payload.text))
    )


class AssignIn(Schema):
    assignee: str | None = Field(
        None, description="the agent's public id or e-mail; null to unassign"
    )
    team: str | None = Field(None, description="a team code (supervisors)")


@router.post("/tickets/{number}/assign", response={200: TicketOut, **ERRORS})
def tickets_assign(request: HttpRequest, number: str, payload: AssignIn) -> dict[str, Any]:
    ticket = _get(request, number)
    assignee = None
    if payload.assignee:
        assignee = (
            User.objects.filter(public_id=payload.assignee).first()
            or User.objects.filter(email__iexact=payload.assignee).first()
        )
        if assignee is None:
            raise ValidationFailed("Unknown agent.", {"fields": {"assignee": ["unknown"]}})
    team = None
    if payload.team:
        team = Team.objects.filter(code=payload.team).first()
        if team is None:
            raise ValidationFailed("Unknown team.", {"fields": {"team": ["unknown"]}})
    updated = services.ticket_assign(user=request.user, ticket=ticket, assignee=assignee, team=team)
    return ticket_out(selectors.ticket_get(user=request.user, number=updated.number))


def _status_endpoint(action: Action) -> None:
    def handler(request: HttpRequest, number: str) -> dict[str, Any]:
        ticket = _get(request, number)
        services.ticket_change_status(user=request.user, ticket=ticket, action=action)
        return ticket_out(selectors.ticket_get(user=request.user, number=ticket.number))

    handler.__name__ = f"tickets_{action.value}"
    router.post(
        f"/tickets/{{number}}/{action.value}",
        response={200: TicketOut, **ERRORS},
        summary=f"Status action: {action.value}",
        operation_id=f"tickets_{action.value}",
    )(handler)


for _action in Action:
    _status_endpoint(_action)


class MergeIn(Schema):
    into: str


@router.post("/tickets/{number}/merge", response={200: TicketOut, **ERRORS})
def tickets_merge(request: HttpRequest, number: str, payload: MergeIn) -> dict[str, Any]:
    source = _get(request, number)
    target = _get(request, payload.into)
    merged = services.ticket_merge(user=request.user, source=source, target=target)
    return ticket_out(selectors.ticket_get(user=request.user, number=merged.number))


class TagsIn(Schema):
    add: list[str] = []
    remove: list[str] = []


@router.post("/tickets/{number}/tags", response={200: dict[str, list[str]], **ERRORS})
def tickets_tags(request: HttpRequest, number: str, payload: TagsIn) -> dict[str, list[str]]:
    ticket = _get(request, number)
    tags = services.ticket_tag(
        user=request.user, ticket=ticket, add=payload.add, remove=payload.remove
    )
    return {"tags": tags}


class LinkOrderIn(Schema):
    order: str | None


@router.post("/tickets/{number}/link-order", response={200: TicketOut, **ERRORS})
def tickets_link_order(request: HttpRequest, number: str, payload: LinkOrderIn) -> dict[str, Any]:
    ticket = _get(request, number)
    services.ticket_link_order(user=request.user, ticket=ticket, order_number=payload.order)
    return ticket_out(selectors.ticket_get(user=request.user, number=ticket.number))


class CsatIn(Schema):
    score: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=2000)


class CsatOut(Schema):
    score: int
    comment: str


@router.post("/tickets/{number}/csat", response={201: CsatOut, **ERRORS})
def tickets_csat(request: HttpRequest, number: str, payload: CsatIn) -> Status:
    ticket = _get(request, number)
    csat = services.csat_submit(
        user=request.user, ticket=ticket, score=payload.score, comment=payload.comment
    )
    return Status(201, {"score": csat.score, "comment": csat.comment})
