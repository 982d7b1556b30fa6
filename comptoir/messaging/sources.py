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

from . import compiled
from .counters import (
    buyer_unread_total,
    buyer_unread_totals,
    shop_unread_total,
    shop_unread_totals,
)
from .enums import InboxCategory, Side
from .inbox import (
    Before,
    InboxItem,
    InboxSource,
    hidden_notifications,
    inbox_count_groups,
    inbox_sources,
)
from .models import Conversation, ConversationMessage
from .selectors import DOC_TYPE, shop_ids_of

# --- seller conversations ----------------------------------------------------------------------


_BASE_FIELDS = (
    "pk",
    "public_id",
    "last_message_at",
    "last_message_preview",
    "last_sender_side",
    "awaiting_reply_since",
    "product__title_fr",
    "product__title_en",
    "order__number",
    "order__status",
)
# The other party's name: the shop for the buyer, the buyer for the shop.
_SIDE_FIELDS: dict[str, tuple[str, str, str]] = {
    Side.BUYER: ("buyer_unread", "shop__name", "shop__name"),
    Side.SHOP: ("shop_unread", "buyer__full_name", "buyer__email"),
}


def _conversation_url_template() -> str:
    marker = "0" * 26
    return reverse("messaging:conversation", args=[marker]).replace(marker, "{}")


