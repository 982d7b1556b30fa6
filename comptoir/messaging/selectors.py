"""Reads of messaging, scoped: a conversation is visible to its buyer, the members of its shop
and staff (read only). "Not yours" is NotFound, like "does not exist"."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Prefetch, Q, QuerySet

from comptoir.accounts.models import ShopMembership
from comptoir.core.errors import NotFound
from comptoir.core.pagination import Page, paginate
from comptoir.core.search import search_filter

from .enums import AnswerFilter, Side
from .models import Conversation, ConversationAttachment, ConversationMessage

INBOX_ORDER = ("-last_message_at", "-pk")
MESSAGE_ORDER = ("-created_at", "-pk")
DOC_TYPE = "conversation_message"
STAFF = "staff"
MEDIAN_SAMPLE = 100
MEDIAN_CACHE_SECONDS = 600


def shop_ids_of(user: Any) -> list[int]:
    """The shops the user is a member of; read once per user object (a request's user, or a
    service's caller), as the API's access check and the service's both need it."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_messaging_shop_ids", None)
    if cached is None:
        cached = list(ShopMembership.objects.filter(user=user).values_list("shop_id", flat=True))
        try:
            user._messaging_shop_ids = cached
        except AttributeError:  # an object that takes no attributes: read each time
            pass
    return list(cached)


def is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_staff_member", False))


def side_of(*, user: Any, conversation: Conversation, shop_ids: list[int] | None = None) -> str:
    """``buyer``, ``shop``, ``staff`` (read only); NotFound for anyone else."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotFound()
    if conversation.buyer_id == user.pk:
        return Side.BUYER
    if conversation.shop_id in (shop_ids if shop_ids is not None else shop_ids_of(user)):
        return Side.SHOP
    if is_staff(user):
        return STAFF
    raise NotFound()


def conversation_scope(user: Any) -> QuerySet[Conversation]:
    if user is None or not getattr(user, "is_authenticated", False):
        return Conversation.objects.none()
    if is_staff(user):
        return Conversation.objects.all()
    return Conversation.objects.filter(
        Q(buyer=user) | Q(shop_id__in=ShopMembership.objects.filter(user=user).values("shop_id"))
    )


def conversation_get(
    *, user: Any, public_id: str, related: bool = True
) -> tuple[Conversation, str]:
    """The conversation and the user's side. ``related=False`` skips the buyer, shop, product
    and order (a send needs only the parties' ids: one small indexed row, no joins)."""
    rows = Conversation.objects.filter(public_id=public_id or "")
    if related:
        rows = rows.select_related("buyer", "shop", "product", "order")
    conversation = rows.first()
    if conversation is None:
        raise NotFound()
    return conversation, side_of(user=user, conversation=conversation)


def _with_attachments(messages: QuerySet[ConversationMessage]) -> QuerySet[ConversationMessage]:
    return messages.select_related("sender").prefetch_related(
        Prefetch("attachments", queryset=ConversationAttachment.objects.select_related("upload"))
    )


def conversation_messages(
    *, conversation: Conversation, cursor: str | None = None, limit: int = 50
) -> Page[ConversationMessage]:
    """Newest first (keyset); pages show them oldest first."""
    messages = _with_attachments(ConversationMessage.objects.filter(conversation=conversation))
    return paginate(messages, order=MESSAGE_ORDER, cursor=cursor, limit=limit, max_limit=100)


def message_get(*, user: Any, public_id: str) -> tuple[ConversationMessage, str]:
    message = (
        ConversationMessage.objects.select_related("conversation", "sender")
        .filter(public_id=public_id or "")
        .first()
    )
    if message is None:
        raise NotFound()
    return message, side_of(user=user, conversation=message.conversation)


def conversation_find(*, buyer: Any, product: Any = None, order: Any = None) -> Conversation | None:
    if product is not None:
        return Conversation.objects.filter(buyer=buyer, product=product).first()
    return Conversation.objects.filter(buyer=buyer, order=order).first()


def _side_conversations(user: Any, side: str) -> QuerySet[Conversation]:
    if side == Side.SHOP:
        return Conversation.objects.filter(shop_id__in=shop_ids_of(user))
    return Conversation.objects.filter(buyer=user)


def conversation_list(
    *,
    user: Any,
    side: str = Side.BUYER,
    answer: str = AnswerFilter.ALL,
    query: str = "",
    cursor: str | None = None,
    limit: int = 20,
) -> Page[Conversation]:
    """The user's conversations on one side, most recent activity first (keyset)."""
    conversations = _side_conversations(user, side).select_related(
        "buyer", "shop", "product", "order"
    )
    if answer == AnswerFilter.TO_ANSWER:
        conversations = conversations.filter(awaiting_reply_since__isnull=False)
    elif answer == AnswerFilter.ANSWERED:
        conversations = conversations.filter(awaiting_reply_since__isnull=True)
    query = (query or "").strip()
    if query:
        matching = search_filter(
            ConversationMessage.objects.filter(
                conversation__in=_side_conversations(user, side), deleted_at__isnull=True
            ),
            doc_type=DOC_TYPE,
            query=query,
        )
        conversations = conversations.filter(pk__in=matching.values("conversation_id"))
    return paginate(conversations, order=INBOX_ORDER, cursor=cursor, limit=limit, max_limit=50)


def unread_conversations_total(*, user: Any) -> int:
    """Unread messages of the user's conversations, both sides: the per-owner counter rows."""
    from .counters import buyer_unread_total, shop_unread_total

    return buyer_unread_total(user=user) + shop_unread_total(user=user)


@dataclass(frozen=True)
class ResponseTime:
    median_seconds: int
    sample: int


def shop_median_first_response(*, shop_id: int) -> ResponseTime | None:
    """Median first-response time over the shop's latest answered conversations (cached)."""
    key = f"messaging:median-first-response:{shop_id}"
    cached = cache.get(key)
    if cached is not None:
        return ResponseTime(*cached) if cached else None
    values = [
        int(value)
        for value in Conversation.objects.filter(
            shop_id=shop_id, first_response_seconds__isnull=False
        )
        .order_by("-first_responded_at")
        .values_list("first_response_seconds", flat=True)[:MEDIAN_SAMPLE]
        if value is not None
    ]
    result = (
        ResponseTime(median_seconds=int(statistics.median(values)), sample=len(values))
        if values
        else None
    )
    cache.set(key, (result.median_seconds, result.sample) if result else (), MEDIAN_CACHE_SECONDS)
    return result


def forget_median(shop_id: int) -> None:
    cache.delete(f"messaging:median-first-response:{shop_id}")


def flagged_messages(*, cursor: str | None = None, limit: int = 25) -> Page[ConversationMessage]:
    """For staff: messages that asked to pay outside the platform, newest first."""
    messages = ConversationMessage.objects.filter(flagged=True).select_related(
        "sender", "conversation__shop", "conversation__buyer"
    )
    return paginate(messages, order=MESSAGE_ORDER, cursor=cursor, limit=limit)


def conversation_member_ids(conversation: Conversation, side: str) -> list[int]:
    """The users of one side of a conversation (the buyer; or every member of the shop)."""
    if side == Side.BUYER:
        return [conversation.buyer_id]
    return list(
        ShopMembership.objects.filter(shop_id=conversation.shop_id).values_list(
            "user_id", flat=True
        )
    )
