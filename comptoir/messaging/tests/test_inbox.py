from __future__ import annotations

import datetime as dt

import pytest

from comptoir.core import clock
from comptoir.core.notifications import notify
from comptoir.messaging.inbox import inbox_open, inbox_page, inbox_unread_count
from comptoir.messaging.services import conversation_start, message_send

from .conftest import T0, make_product

pytestmark = pytest.mark.django_db


def _conversations(buyer, shop, count):
    conversations = []
    for index in range(count):
        product = make_product(shop, f"Produit {index}")
        # Several at the same instant: the (time, source, id) position must not lose any.
        with clock.frozen_at(T0 + dt.timedelta(minutes=index // 3)):
            conversations.append(
                conversation_start(buyer=buyer, product=product, text=f"Question {index}")[0]
            )
    return conversations


def test_merged_pages_are_newest_first_without_gaps_or_repeats(buyer, shop):
    _conversations(buyer, shop, 7)
    for index in range(5):
        with clock.frozen_at(T0 + dt.timedelta(minutes=index // 2, seconds=30)):
            notify(
                user=buyer, kind="system", event_key=f"e{index}", title=f"Note {index}", body="b"
            )
    seen, cursor = [], None
    while True:
        page = inbox_page(user=buyer, cursor=cursor, limit=3)
        seen.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len(seen) == 12
    assert len({item.key for item in seen}) == 12
    times = [item.at for item in seen]
    assert times == sorted(times, reverse=True)


def test_filters_and_unread_total(buyer, seller, shop):
    conversation = _conversations(buyer, shop, 1)[0]
    message_send(conversation=conversation, sender=seller, text="Réponse du vendeur")
    notify(user=buyer, kind="system", event_key="x", title="Bienvenue", body="b")
    assert inbox_unread_count(user=buyer) == 2
    assert [i.source for i in inbox_page(user=buyer, category="sellers").items] == ["conversations"]
    assert [i.source for i in inbox_page(user=buyer, category="notifications").items] == [
        "notifications"
    ]
    assert inbox_page(user=buyer, category="disputes").items == []
    # The seller sees the same conversation on the shop side.
    assert [i.source for i in inbox_page(user=seller).items] == ["conversations-shop"]
    url = inbox_open(user=buyer, key=f"conversations:{conversation.pk}")
    assert url == f"/messages/c/{conversation.public_id}/"


def test_search_in_message_text(buyer, seller, shop):
    first, second = _conversations(buyer, shop, 2)
    message_send(conversation=second, sender=seller, text="Le câble est endommagé")
    found = inbox_page(user=buyer, query="endommage")
    assert [item.seq for item in found.items] == [second.pk]
    assert inbox_page(user=buyer, query="introuvable").items == []


def test_ticket_reply_is_one_inbox_item_not_two(buyer):
    """A support reply shows as a "customer service" item; its notification is not listed again."""
    from comptoir.taxonomy.seeders import taxonomy_seed
    from comptoir.tickets.enums import Channel
    from comptoir.tickets.services import InboundMessage, intake_receive, ticket_reply
    from comptoir.tickets.tests.conftest import make_agent

    taxonomy_seed()
    agent = make_agent(email="camille@example.org", teams=("delivery-delay",))
    result = intake_receive(
        inbound=InboundMessage(
            channel=Channel.WEB,
            channel_message_id="t1",
            text="Mon colis n'arrive pas",
            sender_user=buyer,
            node_code="delivery.delay",
        )
    )
    ticket_reply(ticket=result.ticket, user=agent, text="Nous avons relancé le transporteur.")
    support = inbox_page(user=buyer, category="support").items
    assert len(support) == 1 and support[0].unread == 1
    assert "relancé" in support[0].preview
    notifications = [i.title for i in inbox_page(user=buyer, category="notifications").items]
    assert all("New answer" not in t and "Nouvelle réponse" not in t for t in notifications)
    before = inbox_unread_count(user=buyer)
    inbox_open(user=buyer, key=support[0].key)
    assert inbox_unread_count(user=buyer) == before - 1


def test_foreign_items_cannot_be_opened(buyer, other_buyer, shop):
    from comptoir.core.errors import NotFound

    conversation = _conversations(buyer, shop, 1)[0]
    with pytest.raises(NotFound):
        inbox_open(user=other_buyer, key=f"conversations:{conversation.pk}")
    with pytest.raises(NotFound):
        inbox_open(user=other_buyer, key="nope:1")
