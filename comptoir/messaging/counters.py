"""Per-owner unread totals: one ``UnreadCounter`` row per buyer and per shop.

Every write that changes a conversation's ``buyer_unread`` / ``shop_unread`` does it under the
conversation's row lock, knows the exact change, and adds it to the owner's counter in the same
transaction (``unread_counters_add``). Lock order, always: the conversation, then the buyer's
counter, then the shop's counter; a transaction touches at most one of each, so two of them
never wait on each other in a cycle. The counters are updated last, to hold their (hot) row
locks for as short a time as possible.

``unread_counters_reconcile`` (the ``messaging.unread_reconcile`` sweep) compares the counters
with the sums over the conversations and repairs any difference under the counter's row lock:
it re-reads the sum *after* taking the lock (READ COMMITTED: a new snapshot per statement), so
a send that is in flight either already holds the lock (the sweep waits and then sees it) or
will apply its delta after the repair — the repaired value is exact either way."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Greatest

from comptoir.accounts.models import ShopMembership
from comptoir.core import clock

from .models import Conversation, UnreadCounter

# (counter owner column, conversation owner column, conversation counter column)
_KINDS = (("user_id", "buyer_id", "buyer_unread"), ("shop_id", "shop_id", "shop_unread"))


def _add(owner: str, owner_id: int, delta: int) -> None:
    now = clock.now()
    rows = UnreadCounter.objects.filter(**{owner: owner_id})
    changes = {"count": Greatest(F("count") + delta, 0), "updated_at": now}
    if rows.update(**changes):
        return
    # First change for this owner: create the row (a concurrent creator wins harmlessly).
    UnreadCounter.objects.bulk_create(
        [UnreadCounter(**{owner: owner_id}, count=0, updated_at=now)], ignore_conflicts=True
    )
    rows.update(**changes)


def unread_counters_add(*, buyer_id: int, buyer_delta: int, shop_id: int, shop_delta: int) -> None:
    """Apply exact changes of one conversation's counters to its owners' totals. Call inside
    the transaction that holds the conversation's row lock, after the conversation's update."""
    if buyer_delta:
        _add("user_id", buyer_id, buyer_delta)
    if shop_delta:
        _add("shop_id", shop_id, shop_delta)


def buyer_unread_total(*, user: Any) -> int:
    """The user's unread messages as a buyer: one row by a unique index."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    value = UnreadCounter.objects.filter(user_id=user.pk).values_list("count", flat=True).first()
    return int(value or 0)


def shop_unread_total(*, user: Any) -> int:
    """Unread messages of the shops the user is a member of: one query, a row per shop."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    shops = ShopMembership.objects.filter(user_id=user.pk).values("shop_id")
    total = UnreadCounter.objects.filter(shop_id__in=shops).aggregate(n=Sum("count"))["n"]
    return int(total or 0)


def buyer_unread_totals(*, user_ids: list[int]) -> dict[int, int]:
    rows = UnreadCounter.objects.filter(user_id__in=user_ids).values_list("user_id", "count")
    return {int(uid): int(count) for uid, count in rows}


def shop_unread_totals(*, user_ids: list[int]) -> dict[int, int]:
    counter = UnreadCounter.objects.filter(shop_id=OuterRef("shop_id")).values("count")[:1]
    rows = (
        ShopMembership.objects.filter(user_id__in=user_ids)
        .annotate(n=Subquery(counter))
        .values_list("user_id", "n")
    )
    totals: dict[int, int] = {}
    for uid, n in rows:
        totals[int(uid)] = totals.get(int(uid), 0) + int(n or 0)
    return totals


def _expected(conversation_owner: str, unread: str, owner_id: int) -> int:
    total = Conversation.objects.filter(
        **{conversation_owner: owner_id, f"{unread}__gt": 0}
    ).aggregate(n=Sum(unread))["n"]
    return int(total or 0)


def _repair(owner: str, conversation_owner: str, unread: str, owner_id: int) -> bool:
    with transaction.atomic():
        UnreadCounter.objects.bulk_create(
            [UnreadCounter(**{owner: owner_id}, count=0)], ignore_conflicts=True
        )
        counter = UnreadCounter.objects.select_for_update().get(**{owner: owner_id})
        expected = _expected(conversation_owner, unread, owner_id)  # after the lock
        if counter.count == expected:
            return False
        UnreadCounter.objects.filter(pk=counter.pk).update(count=expected, updated_at=clock.now())
        return True


def unread_counters_reconcile() -> int:
    """Repair every counter that differs from the sum over its conversations; answers how many
    were repaired. Detection reads without locks (one grouped query over the partial unread
    indexes, one over the non-zero counters); each suspect is re-checked under its lock."""
    repaired = 0
    for owner, conversation_owner, unread in _KINDS:
        expected = dict(
            Conversation.objects.filter(**{f"{unread}__gt": 0})
            .values_list(conversation_owner)
            .annotate(n=Sum(unread))
            .order_by()
            .values_list(conversation_owner, "n")
        )
        stored = dict(
            UnreadCounter.objects.filter(Q(**{f"{owner}__isnull": False}) & Q(count__gt=0))
            .values_list(owner, "count")
            .order_by()
        )
        suspects = sorted(
            o for o in set(expected) | set(stored) if expected.get(o, 0) != stored.get(o, 0)
        )
        for owner_id in suspects:
            repaired += _repair(owner, conversation_owner, unread, owner_id)
    return repaired
