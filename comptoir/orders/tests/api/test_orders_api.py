from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from comptoir.core import clock
from comptoir.core.order_numbers import format_order_number
from comptoir.orders.models import Order
from comptoir.orders.tests.conftest import checkout, post_json

pytestmark = pytest.mark.django_db


def api(user):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def numbers(response):
    return [item["number"] for item in response.json()["items"]]


def test_list_is_scoped(paid_order, buyer, other_buyer, seller, other_seller, staff, product):
    mine = format_order_number(paid_order.number)
    theirs = format_order_number(checkout(other_buyer, product).number)
    assert numbers(api(buyer).get("/api/v1/orders")) == [mine]
    assert numbers(api(other_buyer).get("/api/v1/orders")) == [theirs]
    assert numbers(api(seller).get("/api/v1/orders")) == [theirs, mine]
    assert numbers(api(other_seller).get("/api/v1/orders")) == []
    assert numbers(api(staff).get("/api/v1/orders")) == [theirs, mine]
    assert api(None).get("/api/v1/orders").status_code == 401


def test_list_shape_and_pagination(buyer, product):
    for minute in range(3):
        checkout(buyer, product, at=dt.datetime(2026, 3, 1, 9, minute, tzinfo=dt.UTC))
    first = api(buyer).get("/api/v1/orders?limit=2").json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    item = first["items"][0]
    assert item["total"] == {"amount": "44.80", "currency": "EUR"}
    assert item["paid_at"] == "2026-03-01T09:02:00Z"
    second = api(buyer).get(f"/api/v1/orders?limit=2&cursor={first['next_cursor']}").json()
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    assert api(buyer).get("/api/v1/orders?cursor=bogus").json()["code"] == "invalid_cursor"
    assert api(buyer).get("/api/v1/orders?status=nope").status_code == 422


def test_detail_with_or_without_dashes_and_404_for_others(
    paid_order, buyer, other_buyer, other_seller
):
    formatted = format_order_number(paid_order.number)
    for number in (paid_order.number, formatted, formatted.replace("-", " ")):
        response = api(buyer).get(f"/api/v1/orders/{number}")
        assert response.status_code == 200 and response.json()["number"] == formatted
    body = api(buyer).get(f"/api/v1/orders/{paid_order.number}").json()
    assert body["allowed_actions"] == []
    assert body["shipping_address"]["phone"] == "+33 6 12 34 56 78"
    for user in (other_buyer, other_seller):
        response = api(user).get(f"/api/v1/orders/{paid_order.number}")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found" and response.json()["details"] == {}


def test_ship_and_confirm_receipt_through_the_api(paid_order, buyer, seller, other_seller):
    url = f"/api/v1/orders/{paid_order.number}"
    promised = (clock.today() + dt.timedelta(days=20)).isoformat()
    payload = {
        "carrier": "sandbox",
        "tracking_number": "LP555555555CN",
        "promised_delivery_date": promised,
    }
    assert post_json(api(other_seller), url + "/ship", payload).status_code == 404
    assert post_json(api(buyer), url + "/ship", payload).status_code == 404
    too_late = (clock.today() + dt.timedelta(days=61)).isoformat()
    bad = post_json(api(seller), url + "/ship", payload | {"promised_delivery_date": too_late})
    assert bad.status_code == 422 and "promised_delivery_date" in bad.json()["details"]["fields"]
    shipped = post_json(api(seller), url + "/ship", payload).json()
    assert shipped["status"] == "shipped"
    assert shipped["shipments"][0]["events"][0]["code"] == "info_received"
    assert post_json(api(seller), url + "/ship", payload).status_code == 409
    assert post_json(api(seller), url + "/confirm-receipt").status_code == 404
    confirmed = post_json(api(buyer), url + "/confirm-receipt")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "delivered"
    assert (
        post_json(api(buyer), url + "/confirm-receipt").json()["code"]
        == "order_transition_not_allowed"
    )


def test_buy_through_the_api(buyer, product):
    address = {
        "name": "Léa Dubois",
        "line1": "14 rue X",
        "postal_code": "69002",
        "city": "Lyon",
        "country": "FR",
    }
    url = f"/api/v1/products/{product.public_id}/buy"
    response = post_json(
        api(buyer), url, {"quantity": 2, "shipping_address": address, "idempotency_key": "a1"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "paid" and body["total"] == {"amount": "84.70", "currency": "EUR"}
    assert (
        post_json(
            api(buyer), url, {"quantity": 2, "shipping_address": address, "idempotency_key": "a1"}
        ).json()["number"]
        == body["number"]
    )
    for quantity in (0, 100, "2"):
        bad = post_json(api(buyer), url, {"quantity": quantity, "shipping_address": address})
        assert bad.status_code == 422, quantity
    html = post_json(
        api(buyer),
        url,
        {"quantity": 1, "shipping_address": address | {"city": "<script>x</script>"}},
    )
    assert html.status_code == 422 and "address.city" in html.json()["details"]["fields"]
    missing = post_json(api(buyer), url, {"quantity": 1, "shipping_address": {"name": "Léa"}})
    assert missing.status_code == 422
    assert (
        post_json(
            api(buyer), "/api/v1/products/nope/buy", {"quantity": 1, "shipping_address": address}
        ).status_code
        == 404
    )
    assert (
        post_json(api(None), url, {"quantity": 1, "shipping_address": address}).status_code == 401
    )
    assert Order.objects.count() == 1
