"""Staff screen and API for failed refunds and payouts; the order's payment status after
refunds; the protection box's texts taken from the settings."""

from __future__ import annotations

import datetime as dt

import pytest

from comptoir.accounts.models import Role
from comptoir.core import clock
from comptoir.core.money import Money
from comptoir.core.order_numbers import format_order_number
from comptoir.core.outbox import OutboxMessage, drain_outbox
from comptoir.ledger.enums import TransferState
from comptoir.ledger.models import Refund
from comptoir.ledger.services import refund_full, refund_partial
from comptoir.orders.models import Order
from comptoir.testing.factories import UserFactory

from .conftest import T0, deliver, make_order

pytestmark = pytest.mark.django_db
FAILED_URL = "/staff/payments/failed/"


def _failed_refund(buyer, shop, sandbox, key="r", price="10.00"):
    order = make_order(buyer, shop, [price], shipping="0")
    drain_outbox()  # the payment intent
    sandbox.script("decline", "decline", "decline")
    refund = refund_full(order=order, idempotency_key=key)
    now = clock.now()
    for _ in range(6):
        drain_outbox(now=now)
        now += dt.timedelta(days=1)
    refund.refresh_from_db()
    assert refund.state == TransferState.FAILED
    return refund


@pytest.fixture
def agent(db):
    return UserFactory(email="agent@example.org", role=Role.AGENT, language="en")


def speak(user, lang):
    """Pages follow the signed-in user's language."""
    type(user).objects.filter(pk=user.pk).update(language=lang)


def test_failed_refunds_screen_lists_reason_and_retries_after_confirmation(
    client, buyer, seller, shop, sandbox, agent
):
    refund = _failed_refund(buyer, shop, sandbox)
    for user in (buyer, seller):  # customers: the screen does not exist
        client.force_login(user)
        assert client.get(FAILED_URL).status_code == 404
        assert client.post(f"{FAILED_URL}{refund.public_id}/retry/").status_code == 404
    refund.refresh_from_db()
    assert (refund.state, refund.attempt) == (TransferState.FAILED, 3)

    client.force_login(agent)
    page = client.get(FAILED_URL)
    assert page.status_code == 200
    body = page.content.decode()
    assert format_order_number(refund.order.number) in body
    assert refund.last_error[:40] in body
    assert "Failed refunds and payouts" in body
    speak(agent, "fr")
    confirm = client.get(f"{FAILED_URL}{refund.public_id}/retry/")
    assert confirm.status_code == 200
    assert "Relancer ce remboursement ?" in confirm.content.decode()
    speak(agent, "en")
    refund.refresh_from_db()
    assert refund.state == TransferState.FAILED  # GET only asks
    sent_before = len(sandbox.requests("/v1/refunds"))

    done = client.post(f"{FAILED_URL}{refund.public_id}/retry/")
    assert done.status_code == 302 and done["Location"] == f"{FAILED_URL}?tab=refunds"
    refund.refresh_from_db()
    assert (refund.state, refund.attempt) == (TransferState.IN_TRANSIT, 4)
    assert (
        OutboxMessage.objects.filter(idempotency_key__endswith=f"{refund.public_id}:4").count() == 1
    )
    drain_outbox(now=clock.now() + dt.timedelta(days=7))  # after the back-off
    refund.refresh_from_db()
    assert (refund.state, refund.attempt) == (TransferState.SUCCEEDED, 4)  # sandbox accepts now
    keys = [r["idempotency_key"] for r in sandbox.requests("/v1/refunds")[sent_before:]]
    assert keys == [f"{refund.public_id}:4"]
    again = client.post(f"{FAILED_URL}{refund.public_id}/retry/")  # nothing is sent twice
    assert again.status_code == 302
    assert len(sandbox.requests("/v1/refunds")) == sent_before + 1
    assert b"No failed refund" in client.get(FAILED_URL).content


def test_failed_list_is_paginated_oldest_first(client, buyer, shop, sandbox, agent):
    from comptoir.ledger.selectors import failed_transfers

    first = _failed_refund(buyer, shop, sandbox, key="a")
    second = _failed_refund(buyer, shop, sandbox, key="b")
    page = failed_transfers(user=agent, kind="refunds", limit=1)
    assert page.items == [first] and page.next_cursor
    rest = failed_transfers(user=agent, kind="refunds", cursor=page.next_cursor, limit=1)
    assert rest.items == [second] and rest.next_cursor is None
    assert failed_transfers(user=agent, kind="payouts").items == []
    client.force_login(agent)
    html = client.get(f"{FAILED_URL}?tab=payouts").content
    assert b"No failed payout" in html


