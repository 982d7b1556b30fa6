"""The per-owner unread counters (one row per buyer, one per shop): exact after every write,
under concurrent sends, and repaired by the reconcile sweep."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db.models import Sum

from comptoir.accounts.enums import Role
from comptoir.core import clock
from comptoir.core.notifications import notify
from comptoir.core.sweeps import run_sweep, sweeps
from comptoir.messaging.counters import buyer_unread_total, shop_unread_total
from comptoir.messaging.inbox import inbox_page, inbox_sources, inbox_unread_count
from comptoir.messaging.models import Conversation, UnreadCounter
from comptoir.messaging.services import (
    conversation_mark_read,
    conversation_start,
    message_delete,
    message_send,
)
from comptoir.testing.factories import UserFactory

from .conftest import T0, make_product


def _counter(**owner) -> int | None:
    return UnreadCounter.objects.filter(**owner).values_list("count", flat=True).first()


def _sums(buyer, shop) -> tuple[int, int]:
    buyer_sum = Conversation.objects.filter(buyer=buyer).aggregate(n=Sum("buyer_unread"))["n"]
    shop_sum = Conversation.objects.filter(shop=shop).aggregate(n=Sum("shop_unread"))["n"]
    return int(buyer_sum or 0), int(shop_sum or 0)


@pytest.mark.django_db
def test_counters_follow_sends_reads_and_deletes(buyer, other_buyer, seller, shop):
    with clock.frozen_at(T0):
        first, m1 = conversation_start(buyer=buyer, product=make_product(shop, "A"), text="a1")
        second, _m = conversation_start(buyer=buyer, product=make_product(shop, "B"), text="b1")
        third, _m = conversation_start(
            buyer=other_buyer, product=make_product(shop, "C"), text="c1"
        )
        assert (_counter(user=buyer), _counter(user=other_buyer)) == (None, None)
        assert _counter(shop=shop) == 3
        message_send(conversation=first, sender=buyer, text="a2")
        assert _counter(shop=shop) == 4 and shop_unread_total(user=seller) == 4
        # The shop answers the first: its 2 unread there are read, the buyer has 1.
        reply = message_send(conversation=first, sender=seller, text="r1")
        assert _counter(shop=shop) == 2
        assert _counter(user=buyer) == 1 and buyer_unread_total(user=buyer) == 1
        message_send(conversation=second, sender=seller, text="r2")
        message_send(conversation=second, sender=seller, text="r3")
        assert _counter(user=buyer) == 3
        # The seller deletes an unread answer: one fewer for the buyer.
        message_delete(user=seller, message=reply)
        assert _counter(user=buyer) == 2
        # Deleting a message that was already read changes nothing.
        conversation_mark_read(user=seller, conversation=third)
        assert _counter(shop=shop) == 0
        message_delete(user=buyer, message=m1)  # read by the shop's answer already
        assert _counter(shop=shop) == 0
        conversation_mark_read(user=buyer, conversation=second)
        assert _counter(user=buyer) == 0
        assert _counter(user=other_buyer) is None
    assert (buyer_unread_total(user=buyer), shop_unread_total(user=seller)) == _sums(buyer, shop)
    assert shop_unread_total(user=buyer) == 0 and buyer_unread_total(user=seller) == 0


@pytest.mark.django_db
def test_a_shop_counter_is_shared_by_its_members(buyer, seller, shop):
    from comptoir.accounts.models import ShopMembership

    colleague = UserFactory(email="colleague@example.org")
    ShopMembership.objects.create(shop=shop, user=colleague)
    conversation_start(buyer=buyer, product=make_product(shop), text="Bonjour")
    assert inbox_unread_count(user=seller) == 1
    assert inbox_unread_count(user=colleague) == 1
    assert inbox_unread_count(user=buyer) == 0


@pytest.mark.django_db
def test_unread_count_and_page_cost_a_fixed_number_of_queries(
    buyer, seller, shop, django_assert_num_queries
):
    for index in range(6):
        conversation, _m = conversation_start(
            buyer=buyer, product=make_product(shop, f"P{index}"), text=f"q{index}"
        )
        message_send(conversation=conversation, sender=seller, text=f"r{index}")
        notify(user=buyer, kind="system", event_key=f"n{index}", title="t", body="b")
    # The buyer's and shops' counters in one query, notifications and support replies in
    # another, one per other source (disputes): whatever the history.
    assert inbox_unread_count(user=buyer) == 12  # compiles the grouped queries once
    others = sum(1 for _k, s in inbox_sources.items() if not s.count_group)
    with django_assert_num_queries(2 + others):
        assert inbox_unread_count(user=buyer) == 12
    # One per source (conversations, shop ids, notifications, support replies, and the
    # sources of later apps): no query per item.
    with django_assert_num_queries(len(inbox_sources)):
        assert len(inbox_page(user=buyer, limit=20).items) == 12


def _break_counters(buyer, other_buyer, shop) -> None:
    UnreadCounter.objects.filter(user=buyer).update(count=40)  # drifted
    UnreadCounter.objects.filter(shop=shop).delete()  # lost
    UnreadCounter.objects.update_or_create(user=other_buyer, defaults={"count": 7})  # stale


@pytest.mark.django_db
def test_the_reconcile_sweep_repairs_broken_counters(buyer, other_buyer, seller, shop):
    assert "messaging.unread_reconcile" in sweeps
    conversation, _m = conversation_start(buyer=buyer, product=make_product(shop), text="q")
    message_send(conversation=conversation, sender=buyer, text="q2")
    message_send(conversation=conversation, sender=seller, text="r")
    message_send(conversation=conversation, sender=seller, text="r2")
    assert (_counter(user=buyer), _counter(shop=shop)) == (2, 0)
    message_send(conversation=conversation, sender=buyer, text="q3")
    assert (_counter(user=buyer), _counter(shop=shop)) == (0, 1)
    _break_counters(buyer, other_buyer, shop)
    assert inbox_unread_count(user=buyer) == 40 and inbox_unread_count(user=seller) == 0

    result = run_sweep("messaging.unread_reconcile", now=T0 + dt.timedelta(hours=1))
    assert (result.handled, result.skipped) == (3, False)
    assert (_counter(user=buyer), _counter(user=other_buyer), _counter(shop=shop)) == (0, 0, 1)
    assert inbox_unread_count(user=seller) == 1 and inbox_unread_count(user=buyer) == 0
    # Idempotent: nothing left to repair, and a healthy counter is left alone.
    assert run_sweep("messaging.unread_reconcile").handled == 0
    assert (_counter(user=buyer), _counter(user=other_buyer), _counter(shop=shop)) == (0, 0, 1)


def _concurrent_sends(buyer, other_buyer, seller, shop, *, rounds: int) -> None:
    """Buyers and the seller write in three conversations of one shop at once, and read."""
    conversations = [
        conversation_start(buyer=buyer, product=make_product(shop, "A"), text="0")[0],
        conversation_start(buyer=buyer, product=make_product(shop, "B"), text="0")[0],
        conversation_start(buyer=other_buyer, product=make_product(shop, "C"), text="0")[0],
    ]
    errors: list[BaseException] = []

    def burst(sender, targets, count, read=False):
        from django.db import connection

        try:
            for index in range(count):
                target = targets[index % len(targets)]
                message_send(conversation=target, sender=sender, text=f"m{index}")
                if read and index % 3 == 2:
                    conversation_mark_read(user=sender, conversation=target)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=burst, args=(buyer, conversations[:2], rounds)),
        threading.Thread(target=burst, args=(buyer, conversations[1::-1], rounds)),
        threading.Thread(target=burst, args=(other_buyer, conversations[2:], rounds)),
        threading.Thread(target=burst, args=(seller, conversations, rounds, True)),
        threading.Thread(target=burst, args=(seller, conversations[::-1], rounds // 2)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    total = sum(c.messages.count() for c in Conversation.objects.filter(shop=shop))
    assert total == 3 + 4 * rounds + rounds // 2


def _assert_exact(buyer, other_buyer, seller, shop) -> None:
    buyer_sum, shop_sum = _sums(buyer, shop)
    other_sum = Conversation.objects.filter(buyer=other_buyer).aggregate(n=Sum("buyer_unread"))
    assert (_counter(user=buyer) or 0) == buyer_sum
    assert buyer_unread_total(user=buyer) == buyer_sum
    assert buyer_unread_total(user=other_buyer) == int(other_sum["n"] or 0)
    assert shop_unread_total(user=seller) == shop_sum
    # And each conversation's own counters are exact (messages after the side's last message).
    for conversation in Conversation.objects.filter(shop=shop):
        messages = conversation.messages.order_by("pk")
        for side, other in (("buyer", "shop"), ("shop", "buyer")):
            read_up_to = conversation.read_up_to_of(side)
            expected = messages.filter(sender_side=other, pk__gt=read_up_to).count()
            assert conversation.unread_for(side) == expected
    assert run_sweep("messaging.unread_reconcile").handled == 0  # nothing drifted


@pytest.mark.django_db(transaction=True)
def test_counters_stay_exact_under_concurrent_sends(buyer, other_buyer, seller, shop):
    _concurrent_sends(buyer, other_buyer, seller, shop, rounds=6)
    _assert_exact(buyer, other_buyer, seller, shop)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_counters_stay_exact_under_concurrent_sends_on_postgres(
    buyer, other_buyer, seller, shop, settings
):
    # Real row locks (no SQLite write serialisation): many more sends, no deadlock, exact.
    settings.MESSAGING_RATE_LIMITS = {"message_minute": (1000, 60), "message_hour": (1000, 3600)}
    _concurrent_sends(buyer, other_buyer, seller, shop, rounds=30)
    _assert_exact(buyer, other_buyer, seller, shop)


@pytest.mark.django_db
def test_batch_unread_counts_equal_each_users_count(
    buyer, other_buyer, seller, shop, django_assert_num_queries
):
    from comptoir.accounts.models import ShopMembership
    from comptoir.messaging.inbox import inbox_unread_counts

    colleague = UserFactory(email="colleague@example.org")
    ShopMembership.objects.create(shop=shop, user=colleague)
    conversation, _m = conversation_start(buyer=buyer, product=make_product(shop), text="q")
    conversation_start(buyer=other_buyer, product=make_product(shop, "B"), text="q")
    message_send(conversation=conversation, sender=seller, text="r")
    notify(user=buyer, kind="system", event_key="n1", title="t", body="b")
    notify(user=seller, kind="system", event_key="n2", title="t", body="b")
    users = [buyer, other_buyer, seller, colleague]
    # Each source's own single-user count, summed: the reference the batch path must match.
    expected = {
        u.pk: sum(source.unread_count(user=u) for _key, source in inbox_sources.items())
        for u in users
    }
    assert expected == {buyer.pk: 2, other_buyer.pk: 0, seller.pk: 2, colleague.pk: 1}
    assert {u.pk: inbox_unread_count(user=u) for u in users} == expected
    ids = [u.pk for u in users] + [buyer.pk]
    assert inbox_unread_counts(user_ids=ids) == expected  # compiles the grouped queries
    others = sum(1 for _k, s in inbox_sources.items() if not s.count_group)
    # One query per count group (conversations; notifications and support replies), one per
    # other source, whatever the number of users, and no compiling once compiled.
    with django_assert_num_queries(2 + others):
        assert inbox_unread_counts(user_ids=ids) == expected
    assert inbox_unread_counts(user_ids=[]) == {}


@pytest.mark.django_db
def test_unread_counters_in_the_admin_are_read_only_with_french_labels(buyer, product):
    from django.test import Client

    conversation_start(buyer=buyer, product=product, text="Bonjour")
    admin_user = UserFactory(email="root@example.org", role=Role.ADMIN)
    admin_user.language = "fr"
    admin_user.save(update_fields=["language"])
    client = Client()
    client.force_login(admin_user)
    page = client.get("/admin/messaging/unreadcounter/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "compteurs de non-lus" in html.lower()
    assert "Messages non lus" in html and "Propriétaire" in html
    assert f'>{product.shop.name}</a></th><td class="field-count">1</td>' in html
    # Written by the services and the reconcile sweep only: no add, change or delete.
    assert client.get("/admin/messaging/unreadcounter/add/").status_code == 403
    counter = UnreadCounter.objects.get(shop_id=product.shop_id)
    response = client.post(f"/admin/messaging/unreadcounter/{counter.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    assert UnreadCounter.objects.filter(pk=counter.pk).exists()
