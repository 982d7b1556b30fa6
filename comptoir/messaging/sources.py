"""The Message Center's own sources: seller conversations (both sides), notifications, and the
support desk's replies (read from tickets' tables: messaging sits above tickets)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from comptoir.core import clock
from comptoir.core.errors import NotFound
from comptoir.core.notifications import Notification, notification_mark_read
from comptoir.core.search import search_filter

from .enums import InboxCategory, Side
from .inbox import Before, InboxItem, InboxSource, hidden_notifications, inbox_sources
from .models import Conversation, ConversationMessage
from .selectors import DOC_TYPE, shop_ids_of

# --- seller conversations ----------------------------------------------------------------------


def _conversation_title(conversation: Conversation, side: str) -> str:
    if side == Side.SHOP:
        who = conversation.buyer.display_name
    else:
        who = conversation.shop.name
    return who


def _subject(conversation: Conversation, language: str) -> str:
    from comptoir.core.order_numbers import format_order_number

    if conversation.order is not None:
        return _("Order %(number)s") % {"number": format_order_number(conversation.order.number)}
    if conversation.product is not None:
        return conversation.product.title(language)
    return ""


def _conversation_items(
    user: Any, side: str, source: str, before: Before | None, limit: int, query: str
) -> list[InboxItem]:
    from django.utils.translation import get_language

    if side == Side.BUYER:
        rows = Conversation.objects.filter(buyer=user)
    else:
        shops = shop_ids_of(user)
        if not shops:
            return []
        rows = Conversation.objects.filter(shop_id__in=shops)
    if query:
        matching = search_filter(
            ConversationMessage.objects.filter(conversation__in=rows, deleted_at__isnull=True),
            doc_type=DOC_TYPE,
            query=query,
        )
        rows = rows.filter(pk__in=matching.values("conversation_id"))
    if before is not None:
        rows = rows.filter(before.q(source, at_field="last_message_at"))
    rows = rows.select_related("buyer", "shop", "product", "order").order_by(
        "-last_message_at", "-pk"
    )[:limit]
    language = (get_language() or "fr")[:2]
    items = []
    for conversation in rows:
        unread = conversation.unread_for(side)
        items.append(
            InboxItem(
                source=source,
                seq=conversation.pk,
                category=InboxCategory.SELLERS,
                at=conversation.last_message_at,
                title=_conversation_title(conversation, side),
                preview=conversation.last_message_preview or _("Message deleted"),
                url=reverse("messaging:conversation", args=[conversation.public_id]),
                unread=unread,
                extra={
                    "side": side,
                    "subject": _subject(conversation, language),
                    "conversation": conversation.public_id,
                    "order_status": conversation.order.get_status_display()
                    if conversation.order is not None
                    else "",
                    "to_answer": side == Side.SHOP and conversation.to_answer,
                    "last_from_me": conversation.last_sender_side == side,
                },
            )
        )
    return items


def _open_conversation(user: Any, seq: int) -> str:
    from .selectors import conversation_get

    conversation = Conversation.objects.filter(pk=seq).only("public_id").first()
    if conversation is None:
        raise NotFound()
    conversation_get(user=user, public_id=conversation.public_id)  # NotFound when not a party
    return reverse("messaging:conversation", args=[conversation.public_id])


def _buyer_unread(*, user: Any) -> int:
    from django.db.models import Sum

    return int(
        Conversation.objects.filter(buyer=user, buyer_unread__gt=0).aggregate(
            n=Sum("buyer_unread")
        )["n"]
        or 0
    )


def _shop_unread(*, user: Any) -> int:
    from django.db.models import Sum

    shops = shop_ids_of(user)
    if not shops:
        return 0
    return int(
        Conversation.objects.filter(shop_id__in=shops, shop_unread__gt=0).aggregate(
            n=Sum("shop_unread")
        )["n"]
        or 0
    )


# --- notifications -----------------------------------------------------------------------------


def _visible_notifications(user: Any) -> Any:
    rows = Notification.objects.filter(user=user)
    hidden = hidden_notifications()
    if hidden is not None:
        rows = rows.exclude(hidden)
    return rows


def _notification_items(
    *, user: Any, before: Before | None, limit: int, query: str
) -> list[InboxItem]:
    if query:
        return []
    rows = _visible_notifications(user)
    if before is not None:
        rows = rows.filter(before.q("notifications", at_field="created_at"))
    return [
        InboxItem(
            source="notifications",
            seq=n.pk,
            category=InboxCategory.NOTIFICATIONS,
            at=n.created_at,
            title=n.title,
            preview=n.body,
            url=n.url,
            unread=0 if n.read_at else 1,
            extra={"kind": n.kind},
        )
        for n in rows.order_by("-created_at", "-pk")[:limit]
    ]


def _notifications_unread(*, user: Any) -> int:
    return int(_visible_notifications(user).filter(read_at__isnull=True).count())


def _open_notification(*, user: Any, seq: int) -> str:
    notification = Notification.objects.filter(user=user, pk=seq).first()
    if notification is None:
        raise NotFound()
    notification_mark_read(user=user, public_id=notification.public_id)
    return notification.url or reverse("messaging:inbox")


# --- support replies (tickets) -----------------------------------------------------------------


def _reply_notifications() -> Q:
    # tickets.outbound notifies a reply with event key "ticket:<id>:reply:<message id>".
    return Q(kind="tickets", event_key__startswith="ticket:", event_key__contains=":reply:")


def _support_items(*, user: Any, before: Before | None, limit: int, query: str) -> list[InboxItem]:
    from comptoir.tickets.enums import Direction, MessageKind
    from comptoir.tickets.models import Message, Ticket
    from comptoir.tickets.search import DOC_TYPE as TICKET_DOC

    tickets = Ticket.objects.filter(contact__user=user)
    if query:
        tickets = search_filter(tickets, doc_type=TICKET_DOC, query=query)
    rows = Message.objects.filter(
        ticket__in=tickets, kind=MessageKind.PUBLIC, direction=Direction.OUTBOUND
    )
    if before is not None:
        rows = rows.filter(before.q("support", at_field="created_at"))
    replies = list(rows.select_related("ticket").order_by("-created_at", "-pk")[:limit])
    keys = {f"ticket:{m.ticket_id}:reply:{m.pk}": m.pk for m in replies}
    unread = set(
        Notification.objects.filter(
            user=user, event_key__in=list(keys), read_at__isnull=True
        ).values_list("event_key", flat=True)
    )
    unread_ids = {keys[k] for k in unread}
    return [
        InboxItem(
            source="support",
            seq=m.pk,
            category=InboxCategory.SUPPORT,
            at=m.created_at,
            title=_("Customer service · %(number)s") % {"number": m.ticket.number},
            preview=m.body_text[:200],
            url=reverse("tickets:detail", args=[m.ticket.number]),
            unread=1 if m.pk in unread_ids else 0,
            extra={"subject": m.ticket.subject, "ticket": m.ticket.number},
        )
        for m in replies
    ]


def _support_unread(*, user: Any) -> int:
    return int(
        Notification.objects.filter(user=user, read_at__isnull=True)
        .filter(_reply_notifications())
        .count()
    )


def _open_support(*, user: Any, seq: int) -> str:
    from comptoir.tickets.models import Message
    from comptoir.tickets.selectors import ticket_scope

    message = (
        Message.objects.select_related("ticket")
        .filter(pk=seq, ticket__in=ticket_scope(user).filter(contact__user=user))
        .first()
    )
    if message is None:
        raise NotFound()
    Notification.objects.filter(
        user=user, event_key=f"ticket:{message.ticket_id}:reply:{message.pk}", read_at__isnull=True
    ).update(read_at=clock.now())
    return reverse("tickets:detail", args=[message.ticket.number])


def register() -> None:
    inbox_sources.register(
        "conversations",
        InboxSource(
            key="conversations",
            category=InboxCategory.SELLERS,
            list_items=lambda *, user, before, limit, query: _conversation_items(
                user, Side.BUYER, "conversations", before, limit, query
            ),
            unread_count=_buyer_unread,
            open_item=lambda *, user, seq: _open_conversation(user, seq),
        ),
    )
    inbox_sources.register(
        "conversations-shop",
        InboxSource(
            key="conversations-shop",
            category=InboxCategory.SELLERS,
            list_items=lambda *, user, before, limit, query: _conversation_items(
                user, Side.SHOP, "conversations-shop", before, limit, query
            ),
            unread_count=_shop_unread,
            open_item=lambda *, user, seq: _open_conversation(user, seq),
        ),
    )
    inbox_sources.register(
        "notifications",
        InboxSource(
            key="notifications",
            category=InboxCategory.NOTIFICATIONS,
            list_items=_notification_items,
            unread_count=_notifications_unread,
            open_item=_open_notification,
            searchable=False,
        ),
    )
    inbox_sources.register(
        "support",
        InboxSource(
            key="support",
            category=InboxCategory.SUPPORT,
            list_items=_support_items,
            unread_count=_support_unread,
            open_item=_open_support,
            hides_notifications=_reply_notifications,
        ),
    )
