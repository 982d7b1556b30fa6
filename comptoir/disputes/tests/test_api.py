"""The API: scoped to buyer, seller and staff (404 otherwise); actions from the table."""

from __future__ import annotations

import pytest

from comptoir.core import clock
from comptoir.testing.factories import StaffFactory

from .conftest import line_ids, photo_of
from .test_services import NOW, delivered, open_received

pytestmark = pytest.mark.django_db


def test_open_through_the_api_then_seller_refuses_and_buyer_escalates(client, buyer, seller, shop):
    order = delivered(buyer, shop)
    photo = photo_of(buyer)
    client.force_login(buyer)
    with clock.frozen_at(NOW):
        r = client.post(
            "/api/v1/disputes",
            {
                "order": order.number,
                "lines": line_ids(order)[:1],
                "reason": "wrong_item",
                "request": "refund",
                "amount": "20.00",
                "description": "Mauvaise couleur",
                "evidence": [photo.public_id],
            },
            content_type="application/json",
        )
    assert r.status_code == 201, r.json()
    body = r.json()
    assert (body["status"], body["requested"]) == (
        "awaiting_seller",
        {"amount": "20.00", "currency": "EUR"},
    )
    assert body["actions"] == ["cancel"]
    assert body["evidence"] == [photo.public_id]
    pid = body["id"]
    client.force_login(seller)
    assert client.get(f"/api/v1/disputes/{pid}").json()["actions"] == ["accept", "refuse"]
    r = client.post(
        f"/api/v1/disputes/{pid}/refuse",
        {"outcome": "partial_refund", "amount": "5.00", "message": "5 €"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "refused"
    r = client.post(f"/api/v1/disputes/{pid}/escalate", {}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (400, "action_not_allowed")
    client.force_login(buyer)
    assert client.get(f"/api/v1/disputes/{pid}").json()["actions"] == [
        "accept-counter",
        "modify",
        "cancel",
        "escalate",
    ]
    r = client.post(f"/api/v1/disputes/{pid}/escalate", {}, content_type="application/json")
    assert r.json()["status"] == "escalated"
    assert [e["action"] for e in r.json()["events"]] == ["open", "refuse", "escalate"]


def test_visibility_and_list(client, buyer, seller, shop, stranger):
    order = delivered(buyer, shop)
    d = open_received(buyer, order)
    for user, status in ((stranger, 404), (buyer, 200), (seller, 200), (StaffFactory(), 200)):
        client.force_login(user)
        assert client.get(f"/api/v1/disputes/{d.public_id}").status_code == status
    client.force_login(stranger)
    assert client.get("/api/v1/disputes").json() == {"items": [], "next_cursor": None}
    r = client.post(f"/api/v1/disputes/{d.public_id}/cancel", {}, content_type="application/json")
    assert r.status_code == 404
    client.force_login(seller)
    items = client.get("/api/v1/disputes").json()["items"]
    assert [(i["id"], i["lines"]) for i in items] == [(d.public_id, line_ids(order)[:1])]


def test_anonymous_is_refused(client):
    assert client.get("/api/v1/disputes").status_code == 401


def test_invalid_open_is_422_and_writes_nothing(client, buyer, shop):
    from comptoir.disputes.models import Dispute

    order = delivered(buyer, shop)
    client.force_login(buyer)
    with clock.frozen_at(NOW):
        r = client.post(
            "/api/v1/disputes",
            {
                "order": order.number,
                "lines": line_ids(order),
                "reason": "damaged",
                "request": "refund",
                "amount": "1.00",
                "description": "x",
            },
            content_type="application/json",
        )
    assert (r.status_code, r.json()["details"]) == (422, {"field": "evidence"})
    assert not Dispute.objects.exists()


def test_refusals_are_explained_in_french(client, buyer, shop):
    from comptoir.orders.models import Order

    order = make_order_shipped(buyer, shop)
    client.force_login(buyer)
    with clock.frozen_at(NOW):
        r = client.post(
            "/api/v1/disputes",
            {
                "order": order.number,
                "lines": line_ids(order),
                "reason": "not_received",
                "request": "refund",
                "description": "Rien",
            },
            content_type="application/json",
            HTTP_ACCEPT_LANGUAGE="fr",
        )
    assert r.json()["code"] == "too_early"
    assert r.json()["message"].startswith("Le vendeur a promis une livraison au plus tard le")
    assert Order.objects.get(pk=order.pk).disputes.count() == 0


def make_order_shipped(buyer, shop):
    from comptoir.orders.models import Order

    from .conftest import DAY, T0, make_order

    order = make_order(buyer, shop, ["39.90"])
    Order.objects.filter(pk=order.pk).update(
        status="shipped", shipped_at=T0, promised_delivery_date=(NOW + 3 * DAY).date()
    )
    order.refresh_from_db()
    return order
