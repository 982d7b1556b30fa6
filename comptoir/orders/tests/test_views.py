from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from comptoir.core import clock
from comptoir.core.order_numbers import format_order_number
from comptoir.orders.enums import OrderStatus
from comptoir.orders.models import Order
from comptoir.orders.tests.conftest import T0, checkout

pytestmark = pytest.mark.django_db


def client_for(user, language="fr"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_order_pages_are_404_for_other_buyer_and_other_seller(
    paid_order, other_buyer, other_seller
):
    number = format_order_number(paid_order.number)
    for user in (other_buyer, other_seller):
        client = client_for(user)
        assert client.get(f"/orders/{number}/").status_code == 404
        assert client.get(f"/orders/{number}/confirm-receipt/").status_code == 404
        assert client.post(f"/orders/{number}/confirm-receipt/").status_code == 404
        assert client.get(f"/seller/orders/{number}/ship/").status_code == 404
    assert client_for(other_buyer).get("/orders/0000-0000-0000-0000/").status_code == 404


def test_order_page_for_buyer_seller_and_staff(paid_order, buyer, seller, staff):
    number = format_order_number(paid_order.number)
    page = client_for(buyer).get(f"/orders/{number}/")
    assert page.status_code == 200
    assert number in page.content.decode()
    assert client_for(buyer).get(f"/orders/{paid_order.number}/").url == f"/orders/{number}/"
    seller_page = client_for(seller).get(f"/orders/{number}/").content.decode()
    assert f"/seller/orders/{number}/ship/" in seller_page
    assert "+33 6 12 34 56 78" not in seller_page  # the buyer's phone stays private
    assert client_for(staff).get(f"/orders/{number}/").status_code == 200


def test_my_orders_tabs_and_empty_state(buyer, product, seller, other_buyer):
    order = checkout(buyer, product)
    checkout(other_buyer, product)
    client = client_for(buyer, "en")
    body = client.get("/orders/").content.decode()
    assert format_order_number(order.number) in body and body.count('class="order-card"') == 1
    assert client.get("/orders/?status=to_ship").content.decode().count('class="order-card"') == 1
    empty = client.get("/orders/?status=shipped").content.decode()
    assert "Aucune commande ici" in empty  # the buyer reads French
    assert client.get("/orders/?cursor=forged").status_code == 302


def test_my_orders_keyset_pagination(buyer, product):
    for index in range(12):
        checkout(buyer, product, at=T0 + dt.timedelta(minutes=index))
    client = client_for(buyer)
    first = client.get("/orders/")
    assert first.context["page"].next_cursor
    second = client.get("/orders/", {"cursor": first.context["page"].next_cursor})
    numbers = [o.number for o in first.context["page"].items] + [
        o.number for o in second.context["page"].items
    ]
    assert len(numbers) == 12 == len(set(numbers))


def test_checkout_page_creates_a_paid_order(buyer, product):
    client = client_for(buyer)
    url = f"/products/{product.public_id}/buy/"
    assert client.get(url + "?quantity=2").status_code == 200
    data = {
        "quantity": "2",
        "name": "Léa Dubois",
        "line1": "14 rue X",
        "postal_code": "69002",
        "city": "Lyon",
        "country": "FR",
        "phone": "",
        "checkout_key": "abc",
    }
    response = client.post(url, data)
    order = Order.objects.get()
    assert (
        response.status_code == 302
        and response.url == f"/orders/{format_order_number(order.number)}/"
    )
    assert (order.status, order.total_minor) == (OrderStatus.PAID, 2 * 3990 + 490)
    assert client.post(url, data).status_code == 302 and Order.objects.count() == 1  # double submit


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"quantity": "0"}, "quantity"),
        ({"quantity": "100000"}, "quantity"),
        ({"quantity": "abc"}, "quantity"),
        ({"line1": ""}, "line1"),
        ({"name": "<b>Léa</b>"}, "name"),
        ({"postal_code": "ABC"}, "postal_code"),
    ],
)
def test_checkout_page_bad_input(buyer, product, change, field):
    client = client_for(buyer, "en")
    data = {
        "quantity": "1",
        "name": "Léa Dubois",
        "line1": "14 rue X",
        "postal_code": "69002",
        "city": "Lyon",
        "country": "FR",
        "checkout_key": "k",
    } | change
    response = client.post(f"/products/{product.public_id}/buy/", data)
    assert response.status_code == 422
    assert field in response.context["form"].errors
    assert "<b>Léa</b>" not in response.content.decode()  # escaped if echoed
    assert not Order.objects.exists()


def test_checkout_needs_login(product):
    response = Client().get(f"/products/{product.public_id}/buy/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_confirm_receipt_with_a_confirmation_step(shipped_order, buyer):
    number = format_order_number(shipped_order.number)
    client = client_for(buyer)
    step = client.get(f"/orders/{number}/confirm-receipt/")
    assert step.status_code == 200 and b'<form method="post"' in step.content
    shipped_order.refresh_from_db()
    assert shipped_order.status == OrderStatus.SHIPPED  # GET changes nothing
    with clock.frozen_at(T0 + dt.timedelta(days=5)):
        assert client.post(f"/orders/{number}/confirm-receipt/").status_code == 302
    shipped_order.refresh_from_db()
    assert shipped_order.status == OrderStatus.DELIVERED and shipped_order.receipt_confirmed_at


def test_seller_area_and_ship_form(paid_order, seller):
    number = format_order_number(paid_order.number)
    client = client_for(seller, "en")
    assert number in client.get("/seller/orders/").content.decode()
    bad = client.post(
        f"/seller/orders/{number}/ship/",
        {"carrier": "sandbox", "tracking_number": "x", "promised_delivery_date": "1999-01-01"},
    )
    assert bad.status_code == 422
    assert set(bad.context["form"].errors) == {"tracking_number", "promised_delivery_date"}
    promised = (clock.today() + dt.timedelta(days=20)).isoformat()
    ok = client.post(
        f"/seller/orders/{number}/ship/",
        {
            "carrier": "colissimo",
            "tracking_number": "6A12345678901",
            "promised_delivery_date": promised,
        },
    )
    assert ok.status_code == 302
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.SHIPPED
    assert f'href="/orders/{number}/"' not in client.get("/seller/orders/").content.decode()
