"""Dispute updates in the Message Center: one item per event and person, under "Litiges",
not listed a second time among notifications, unread until opened, and only one's own."""

from __future__ import annotations

import pytest

from comptoir.core import clock
from comptoir.disputes import services as s
from comptoir.disputes.models import DisputeEvent
from comptoir.messaging.inbox import inbox_open, inbox_page, inbox_unread_count, inbox_unread_counts

from .conftest import DAY
from .test_notify import NOW, delivered, open_received, refused

pytestmark = pytest.mark.django_db


def keys(page):
    return [i.key for i in page.items]


def test_each_event_is_one_item_under_disputes_and_not_among_notifications(buyer, seller, shop):
    d = refused(buyer, seller, shop)
    with clock.frozen_at(NOW + 2 * DAY):
        s.dispute_escalate(user=buyer, public_id=d.public_id)
    events = {e.action: e.pk for e in DisputeEvent.objects.filter(dispute=d)}
    seller_page = inbox_page(user=seller, category="disputes")
    # The seller is told of the opening and the escalation (not of their own refusal).
    assert [(i.source, i.category) for i in seller_page.items] == [("disputes", "disputes")] * 2
    assert [i.title for i in seller_page.items] == [
        f"Le litige sur la commande {d.order.formatted_number} est transmis aux médiateurs "
        "de la plateforme",
        f"Un acheteur a ouvert un litige sur la commande {d.order.formatted_number}",
    ]
    assert seller_page.items[0].extra["status"] == "Chez les médiateurs de la plateforme"
    assert inbox_page(user=seller, category="notifications").items == []
    everything = inbox_page(user=seller)
    assert len(everything.items) == 2
    buyer_page = inbox_page(user=buyer, category="disputes")
    assert len(buyer_page.items) == 1 and buyer_page.items[0].url == f"/disputes/{d.public_id}/"
    assert events.keys() >= {"open", "refuse", "escalate"}


def test_unread_until_opened_and_foreign_items_are_not_found(buyer, seller, shop, stranger):
    from comptoir.core.errors import NotFound

    d = open_received(buyer, delivered(buyer, shop))
    assert inbox_unread_count(user=seller) == 1
    assert inbox_unread_counts(user_ids=[seller.pk, buyer.pk]) == {seller.pk: 1, buyer.pk: 0}
    (item,) = inbox_page(user=seller, category="disputes").items
    with pytest.raises(NotFound):
        inbox_open(user=stranger, key=item.key)
    assert inbox_open(user=seller, key=item.key) == f"/disputes/{d.public_id}/"
    assert inbox_unread_count(user=seller) == 0
    assert inbox_page(user=seller, category="disputes").items[0].unread == 0


def test_pages_do_not_repeat_and_search_finds_the_order(buyer, seller, shop):
    orders = [delivered(buyer, shop) for _ in range(3)]
    for order in orders:
        open_received(buyer, order)
    first = inbox_page(user=seller, category="disputes", limit=2)
    second = inbox_page(user=seller, category="disputes", limit=2, cursor=first.next_cursor)
    assert len(first.items) == 2 and len(second.items) == 1 and second.next_cursor is None
    assert not set(keys(first)) & set(keys(second))
    found = inbox_page(user=seller, query=orders[1].formatted_number)
    assert [i.source for i in found.items] == ["disputes"]


def test_the_disputes_filter_on_the_message_center_page(client, buyer, seller, shop):
    d = open_received(buyer, delivered(buyer, shop))
    client.force_login(seller)
    page = client.get("/messages/?filter=disputes").content.decode()
    assert d.order.formatted_number in page
