"""API endpoints and the provider webhook (forged, stale, replayed)."""

from __future__ import annotations

import datetime as dt
import json
import time  # noqa: F401

import pytest

from comptoir.core.outbox import drain_outbox
from comptoir.ledger.enums import TransferState
from comptoir.ledger.models import JournalEntry, Refund, WebhookEvent
from comptoir.ledger.providers import signing
from comptoir.ledger.services import escrow_release_due, refund_full
from comptoir.testing.factories import UserFactory

from .conftest import T0, WHSEC, deliver, make_order

pytestmark = pytest.mark.django_db
URL = "/api/v1/payments/webhooks/sandbox"


def _unix_now() -> float:
    """Webhook timestamps are real Unix time (the provider's clock, not the movable one)."""
    from comptoir.core.clock import wall_now

    return wall_now().timestamp()


def post_event(client, payload: str, header: str):
    return client.post(URL, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=header)


def test_async_refund_confirmed_by_signed_webhook_once(client, buyer, shop, sandbox):
    order = make_order(buyer, shop, ["10.00"], shipping="0")
    drain_outbox()
    sandbox.script("pending_success")
    refund = refund_full(order=order, idempotency_key="r")
    drain_outbox()
    refund.refresh_from_db()
    assert refund.state == TransferState.IN_TRANSIT and refund.provider_id.startswith("re_sbx_")
    (event,) = sandbox.server.settle()
    response = post_event(client, event["payload"], event["signature"])
    assert response.status_code == 200, response.content
    refund.refresh_from_db()
    assert refund.state == TransferState.SUCCEEDED
    entries = JournalEntry.objects.count()
    again = post_event(client, event["payload"], event["signature"])  # replay: acknowledged, no-op
    assert again.status_code == 200
    assert JournalEntry.objects.count() == entries
    assert WebhookEvent.objects.count() == 1


def test_forged_and_stale_webhooks_are_refused_and_change_nothing(client, buyer, shop, sandbox):
    order = make_order(buyer, shop, ["10.00"], shipping="0")
    drain_outbox()
    sandbox.script("pending_success")
    refund = refund_full(order=order, idempotency_key="r")
    drain_outbox()
    (event,) = sandbox.server.settle()
    forged = signing.sign(event["payload"].encode(), secret="whsec_attacker")
    response = post_event(client, event["payload"], forged)
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_signature"
    tampered = event["payload"].replace('"succeeded"', '"failed"')
    assert post_event(client, tampered, event["signature"]).status_code == 400
    old = signing.sign(event["payload"].encode(), secret=WHSEC, timestamp=int(_unix_now()) - 3600)
    response = post_event(client, event["payload"], old)
    assert response.status_code == 400 and response.json()["code"] == "stale_signature"
    assert post_event(client, event["payload"], "").status_code == 400
    assert WebhookEvent.objects.count() == 0
    refund.refresh_from_db()
    assert refund.state == TransferState.IN_TRANSIT


def test_protection_endpoint_scoped(client, buyer, shop):
    order = deliver(make_order(buyer, shop, ["39.90", "12.50"], shipping="4.90"), T0)
    client.force_login(buyer)
    data = client.get(f"/api/v1/orders/{order.number}/protection").json()
    assert data["held"] == {"amount": "57.30", "currency": "EUR"}
    assert data["state"] == "held"
    assert data["basis"] == "delivered"
    assert data["ends_at"].startswith((T0 + dt.timedelta(days=60)).date().isoformat())
    assert [line["held"]["amount"] for line in data["lines"]] == ["39.90", "12.50"]
    client.force_login(UserFactory(email="stranger@example.org"))
    assert client.get(f"/api/v1/orders/{order.number}/protection").status_code == 404


def test_seller_balance_statement_and_payout(client, buyer, seller, shop, sandbox):
    deliver(make_order(buyer, shop, ["100.00"], shipping="0"), T0)
    escrow_release_due(now=T0 + dt.timedelta(days=60))
    client.force_login(seller)
    balance = client.get("/api/v1/sellers/me/balance").json()
    assert balance["available"] == {"amount": "95.00", "currency": "EUR"}
    assert balance["held"]["amount"] == "0.00"
    statement = client.get("/api/v1/sellers/me/statement?account=available").json()
    assert [(i["kind"], i["amount"]["amount"]) for i in statement["items"]] == [
        ("release", "95.00")
    ]
    held = client.get("/api/v1/sellers/me/statement?account=held&limit=1").json()
    assert len(held["items"]) == 1 and held["next_cursor"]
    body = {"amount": "95.01", "idempotency_key": "k1"}
    response = client.post(
        "/api/v1/sellers/me/payouts", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 409 and response.json()["code"] == "insufficient_funds"
    body["amount"] = "40.00"
    first = client.post(
        "/api/v1/sellers/me/payouts", json.dumps(body), content_type="application/json"
    )
    assert first.status_code == 201, first.content
    second = client.post(
        "/api/v1/sellers/me/payouts", json.dumps(body), content_type="application/json"
    )
    assert second.json()["id"] == first.json()["id"]
    assert client.get("/api/v1/sellers/me/balance").json()["available"]["amount"] == "55.00"
    client.force_login(buyer)
    assert client.get("/api/v1/sellers/me/balance").status_code == 404


def test_pages_render(client, buyer, seller, shop):
    order = deliver(make_order(buyer, shop, ["39.90"], shipping="4.90"), T0)
    client.force_login(buyer)
    from comptoir.core.order_numbers import format_order_number

    page = client.get(f"/orders/{format_order_number(order.number)}/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert b'id="protection"' in page.content
    client.force_login(seller)
    assert client.get("/seller/balance/?tab=held").status_code == 200
    assert client.get("/seller/balance/payout/").status_code == 200
    assert Refund.objects.count() == 0
