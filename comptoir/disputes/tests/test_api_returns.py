"""The API of returns and of the new dispute actions: scoped (404 otherwise), documented."""

from __future__ import annotations

import pytest

from comptoir.core import clock
from comptoir.core.sweeps import run_sweep
from comptoir.disputes.models import ReturnRequest
from comptoir.ledger.models import Refund
from comptoir.messaging.services import conversation_start
from comptoir.testing.factories import StaffFactory

from .conftest import DAY, line_ids, photo_of
from .test_evidence import escalated
from .test_services import NOW, delivered, open_received

pytestmark = pytest.mark.django_db


def post(client, path, data=None):
    return client.post(path, data or {}, content_type="application/json")


def test_change_of_mind_return_end_to_end(client, buyer, seller, shop, stranger):
    order = delivered(buyer, shop)
    client.force_login(buyer)
    with clock.frozen_at(NOW):
        r = post(
            client,
            "/api/v1/returns",
            {"order": order.number, "lines": line_ids(order)[:1], "unused": True, "note": "Non"},
        )
    assert r.status_code == 201, r.json()
    body = r.json()
    rid = body["id"]
    assert (body["kind"], body["status"], body["postage_payer"], body["actions"]) == (
        "change_of_mind",
        "awaiting_address",
        "buyer",
        ["return-cancel"],
    )
    assert body["due_at"] == "2026-03-17T09:00:00Z"
    client.force_login(stranger)
    assert client.get(f"/api/v1/returns/{rid}").status_code == 404
    assert post(client, f"/api/v1/returns/{rid}/cancel").status_code == 404
    assert client.get("/api/v1/returns").json() == {"items": [], "next_cursor": None}
    client.force_login(seller)
    assert client.get(f"/api/v1/returns/{rid}").json()["actions"] == ["return-address"]
    address = {"name": "B", "line1": "1 rue", "postal_code": "69001", "city": "Lyon"}
    r = post(client, f"/api/v1/returns/{rid}/address", {**address, "country": "FR"})
    assert r.status_code == 200 and r.json()["address"] == {
        "source": "seller",
        "lines": ["B", "1 rue", "69001 Lyon", "FR"],
    }
    client.force_login(buyer)
    r = post(
        client,
        f"/api/v1/returns/{rid}/ship",
        {"carrier": "colissimo", "tracking_number": "RR99FR"},
    )
    assert r.status_code == 200, r.json()
    assert (r.json()["status"], r.json()["carrier"]) == ("shipped", "colissimo")
    r = post(client, f"/api/v1/returns/{rid}/confirm-receipt")
    assert (r.status_code, r.json()["code"]) == (400, "action_not_allowed")
    client.force_login(seller)
    r = post(client, f"/api/v1/returns/{rid}/confirm-receipt")
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["refund"]) == (
        "refunded",
        {"amount": "39.90", "currency": "EUR"},
    )
    assert [e["action"] for e in r.json()["events"]] == [
        "return-open",
        "return-address",
        "return-ship",
        "return-confirm",
    ]
    assert Refund.objects.get(order=order).amount_minor == 3990
    assert client.get("/api/v1/returns").json()["items"][0]["id"] == rid


def test_return_refusals_are_api_errors(client, buyer, shop):
    order = delivered(buyer, shop)
    client.force_login(buyer)
    with clock.frozen_at(NOW):
        r = post(
            client,
            "/api/v1/returns",
            {"order": order.number, "lines": line_ids(order), "unused": False},
        )
    assert (r.status_code, r.json()["code"]) == (422, "invalid")
    assert r.json()["details"] == {"field": "unused"}
    with clock.frozen_at(NOW + 60 * DAY):
        r = post(
            client, "/api/v1/returns", {"order": order.number, "lines": [999999], "unused": True}
        )
    assert (r.status_code, r.json()["code"]) == (422, "invalid")
    r = post(
        client, "/api/v1/returns", {"order": order.number, "lines": line_ids(order), "unused": True}
    )
    assert (r.status_code, r.json()["code"]) == (400, "protection_over")
    assert not ReturnRequest.objects.exists()


