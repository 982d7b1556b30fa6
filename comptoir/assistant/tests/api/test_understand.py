import json

import pytest

from comptoir.testing.factories import UserFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/assistant/understand"


def post(client, payload):
    body = payload if isinstance(payload, str) else json.dumps(payload)
    return client.post(URL, body, content_type="application/json")


@pytest.fixture
def logged_in(client):
    client.force_login(UserFactory())
    return client


def test_understand_returns_language_intent_entities_and_node(logged_in):
    response = post(
        logged_in,
        {
            "text": "bonjour, ma commande 8012-3456-7890-1230 est arrivée cassée, le carton était écrasé"
        },
    )
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"language", "intent", "confidence", "entities", "node"}
    assert data["language"]["code"] == "fr" and data["language"]["supported"] is True
    assert data["intent"] == "parcel_damaged"
    assert 0 < data["confidence"] <= 1
    assert data["entities"][0]["type"] == "order_number"
    assert data["entities"][0]["value"] == "8012345678901230"
    assert data["node"]["code"] == "item.damaged"


def test_small_talk_has_no_node(logged_in):
    data = post(logged_in, {"text": "merci beaucoup !"}).json()
    assert data["intent"] == "thanks"
    assert data["node"] is None


def test_authentication_is_required(client):
    response = post(client, {"text": "hello"})
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize("payload", [{"text": ""}, {"text": "   "}, {"text": "x" * 5001}])
def test_empty_or_too_long_text_is_422(logged_in, payload):
    response = post(logged_in, payload)
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert "text" in body["details"]["fields"]


def test_missing_text_is_422(logged_in):
    response = post(logged_in, {"language": "fr"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_other_languages_are_reported_by_name(logged_in):
    data = post(
        logged_in, {"text": "Hola, mi pedido no ha llegado todavía y estoy muy preocupado"}
    ).json()
    assert data["language"]["code"] == "es"
    assert data["language"]["name"] == "Spanish"
    assert data["language"]["supported"] is False


def test_english_entities_and_node(logged_in):
    data = post(
        logged_in,
        {
            "text": "I was charged twice, €12.50 each time, on 2026-03-02. Write to me at a.b@example.com"
        },
    ).json()
    assert data["intent"] == "payment_charged_wrong"
    assert data["node"]["code"] == "payment.charged"
    assert [e["type"] for e in data["entities"]] == ["amount", "date", "email"]
    assert data["entities"][0]["value"] == {"amount": "12.50", "currency": "EUR"}
