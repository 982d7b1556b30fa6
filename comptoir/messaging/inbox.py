"""The Message Center's inbox registry: apps register *sources*; items are never copied.

A source answers, for one user, a page of its items newest first strictly before a position,
its unread count, and how to open one item (which marks it read). The Message Center asks every
source for ``limit + 1`` items before the cursor, merges them by time and keeps ``limit``: each
page costs one indexed query per source, whatever the history. The position is the triple
(time, source key, row id), compared in that order, so items at the same instant never repeat
nor go missing across pages.

Messaging registers seller conversations and notifications, the support desk's ticket replies
are registered from here too (messaging reads tickets' tables, tickets know nothing of it), and
the Disputes issue registers dispute updates with ``inbox_sources.register("disputes", …)``.
"One event gives one inbox item": a source that shows an event which also produced a
notification declares ``hides_notifications`` so that notification is not listed twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.db.models import Q
from django.utils.translation import gettext as _

from comptoir.core.pagination import InvalidCursor
from comptoir.core.registry import Registry

_SALT = "comptoir.messaging.inbox"


@dataclass(frozen=True)
class InboxItem:
    source: str  # the source's registry key
    seq: int  # the row's id in its source: tie-breaker and item key
    category: str  # enums.InboxCategory
    at: dt.datetime
    title: str
    preview: str
    url: str  # where "open" leads (after marking it read)
    unread: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.source}:{self.seq}"


@dataclass(frozen=True)
class Before:
    """A position in the merged order: items strictly after it (older) are wanted."""

    at: dt.datetime
    source: str
    seq: int

    def q(self, source: str, *, at_field: str, pk_field: str = "pk") -> Q:
        """The condition a source puts on its rows to list only items after the position.

        For the cursor's own source, ``at <= t AND (at < t OR (at = t AND pk < seq))``: the
        first conjunct is a range on the (owner, -at, -pk) index, so a deep page starts its
        index scan at the position instead of filtering every newer row."""
        if source < self.source:
            return Q(**{f"{at_field}__lte": self.at})
        if source > self.source:
            return Q(**{f"{at_field}__lt": self.at})
        return Q(**{f"{at_field}__lte": self.at}) & (
            Q(**{f"{at_field}__lt": self.at})
            | Q(**{at_field: self.at, f"{pk_field}__lt": self.seq})
        )


ListItems = Callable[..., list[InboxItem]]  # (*, user, before, limit, query) -> items


@dataclass(frozen=True)
class InboxSource:
    key: str
    category: str
    list_items: ListItems
    unread_count: Callable[..., int]  # (*, user) -> int
    open_item: Callable[..., str]  # (*, user, seq) -> url; marks the item read; NotFound
    searchable: bool = True
    # Optional: the unread counts of several users in one query, ``(*, user_ids) -> {id: n}``
    # (absent ids count 0); live pushes use it to give every recipient their total at once.
    unread_counts: Callable[..., dict[int, int]] | None = None
    # Notifications this source already shows as its own items (one event, one item).
    hides_notifications: Callable[[], Q] | None = None
    # Optional: the key of an ``inbox_count_groups`` entry that counts this source together
    # with others of the same group in one query (for ``inbox_unread_counts``). In the
    # "notifications" group, a source's unread count is the user's unread notifications that
    # its ``hides_notifications`` matches (its items are those notifications).
    count_group: str = ""


inbox_sources: Registry[InboxSource] = Registry("inbox sources")

# Several sources' batch unread counts in one query: ``(*, user_ids, sources) -> {id: n}``,
# the sum over ``sources`` (the keys of the registered sources of that group).
inbox_count_groups: Registry[Callable[..., dict[int, int]]] = Registry("inbox count groups")


@dataclass(frozen=True)
class InboxPage:
    items: list[InboxItem]
    next_cursor: str | None


def _sort_key(item: InboxItem) -> tuple[dt.datetime, str, int]:
    return (item.at, item.source, item.seq)


def encode_cursor(item: InboxItem) -> str:
    return signing.dumps([item.at.isoformat(), item.source, item.seq], salt=_SALT, compress=True)


def decode_cursor(cursor: str) -> Before:
    try:
        at, source, seq = signing.loads(cursor, salt=_SALT)
        return Before(at=dt.datetime.fromisoformat(at), source=str(source), seq=int(seq))
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise InvalidCursor from exc


def inbox_page(
    *,
    user: Any,
    category: str | None = None,
    query: str = "",
    cursor: str | None = None,
    limit: int = 20,
) -> InboxPage:
    """One page of the user's Message Center, newest first, merged across sources."""
    size = max(1, min(int(limit), 50))
    before = decode_cursor(cursor) if cursor else None
    query = (query or "").strip()
    found: list[InboxItem] = []
    for _key, source in inbox_sources.items():
        if category and source.category != category:
            continue
        if query and not source.searchable:
            continue
        found.extend(source.list_items(user=user, before=before, limit=size + 1, query=query))
    found.sort(key=_sort_key, reverse=True)
    page = found[:size]
    next_cursor = encode_cursor(page[-1]) if len(found) > size else None
    return InboxPage(items=page, next_cursor=next_cursor)


def inbox_unread_count(*, user: Any) -> int:
    """The header's number: the sum of each source's unread count (indexed, bounded queries)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    # The batch path: one query per count group (compiled once per process), then the rest.
    return inbox_unread_counts(user_ids=[user.pk]).get(user.pk, 0)


def inbox_unread_counts(*, user_ids: list[int]) -> dict[int, int]:
    """``inbox_unread_count`` of several users: one query per count group (sources counted
    together), then one per other source that counts in batch."""
    ids = list(dict.fromkeys(int(i) for i in user_ids))
    totals = dict.fromkeys(ids, 0)
    if not ids:
        return totals
    users: dict[int, Any] | None = None
    groups: dict[str, list[str]] = {}
    for key, source in inbox_sources.items():
        if source.count_group and source.count_group in inbox_count_groups:
            groups.setdefault(source.count_group, []).append(key)
    for group, members in groups.items():
        for uid, count in inbox_count_groups.get(group)(user_ids=ids, sources=members).items():
            if uid in totals:
                totals[uid] += int(count)
    for key, source in inbox_sources.items():
        if any(key in members for members in groups.values()):
            continue
        if source.unread_counts is not None:
            for uid, count in source.unread_counts(user_ids=ids).items():
                if uid in totals:
                    totals[uid] += int(count)
            continue
        if users is None:
            from django.contrib.auth import get_user_model

            users = {u.pk: u for u in get_user_model().objects.filter(pk__in=ids)}
        for uid in ids:
            if uid in users:
                totals[uid] += source.unread_count(user=users[uid])
    return totals


def inbox_open(*, user: Any, key: str) -> str:
    """Mark one item read and answer where to go. Unknown or foreign items are NotFound."""
    from comptoir.core.errors import NotFound

    source_key, _sep, seq = (key or "").rpartition(":")
    if source_key not in inbox_sources or not seq.isdigit():
        raise NotFound()
    return inbox_sources.get(source_key).open_item(user=user, seq=int(seq))


def hidden_notifications() -> Q | None:
    """Notifications other sources already show (the notifications source leaves them out)."""
    condition: Q | None = None
    for _key, source in inbox_sources.items():
        if source.hides_notifications is not None:
            part = source.hides_notifications()
            condition = part if condition is None else condition | part
    return condition


def category_label(category: str) -> str:
    from .enums import InboxCategory

    try:
        return str(InboxCategory(category).label)
    except ValueError:
        return _("Other")
