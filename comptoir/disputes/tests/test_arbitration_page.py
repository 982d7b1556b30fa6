"""The arbitration screen's buyer–seller messages, 50 a page (keyset), and the seller's debt to
the platform shown beside the money of the lines."""

from __future__ import annotations

import datetime as dt

import pytest

from comptoir.core import clock
from comptoir.core.errors import NotFound
from comptoir.disputes import selectors
from comptoir.ledger.enums import AccountKind
from comptoir.ledger.services.posting import account_get_or_create
from comptoir.messaging.services import conversation_start, message_send

from .test_notify import NOW, escalated

pytestmark = pytest.mark.django_db


def chat(buyer, seller, order, n: int) -> None:
    with clock.frozen_at(NOW - dt.timedelta(hours=2)):
        conversation, _first = conversation_start(buyer=buyer, order=order, text="Message 1")
    for i in range(2, n + 1):
        with clock.frozen_at(NOW - dt.timedelta(hours=2) + dt.timedelta(seconds=i)):
            message_send(
                conversation=conversation,
                sender=seller if i % 2 else buyer,
                text=f"Message {i}",
                _rate_limited=True,
            )


def test_messages_come_fifty_a_page_oldest_first(client, buyer, seller, shop, officer):
    d = escalated(buyer, seller, shop)
    chat(buyer, seller, d.order, 61)
    first = selectors.arbitration_messages(user=officer, dispute=d)
    assert [m.text for m in first.items] == [f"Message {i}" for i in range(1, 51)]
    second = selectors.arbitration_messages(user=officer, dispute=d, cursor=first.next_cursor)
    assert [m.text for m in second.items] == [f"Message {i}" for i in range(51, 62)]
    assert second.next_cursor is None
    with pytest.raises(NotFound):
        selectors.arbitration_messages(user=seller, dispute=d)
    client.force_login(officer)
    url = f"/disputes/{d.public_id}/arbitrate/"
    page = client.get(url).content.decode()
    assert page.count('class="dp-msg') == 50
    assert "Message 50<" in page and "Message 51<" not in page
    assert "Messages suivants" in page and "Premiers messages" not in page
    later = client.get(url, {"messages": first.next_cursor}).content.decode()
    assert later.count('class="dp-msg') == 11
    assert "Message 61<" in later and "Messages suivants" not in later
    assert "Premiers messages" in later
    assert client.get(url, {"messages": "forged"})["Location"] == url


def test_no_messages_is_said_in_english(client, buyer, seller, shop, officer):
    d = escalated(buyer, seller, shop)
    officer.language = "en"
    officer.save(update_fields=["language"])
    client.force_login(officer)
    page = client.get(f"/disputes/{d.public_id}/arbitrate/").content.decode()
    assert "The buyer and the seller exchanged no message about this order." in page
    assert "Later messages" not in page


def test_the_sellers_debt_is_shown_to_the_officer(client, buyer, seller, shop, officer):
    d = escalated(buyer, seller, shop)
    client.force_login(officer)
    url = f"/disputes/{d.public_id}/arbitrate/"
    assert "Dû à la plateforme" not in client.get(url).content.decode()
    receivable = account_get_or_create(
        kind=AccountKind.SELLER_RECEIVABLE, currency="EUR", shop_id=shop.pk
    )
    type(receivable).objects.filter(pk=receivable.pk).update(balance_minor=-1250)
    page = client.get(url).content.decode()
    assert "Dû à la plateforme" in page and "12,50" in page