def test_dispute_return_and_staff_delivery_through_the_api(client, buyer, seller, shop):
    agent = StaffFactory(email="agent@example.org")
    order = delivered(buyer, shop)
    d = open_received(buyer, order, request="return_and_refund")
    client.force_login(seller)
    with clock.frozen_at(NOW):
        body = post(client, f"/api/v1/disputes/{d.public_id}/accept").json()
    assert body["status"] == "awaiting_return"
    (ret,) = body["returns"]
    assert (ret["status"], ret["due_at"]) == ("awaiting_address", "2026-03-17T09:00:00Z")
    rid = ret["id"]
    detail = client.get(f"/api/v1/returns/{rid}").json()
    assert (detail["dispute"], detail["postage_payer"]) == (d.public_id, "seller")
    run_sweep("disputes.return_address", now=NOW + 5 * DAY)
    client.force_login(buyer)
    receipt = photo_of(buyer)
    with clock.frozen_at(NOW + 6 * DAY):
        r = post(
            client,
            f"/api/v1/returns/{rid}/ship",
            {
                "carrier": "colissimo",
                "tracking_number": "RR77FR",
                "postage": "7.20",
                "postage_receipt": receipt.public_id,
            },
        )
    assert r.status_code == 200, r.json()
    assert r.json()["postage"] == {"amount": "7.20", "currency": "EUR"}
    assert r.json()["address"]["source"] == "platform"
    client.force_login(agent)
    assert client.get(f"/api/v1/returns/{rid}").json()["actions"] == ["return-delivered"]
    with clock.frozen_at(NOW + 8 * DAY):
        r = post(client, f"/api/v1/returns/{rid}/delivered")
    assert (r.json()["status"], r.json()["due_at"]) == ("delivered", "2026-04-04T09:00:00Z")


def test_evidence_actions_through_the_api(client, buyer, seller, shop, officer):
    order = delivered(buyer, shop)
    _c, message = conversation_start(buyer=buyer, order=order, text="Bonjour")
    d = escalated(buyer, seller, order)
    client.force_login(officer)
    r = post(
        client,
        f"/api/v1/disputes/{d.public_id}/request-evidence",
        {"party": "buyer", "message": "Une vidéo ?"},
    )
    assert r.status_code == 200, r.json()
    assert r.json()["status"] == "evidence_requested"
    assert r.json()["evidence_request"]["party"] == "buyer"
    client.force_login(seller)
    assert client.get(f"/api/v1/disputes/{d.public_id}").json()["actions"] == []
    client.force_login(buyer)
    assert client.get(f"/api/v1/disputes/{d.public_id}").json()["actions"] == [
        "cancel",
        "submit-evidence",
    ]
    r = post(
        client,
        f"/api/v1/disputes/{d.public_id}/submit-evidence",
        {"message": "La voici", "messages": [message.public_id]},
    )
    assert r.status_code == 200, r.json()
    assert (r.json()["status"], r.json()["evidence_messages"]) == ("escalated", [message.public_id])
    assert r.json()["evidence_request"] is None
    photo = photo_of(seller)
    client.force_login(seller)
    r = post(
        client, f"/api/v1/disputes/{d.public_id}/add-evidence", {"evidence": [photo.public_id]}
    )
    assert r.status_code == 200 and photo.public_id in r.json()["evidence"]


def test_new_actions_are_hidden_from_strangers_and_documented(
    client, buyer, seller, shop, stranger
):
    d = open_received(buyer, delivered(buyer, shop))
    client.force_login(stranger)
    for action in ("request-evidence", "submit-evidence", "add-evidence"):
        assert post(client, f"/api/v1/disputes/{d.public_id}/{action}").status_code == 404
    schema = client.get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    for path in (
        "/api/v1/returns",
        "/api/v1/returns/{public_id}",
        "/api/v1/returns/{public_id}/ship",
        "/api/v1/returns/{public_id}/confirm-receipt",
        "/api/v1/disputes/{public_id}/request-evidence",
    ):
        assert path in paths, path
    assert "10 days" in paths["/api/v1/returns/{public_id}/ship"]["post"]["description"]
