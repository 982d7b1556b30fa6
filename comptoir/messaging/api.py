"""Messaging API under /api/v1/messages/: conversations (list, start, read with messages),
send, mark read, delete, report, the Message Center and the unread count."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from comptoir.core.errors import NotFound, ValidationFailed
from comptoir.core.order_numbers import format_order_number
from comptoir.core.pagination import page_schema

from . import selectors, services
from .enums import AnswerFilter, Side
from .inbox import inbox_page, inbox_unread_count
from .models import Conversation, ConversationMessage
from .safety import MAX_TEXT

router = Router(tags=["messages"])


class ErrorOut(Schema):
    code: str
    message: str
    details: dict


ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut}


class AttachmentOut(Schema):
    id: str
    name: str
    kind: str
    url: str


class MessageOut(Schema):
    id: str
    side: str
    sender: str
    text: str
    deleted: bool
    flagged: bool
    created_at: dt.datetime
    read_by_other_side: bool
    attachments: list[AttachmentOut]


class ConversationOut(Schema):
    id: str
    shop: str
    buyer: str
    product: str | None
    order: str | None
    order_status: str | None
    last_message_at: dt.datetime
    last_message_preview: str
    unread: int
    to_answer: bool
    my_side: str


class ConversationDetailOut(ConversationOut):
    messages: page_schema(MessageOut)  # type: ignore[valid-type]


class StartIn(Schema):
    product: str | None = None
    order: str | None = None
    text: str = Field(max_length=MAX_TEXT)
    client_key: str = Field(default="", max_length=64)


class SendIn(Schema):
    text: str = Field(max_length=MAX_TEXT)
    client_key: str = Field(default="", max_length=64)


class ReportIn(Schema):
    reason: str = Field(max_length=2000)


class ReportOut(Schema):
    id: str
    ticket_number: str


class CountOut(Schema):
    count: int


class InboxItemOut(Schema):
    key: str
    source: str
    category: str
    at: dt.datetime
    title: str
    preview: str
    url: str
    unread: int


class ListFilters(Schema):
    side: str = Side.BUYER
    answer: str = AnswerFilter.ALL
    q: str = ""
    cursor: str | None = None
    limit: int = 20


class InboxFilters(Schema):
    filter: str | None = None
    q: str = ""
    cursor: str | None = None
    limit: int = 20


def _utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


def _conversation_out(conversation: Conversation, side: str) -> dict[str, object]:
    view_side = side if side in Side.values else Side.BUYER
    return {
        "id": conversation.public_id,
        "shop": conversation.shop.name,
        "buyer": conversation.buyer.display_name,
        "product": conversation.product.public_id if conversation.product is not None else None,
        "order": format_order_number(conversation.order.number)
        if conversation.order is not None
        else None,
        "order_status": conversation.order.status if conversation.order is not None else None,
        "last_message_at": _utc(conversation.last_message_at),
        "last_message_preview": conversation.last_message_preview,
        "unread": conversation.unread_for(view_side) if side in Side.values else 0,
        "to_answer": conversation.to_answer,
        "my_side": side,
    }


def _attachments_of(message: ConversationMessage) -> Any:
    # A message just sent carries its attachments (no re-read); a listed one, prefetched.
    sent = getattr(message, "sent_attachments", None)
    return sent if sent is not None else message.attachments.all()


def _message_out(message: ConversationMessage, other_read: int) -> dict[str, object]:
    deleted = message.deleted_at is not None
    return {
        "id": message.public_id,
        "side": message.sender_side,
        "sender": message.sender.display_name,
        "text": "" if deleted else message.text,
        "deleted": deleted,
        "flagged": message.flagged,
        "created_at": _utc(message.created_at),
        "read_by_other_side": message.pk <= other_read,
        "attachments": [
            {
                "id": a.upload.public_id,
                "name": a.upload.original_name,
                "kind": a.upload.kind,
                "url": a.upload.url,
            }
            for a in (_attachments_of(message) if not deleted else [])
        ],
    }


def _get(request: HttpRequest, public_id: str) -> tuple[Conversation, str]:
    return selectors.conversation_get(user=request.user, public_id=public_id)


@router.get(
    "/messages/conversations",
    response={200: page_schema(ConversationOut), **ERRORS},
    summary="List my conversations (side=buyer, or side=shop for my shops')",
)
def conversations_list(request: HttpRequest, filters: Query[ListFilters]) -> dict[str, object]:
    side = Side.SHOP if filters.side == Side.SHOP else Side.BUYER
    answer = filters.answer if filters.answer in AnswerFilter.values else AnswerFilter.ALL
    page = selectors.conversation_list(
        user=request.user,
        side=side,
        answer=answer,
        query=filters.q[:200],
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {
        "items": [_conversation_out(c, side) for c in page.items],
        "next_cursor": page.next_cursor,
    }


@router.post(
    "/messages/conversations",
    response={201: ConversationOut, **ERRORS},
    summary="Write to a shop about a product (before purchase) or an order (after)",
)
def conversations_start(request: HttpRequest, payload: StartIn) -> Status:
    if bool(payload.product) == bool(payload.order):
        message = "Give either a product or an order."
        raise ValidationFailed(message, {"fields": {"product": [message], "order": [message]}})
    product = order = None
    if payload.product:
        from comptoir.catalog.selectors import product_get

        product = product_get(public_id=payload.product)
    else:
        from comptoir.orders.selectors import order_get

        order = order_get(user=request.user, number=payload.order or "")
        if order.buyer_id != request.user.pk:
            raise NotFound()
    conversation, _message = services.conversation_start(
        buyer=request.user,
        product=product,
        order=order,
        text=payload.text,
        client_key=payload.client_key,
    )
    conversation, side = _get(request, conversation.public_id)
    return Status(201, _conversation_out(conversation, side))


@router.get(
    "/messages/conversations/{public_id}",
    response={200: ConversationDetailOut, **ERRORS},
    summary="One conversation with its messages (newest first, keyset)",
)
def conversations_get(
    request: HttpRequest, public_id: str, cursor: str | None = None, limit: int = 50
) -> dict[str, object]:
    conversation, side = _get(request, public_id)
    page = selectors.conversation_messages(conversation=conversation, cursor=cursor, limit=limit)
    other = Side.SHOP if side == Side.BUYER else Side.BUYER
    other_read = conversation.read_up_to_of(other) if side in Side.values else 0
    return {
        **_conversation_out(conversation, side),
        "messages": {
            "items": [_message_out(m, other_read) for m in page.items],
            "next_cursor": page.next_cursor,
        },
    }


@router.post(
    "/messages/conversations/{public_id}/messages",
    response={201: MessageOut, **ERRORS},
    summary="Send a message",
)
def conversations_send(request: HttpRequest, public_id: str, payload: SendIn) -> Status:
    conversation, _side = selectors.conversation_get(
        user=request.user, public_id=public_id, related=False
    )
    message = services.message_send(
        conversation=conversation,
        sender=request.user,
        text=payload.text,
        client_key=payload.client_key,
    )
    return Status(201, _message_out(message, 0))


@router.post(
    "/messages/conversations/{public_id}/mark-read",
    response={200: ConversationOut, **ERRORS},
    summary="Mark the conversation read (the other side gets a read receipt)",
)
def conversations_mark_read(request: HttpRequest, public_id: str) -> dict[str, object]:
    conversation, side = _get(request, public_id)
    conversation = services.conversation_mark_read(user=request.user, conversation=conversation)
    conversation, side = _get(request, public_id)
    return _conversation_out(conversation, side)


@router.post(
    "/messages/conversations/{public_id}/messages/{message_id}/delete",
    response={200: MessageOut, **ERRORS},
    summary="Delete my message (within 2 minutes; a trace stays)",
)
def messages_delete(request: HttpRequest, public_id: str, message_id: str) -> dict[str, object]:
    message, _side = selectors.message_get(user=request.user, public_id=message_id)
    if message.conversation.public_id != public_id:
        raise NotFound()
    message = services.message_delete(user=request.user, message=message)
    return _message_out(message, 0)


@router.post(
    "/messages/conversations/{public_id}/messages/{message_id}/report",
    response={201: ReportOut, **ERRORS},
    summary="Report a message of the other side (a ticket to the trust and safety team)",
)
def messages_report(
    request: HttpRequest, public_id: str, message_id: str, payload: ReportIn
) -> Status:
    message, _side = selectors.message_get(user=request.user, public_id=message_id)
    if message.conversation.public_id != public_id:
        raise NotFound()
    report = services.message_report(user=request.user, message=message, reason=payload.reason)
    return Status(201, {"id": report.public_id, "ticket_number": report.ticket_number})


@router.get(
    "/messages/inbox",
    response={200: page_schema(InboxItemOut), **ERRORS},
    summary="The Message Center: conversations, support replies, disputes, notifications",
)
def inbox_list(request: HttpRequest, filters: Query[InboxFilters]) -> dict[str, object]:
    page = inbox_page(
        user=request.user,
        category=filters.filter or None,
        query=filters.q[:200],
        cursor=filters.cursor,
        limit=filters.limit,
    )
    return {
        "items": [
            {
                "key": item.key,
                "source": item.source,
                "category": item.category,
                "at": _utc(item.at),
                "title": item.title,
                "preview": item.preview,
                "url": item.url,
                "unread": item.unread,
            }
            for item in page.items
        ],
        "next_cursor": page.next_cursor,
    }


@router.get(
    "/messages/unread-count",
    response={200: CountOut, **ERRORS},
    summary="Unread items of the Message Center",
)
def unread_count(request: HttpRequest) -> dict[str, int]:
    return {"count": inbox_unread_count(user=request.user)}
