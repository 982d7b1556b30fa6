"""Dispute updates in the Message Center (``messaging.inbox``), under the "Disputes" filter.

One event gives one item: the item IS the notification ``disputes.notify`` wrote for that
event and that person (nothing is copied); the notifications source leaves these out
(``hides_notifications``). Each page is one indexed query on the user's notifications plus
one query for the current status and deadline of the disputes shown."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.urls import reverse

from comptoir.core import clock
from comptoir.core.errors import NotFound
from comptoir.core.notifications import Notification

from .enums import DisputeStatus, ReturnStatus
from .models import DisputeEvent
from .notify import KIND

SOURCE = "disputes"


def _mine(user: Any) -> Any:
    return Notification.objects.filter(user_id=user.pk, kind=KIND)


def _event_id(event_key: str) -> int | None:
    # "dispute-event:<event id>" (notify.event_key)
    prefix, _sep, pk = event_key.partition(":")
    return int(pk) if prefix == "dispute-event" and pk.isdigit() else None


def _states(event_ids: set[int]) -> dict[int, tuple[str, Any]]:
    """{event id: (current status label, current deadline)} of each event's dispute (or
    change-of-mind return): one query."""
    found = {}
    for pk, d_status, d_due, r_status, r_due in DisputeEvent.objects.filter(
        pk__in=event_ids
    ).values_list(
        "pk",
        "dispute__status",
        "dispute__due_at",
        "return_request__status",
        "return_request__due_at",
    ):
        if d_status:
            found[pk] = (str(DisputeStatus(d_status).label), d_due)
        elif r_status:
            found[pk] = (str(ReturnStatus(r_status).label), r_due)
    return found


def list_items(*, user: Any, before: Any, limit: int, query: str) -> list[Any]:
    from comptoir.messaging.enums import InboxCategory
    from comptoir.messaging.inbox import InboxItem

    rows = _mine(user)
    if query:
        rows = rows.filter(Q(title__icontains=query) | Q(body__icontains=query))
    if before is not None:
        rows = rows.filter(before.q(SOURCE, at_field="created_at"))
    values = list(
        rows.order_by("-created_at", "-pk").values_list(
            "pk", "created_at", "title", "body", "url", "read_at", "event_key"
        )[:limit]
    )
    state = _states({i for i in (_event_id(row[6]) for row in values) if i is not None})
    items = []
    for pk, at, title, body, url, read_at, key in values:
        status, due_at = state.get(_event_id(key) or 0, ("", None))
        items.append(
            InboxItem(
                source=SOURCE,
                seq=pk,
                category=InboxCategory.DISPUTES,
                at=at,
                title=title,
                preview=body,
                url=url,
                unread=0 if read_at else 1,
                extra={
                    "status": status,
                    "due_at": due_at,
                },
            )
        )
    return items


def unread_count(*, user: Any) -> int:
    return int(_mine(user).filter(read_at__isnull=True).count())


def unread_counts(*, user_ids: list[int]) -> dict[int, int]:
    rows = (
        Notification.objects.filter(user_id__in=user_ids, kind=KIND, read_at__isnull=True)
        .order_by()
        .values("user_id")
        .annotate(n=Count("pk"))
        .values_list("user_id", "n")
    )
    return {int(uid): int(n) for uid, n in rows}


def open_item(*, user: Any, seq: int) -> str:
    notification = _mine(user).filter(pk=seq).first()
    if notification is None:
        raise NotFound()
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=clock.now()
        )
    return notification.url or reverse("messaging:inbox")


def hides_notifications() -> Q:
    return Q(kind=KIND)


def register() -> None:
    from comptoir.messaging.enums import InboxCategory
    from comptoir.messaging.inbox import InboxSource, inbox_sources

    inbox_sources.register(
        SOURCE,
        InboxSource(
            key=SOURCE,
            category=InboxCategory.DISPUTES,
            list_items=list_items,
            unread_count=unread_count,
            unread_counts=unread_counts,
            open_item=open_item,
            hides_notifications=hides_notifications,
            count_group="notifications",  # counted with the other notifications, one query
        ),
    )