def test_failed_transfers_api_staff_only(client, buyer, seller, shop, sandbox, agent):
    refund = _failed_refund(buyer, shop, sandbox)
    client.force_login(seller)
    assert client.get("/api/v1/failed-transfers").status_code == 404
    assert client.post(f"/api/v1/failed-transfers/{refund.public_id}/retry").status_code == 404
    client.force_login(agent)
    data = client.get("/api/v1/failed-transfers?kind=refunds").json()
    assert data["next_cursor"] is None
    [item] = data["items"]
    assert item["id"] == refund.public_id
    assert item["kind"] == "refund" and item["state"] == "failed" and item["attempts"] == 3
    assert item["amount"] == {"amount": "10.00", "currency": "EUR"}
    assert item["order"] == format_order_number(refund.order.number)
    sandbox.script("decline")
    retried = client.post(f"/api/v1/failed-transfers/{refund.public_id}/retry").json()
    assert retried["attempts"] == 4 and retried["state"] == "in_transit"
    assert client.get("/api/v1/failed-transfers").json()["items"] == []
    drain_outbox(now=clock.now() + dt.timedelta(days=7))
    refund.refresh_from_db()
    assert refund.state == TransferState.FAILED  # declined once more: back on the list
    assert client.get("/api/v1/failed-transfers").json()["items"][0]["attempts"] == 4
    assert client.get("/api/v1/failed-transfers?kind=other").status_code == 404


def test_payment_status_follows_refunds(buyer, shop):
    order = make_order(buyer, shop, ["10.00", "5.00"], shipping="2.00")
    refund_partial(order=order, amount=Money.parse("3.00"), idempotency_key="p1")
    assert Order.objects.get(pk=order.pk).payment_status == "partially_refunded"
    refund_full(order=order, idempotency_key="f")
    assert Order.objects.get(pk=order.pk).payment_status == "refunded"
    other = make_order(buyer, shop, ["8.00"], shipping="0")
    refund_partial(order=other, amount=Money.parse("8.00"), idempotency_key="p2")
    assert Order.objects.get(pk=other.pk).payment_status == "refunded"
    untouched = make_order(buyer, shop, ["8.00"], shipping="0")
    assert Order.objects.get(pk=untouched.pk).payment_status == "captured"
    assert Refund.objects.filter(order=untouched).count() == 0


def _box(client, order, lang):
    speak(order.buyer, lang)
    page = client.get(f"/orders/{format_order_number(order.number)}/")
    assert page.status_code == 200
    html = page.content.decode()
    start = html.index('id="protection"')
    return " ".join(html[start : html.index("</section>", start)].split())


def test_protection_box_texts_follow_the_settings(client, buyer, shop, settings):
    settings.PROTECTION_HOLD_DAYS = 30
    settings.NOT_RECEIVED_GRACE_DAYS = 10
    client.force_login(buyer)
    now = clock.now()
    delivered = deliver(make_order(buyer, shop, ["10.00"]), now)
    box = _box(client, delivered, "en")
    assert "30 days after delivery" in box and "60" not in box
    assert "30 jours après la livraison" in _box(client, delivered, "fr")

    late = make_order(buyer, shop, ["10.00"])
    promised = (now - dt.timedelta(days=2)).date()
    Order.objects.filter(pk=late.pk).update(
        status="shipped", shipped_at=now - dt.timedelta(days=9), promised_delivery_date=promised
    )
    box = _box(client, late, "en")
    assert "has passed and the parcel is not marked as delivered" in box
    assert "open a “not received” dispute now" in box
    assert "dispute now" not in _box(client, delivered, "en")
    assert "litige « non reçu »" in _box(client, late, "fr")

    coming = make_order(buyer, shop, ["10.00"])
    Order.objects.filter(pk=coming.pk).update(
        status="shipped", shipped_at=now, promised_delivery_date=(now + dt.timedelta(days=3)).date()
    )
    box = _box(client, coming, "en")
    assert "Not delivered yet, expected by" in box and "10 days after the promised date" in box

    waiting = make_order(buyer, shop, ["10.00"])  # paid, not shipped
    assert "until 30 days after delivery" in _box(client, waiting, "en")
    assert T0 < now