def _conversation_items(
    user: Any, side: str, source: str, before: Before | None, limit: int, query: str
) -> list[InboxItem]:
    """One indexed query on (owner, -last_message_at, -id), joined to the shop or buyer, the
    product and the order, fetching only the columns an item shows (no model instances)."""
    from django.utils.translation import get_language

    from comptoir.core.order_numbers import format_order_number
    from comptoir.orders.enums import OrderStatus

    if side == Side.BUYER:
        rows = Conversation.objects.filter(buyer_id=user.pk)
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
    unread_field, name_field, fallback_field = _SIDE_FIELDS[side]
    values = rows.order_by("-last_message_at", "-pk").values_list(
        *_BASE_FIELDS, unread_field, name_field, fallback_field
    )[:limit]
    english = (get_language() or "fr")[:2] != "fr"
    url = _conversation_url_template()
    deleted = _("Message deleted")
    items = []
    for (
        pk,
        public_id,
        at,
        preview,
        last_side,
        awaiting,
        title_fr,
        title_en,
        order_number,
        order_status,
        unread,
        name,
        fallback,
    ) in values:
        if side == Side.SHOP:
            name = name or (fallback or "").split("@")[0]
        if order_number is not None:
            subject = _("Order %(number)s") % {"number": format_order_number(order_number)}
            status = str(OrderStatus(order_status).label) if order_status else ""
        else:
            subject = (title_en if english else title_fr) or ""
            status = ""
        items.append(
            InboxItem(
                source=source,
                seq=pk,
                category=InboxCategory.SELLERS,
                at=at,
                title=name or "",
                preview=preview or deleted,
                url=url.format(public_id),
                unread=unread,
                extra={
                    "side": side,
                    "subject": subject,
                    "conversation": public_id,
                    "order_status": status,
                    "to_answer": side == Side.SHOP and awaiting is not None,
                    "last_from_me": last_side == side,
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
    return buyer_unread_total(user=user)


def _shop_unread(*, user: Any) -> int:
    return shop_unread_total(user=user)


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
    values = rows.order_by("-created_at", "-pk").values_list(
        "pk", "created_at", "title", "body", "url", "read_at", "kind"
    )[:limit]
    return [
        InboxItem(
            source="notifications",
            seq=pk,
            category=InboxCategory.NOTIFICATIONS,
            at=at,
            title=title,
            preview=body,
            url=url,
            unread=0 if read_at else 1,
            extra={"kind": kind},
        )
        for pk, at, title, body, url, read_at, kind in values
    ]


def _grouped_counts(rows: Any) -> dict[int, int]:
    from django.db.models import Count

    return {
        int(uid): int(n)
        for uid, n in rows.order_by()
        .values("user_id")
        .annotate(n=Count("pk"))
        .values_list("user_id", "n")
    }


def _notifications_unread_counts(*, user_ids: list[int]) -> dict[int, int]:
    rows = Notification.objects.filter(user_id__in=user_ids, read_at__isnull=True)
    hidden = hidden_notifications()
    if hidden is not None:
        rows = rows.exclude(hidden)
    return _grouped_counts(rows)


def _support_unread_counts(*, user_ids: list[int]) -> dict[int, int]:
    return _grouped_counts(
        Notification.objects.filter(user_id__in=user_ids, read_at__isnull=True).filter(
            _reply_notifications()
        )
    )


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
    """Public replies to the user's tickets: one query over ``message_ticket_time`` of the
    user's tickets, only the shown columns (the body cut to the preview in the database), and
    one query for which of them are unread (their notifications)."""
    from django.db.models.functions import Left

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
    replies = list(
        rows.annotate(preview=Left("body_text", 200))
        .order_by("-created_at", "-pk")
        .values_list(
            "pk", "ticket_id", "created_at", "preview", "ticket__number", "ticket__subject"
        )[:limit]
    )
    if not replies:
        return []
    keys = {f"ticket:{ticket_id}:reply:{pk}": pk for pk, ticket_id, *_rest in replies}
    unread = set(
        Notification.objects.filter(
            user=user, event_key__in=list(keys), read_at__isnull=True
        ).values_list("event_key", flat=True)
    )
    unread_ids = {keys[k] for k in unread}
    marker = "0" * 20
    url = reverse("tickets:detail", args=[marker]).replace(marker, "{}")
    return [
        InboxItem(
            source="support",
            seq=pk,
            category=InboxCategory.SUPPORT,
            at=at,
            title=_("Customer service · %(number)s") % {"number": number},
            preview=preview or "",
            url=url.format(number),
            unread=1 if pk in unread_ids else 0,
            extra={"subject": subject, "ticket": number},
        )
        for pk, _ticket_id, at, preview, number, subject in replies
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


# --- batch counts: two queries for the four sources --------------------------------------------


def _conversation_group_query(user_ids: list[int], sources: tuple[str, ...]) -> Any:
    from django.db.models import OuterRef, Subquery

    from comptoir.accounts.models import ShopMembership

    from .models import UnreadCounter

    parts: list[Any] = []
    if "conversations" in sources:
        parts.append(
            UnreadCounter.objects.filter(user_id__in=user_ids)
            .order_by()
            .values_list("user_id", "count")
        )
    if "conversations-shop" in sources:
        counter = UnreadCounter.objects.filter(shop_id=OuterRef("shop_id")).values("count")[:1]
        parts.append(
            ShopMembership.objects.filter(user_id__in=user_ids)
            .order_by()
            .annotate(n=Subquery(counter))
            .values_list("user_id", "n")
        )
    return parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]


def _conversation_group_counts(*, user_ids: list[int], sources: list[str]) -> dict[int, int]:
    """Both sides' counters in one query: the users' own buyer rows and their shops' rows."""
    members = tuple(sorted(k for k in sources if k in ("conversations", "conversations-shop")))
    if not members or not user_ids:
        return {}
    rows = compiled.rows_for_ids(
        "messaging:conversation-counts",
        lambda ids: _conversation_group_query(ids, members),
        user_ids,
        version=members,
    )
    totals: dict[int, int] = {}
    for uid, n in rows:
        totals[int(uid)] = totals.get(int(uid), 0) + int(n or 0)
    return totals


def _notification_backed(key: str) -> bool:
    """A source of the "notifications" count group other than the notifications themselves
    counts the user's unread notifications its ``hides_notifications`` matches (support
    replies, dispute updates): its items are those notifications."""
    return key in inbox_sources and inbox_sources.get(key).hides_notifications is not None


def _notification_group_query(user_ids: list[int], sources: tuple[str, ...]) -> Any:
    from django.db.models import Count

    counts = {}
    if "notifications" in sources:
        hidden = hidden_notifications()
        counts["shown"] = Count("pk", filter=~hidden) if hidden is not None else Count("pk")
    for index, key in enumerate(k for k in sources if k != "notifications"):
        hides = inbox_sources.get(key).hides_notifications
        assert hides is not None  # _notification_backed
        counts[f"source_{index}"] = Count("pk", filter=hides())
    return (
        Notification.objects.filter(user_id__in=user_ids, read_at__isnull=True)
        .order_by()
        .values("user_id")
        .annotate(**counts)
        .values_list("user_id", *counts)
    )


def _notification_group_counts(*, user_ids: list[int], sources: list[str]) -> dict[int, int]:
    """Unread notifications (less those other sources show) and the unread items of the
    sources made of notifications (support replies, dispute updates), in one grouped query
    over the unread-notification index."""
    members = tuple(sorted(k for k in sources if k == "notifications" or _notification_backed(k)))
    if not members or not user_ids:
        return {}
    rows = compiled.rows_for_ids(
        "messaging:notification-counts",
        lambda ids: _notification_group_query(ids, members),
        user_ids,
        # What is hidden depends on which sources are registered.
        version=(members, tuple(inbox_sources.keys())),
    )
    return {int(uid): sum(int(n) for n in ns) for uid, *ns in rows}


def register() -> None:
    inbox_count_groups.register("conversations", _conversation_group_counts)
    inbox_count_groups.register("notifications", _notification_group_counts)
    inbox_sources.register(
        "conversations",
        InboxSource(
            key="conversations",
            category=InboxCategory.SELLERS,
            list_items=lambda *, user, before, limit, query: _conversation_items(
                user, Side.BUYER, "conversations", before, limit, query
            ),
            unread_count=_buyer_unread,
            unread_counts=buyer_unread_totals,
            open_item=lambda *, user, seq: _open_conversation(user, seq),
            count_group="conversations",
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
            unread_counts=shop_unread_totals,
            open_item=lambda *, user, seq: _open_conversation(user, seq),
            count_group="conversations",
        ),
    )
    inbox_sources.register(
        "notifications",
        InboxSource(
            key="notifications",
            category=InboxCategory.NOTIFICATIONS,
            list_items=_notification_items,
            unread_count=_notifications_unread,
            unread_counts=_notifications_unread_counts,
            open_item=_open_notification,
            searchable=False,
            count_group="notifications",
        ),
    )
    inbox_sources.register(
        "support",
        InboxSource(
            key="support",
            category=InboxCategory.SUPPORT,
            list_items=_support_items,
            unread_count=_support_unread,
            unread_counts=_support_unread_counts,
            open_item=_open_support,
            hides_notifications=_reply_notifications,
            count_group="notifications",
        ),
    )
