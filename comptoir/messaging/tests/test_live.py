"""Live delivery over /ws/messages/ through the real ASGI app (uvicorn in a thread) and the
configured channel layer: in-memory in the SQLite pass, Redis when REDIS_URL is set (the
PostgreSQL pass). The other party writes through the live server's API, so the push starts where
a real one does. Unread counters stay exact under concurrent sends."""

from __future__ import annotations

import json
import threading
import time
import urllib.request

import pytest
from django.test import Client

from comptoir.accounts.services import api_token_create
from comptoir.messaging.models import Conversation
from comptoir.messaging.selectors import unread_conversations_total
from comptoir.messaging.services import conversation_start, message_send

from .conftest import make_product


def _cookie(user) -> str:
    client = Client()
    client.force_login(user)
    return f"sessionid={client.cookies['sessionid'].value}"


def _socket(live_url, user):
    from websockets.sync.client import connect

    return connect(
        live_url.replace("http://", "ws://") + "/ws/messages/",
        additional_headers={"Cookie": _cookie(user)},
        origin=live_url,
        open_timeout=10,
    )


def _api(live_url, token, path, payload=None):
    request = urllib.request.Request(
        live_url + path,
        data=json.dumps(payload or {}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _wait_for(socket, kind, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        event = json.loads(socket.recv(timeout=max(0.05, deadline - time.monotonic())))
        if event.get("type") == kind:
            return event
    raise AssertionError(f"no {kind} event")


@pytest.mark.django_db(transaction=True)
def test_message_read_receipt_and_typing_arrive_live(live_url, buyer, seller, product):
    conversation, _m = conversation_start(buyer=buyer, product=product, text="Taille ?")
    seller_token = api_token_create(user=seller).key
    buyer_token = api_token_create(user=buyer).key
    with _socket(live_url, buyer) as buyer_ws, _socket(live_url, seller) as seller_ws:
        started = time.monotonic()
        sent = _api(
            live_url,
            seller_token,
            f"/api/v1/messages/conversations/{conversation.public_id}/messages",
            {"text": "Du S au XL, voir https://exemple.fr"},
        )
        event = _wait_for(buyer_ws, "messaging.message")
        assert time.monotonic() - started < 2
        assert event["conversation"] == conversation.public_id
        assert event["message"]["id"] == sent["id"]
        assert event["message"]["side"] == "shop"
        assert 'rel="nofollow noopener noreferrer ugc"' in event["message"]["html"]
        assert event["unread_total"] == 1
        # The buyer's page marks it read over the socket: the seller gets the receipt.
        buyer_ws.send(json.dumps({"type": "read", "conversation": conversation.public_id}))
        receipt = _wait_for(seller_ws, "messaging.read")
        assert receipt["side"] == "buyer" and receipt["up_to"] >= 1
        seller_ws.send(json.dumps({"type": "typing", "conversation": conversation.public_id}))
        typing = _wait_for(buyer_ws, "messaging.typing")
        assert typing["side"] == "shop" and typing["name"] == conversation.shop.name
        # A buyer-side API message reaches the seller's socket too.
        _api(
            live_url,
            buyer_token,
            f"/api/v1/messages/conversations/{conversation.public_id}/messages",
            {"text": "Merci !"},
        )
        assert _wait_for(seller_ws, "messaging.message")["message"]["side"] == "buyer"
    assert unread_conversations_total(user=buyer) == 0


@pytest.mark.django_db(transaction=True)
def test_a_third_party_socket_gets_nothing_and_cannot_type(
    live_url, buyer, other_buyer, seller, product
):
    conversation, _m = conversation_start(buyer=buyer, product=product, text="Bonjour")
    seller_token = api_token_create(user=seller).key
    with _socket(live_url, other_buyer) as intruder, _socket(live_url, buyer) as buyer_ws:
        intruder.send(json.dumps({"type": "typing", "conversation": conversation.public_id}))
        intruder.send(json.dumps({"type": "read", "conversation": conversation.public_id}))
        _api(
            live_url,
            seller_token,
            f"/api/v1/messages/conversations/{conversation.public_id}/messages",
            {"text": "Réponse"},
        )
        assert _wait_for(buyer_ws, "messaging.message")["message"]["text"] == "Réponse"
        with pytest.raises(TimeoutError):
            intruder.recv(timeout=0.5)
    conversation.refresh_from_db()
    assert conversation.shop_read_up_to > 0 and conversation.buyer_unread == 1


@pytest.mark.django_db(transaction=True)
def test_unread_counts_are_exact_under_concurrent_sends(buyer, other_buyer, seller, shop):
    product = make_product(shop)
    conversation, _m = conversation_start(buyer=buyer, product=product, text="0")
    other, _m = conversation_start(buyer=other_buyer, product=product, text="0")
    errors: list[BaseException] = []

    def burst(sender, target, count):
        from django.db import connection

        try:
            for index in range(count):
                message_send(conversation=target, sender=sender, text=f"m{index}")
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=burst, args=(buyer, conversation, 8)),
        threading.Thread(target=burst, args=(buyer, conversation, 8)),
        threading.Thread(target=burst, args=(other_buyer, other, 8)),
        threading.Thread(target=burst, args=(seller, conversation, 5)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    conversation = Conversation.objects.get(pk=conversation.pk)
    other = Conversation.objects.get(pk=other.pk)
    # The shop has unread buyer messages since its own last message; exact totals overall:
    assert conversation.messages.count() == 1 + 16 + 5
    assert other.shop_unread == 9
    assert unread_conversations_total(user=seller) == conversation.shop_unread + 9
    last_shop = conversation.messages.filter(sender_side="shop").order_by("-pk").first()
    assert (
        conversation.shop_unread
        == conversation.messages.filter(sender_side="buyer", pk__gt=last_shop.pk).count()
    )
    last_buyer = conversation.messages.filter(sender_side="buyer").order_by("-pk").first()
    assert (
        conversation.buyer_unread
        == conversation.messages.filter(sender_side="shop", pk__gt=last_buyer.pk).count()
    )


def test_grouped_pushes_carry_the_event_encoded_once(monkeypatch):
    import json as _json

    from comptoir.core import realtime

    sent: list[tuple[str, dict]] = []

    class Layer:
        async def group_send(self, group, message):
            sent.append((group, message))

    monkeypatch.setattr(realtime, "get_channel_layer", lambda: Layer())
    realtime.push_to_groups([("user.1", {"type": "a", "n": 1}), ("user.2", {"type": "b"})])
    assert [group for group, _m in sent] == ["user.1", "user.2"]  # in order
    by_group = dict(sent)
    assert by_group["user.1"] == {"type": "event.push", "text": '{"type":"a","n":1}'}
    # The sockets forward the text as it is; push_to_group's dict form is encoded there.
    assert realtime.event_text(by_group["user.1"]) == '{"type":"a","n":1}'
    message = {"type": "event.push", "event": {"type": "c"}}
    assert _json.loads(realtime.event_text(message)) == {"type": "c"}
