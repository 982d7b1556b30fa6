from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.cache import cache

from comptoir.accounts.enums import Role
from comptoir.catalog.services import product_create
from comptoir.core import clock
from comptoir.core.money import Money
from comptoir.orders.services import ShippingAddress, order_checkout
from comptoir.testing.factories import StaffFactory, UserFactory, seller_with_shop

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
ADDRESS = ShippingAddress(
    name="Léa Dubois",
    line1="14 rue de la République",
    postal_code="69002",
    city="Lyon",
    country="FR",
    phone="+33 6 12 34 56 78",
)


@pytest.fixture(autouse=True)
def _clean_cache(request):
    if request.node.get_closest_marker("django_db") or "db" in request.fixturenames:
        cache.clear()


@pytest.fixture
def buyer(db):
    return UserFactory(email="lea@example.org", full_name="Léa Dubois", role=Role.BUYER)


@pytest.fixture
def other_buyer(db):
    return UserFactory(email="emily@example.org", full_name="Emily Carter", language="en")


@pytest.fixture
def seller_shop(db):
    return seller_with_shop(email="julien@example.org", full_name="Julien Moreau")


@pytest.fixture
def seller(seller_shop):
    return seller_shop[0]


@pytest.fixture
def shop(seller_shop):
    return seller_shop[1]


@pytest.fixture
def other_seller(db):
    return seller_with_shop(email="wei@example.org")[0]


@pytest.fixture
def staff(db):
    return StaffFactory(email="agent@example.org")


def make_product(shop, title="Lampe champignon"):
    return product_create(
        shop=shop,
        title_fr=title,
        title_en="Mushroom lamp",
        price=Money.parse("39.90"),
        shipping=Money.parse("4.90"),
        attributes=[],
    )


@pytest.fixture
def product(shop):
    return make_product(shop)


@pytest.fixture
def order(buyer, product):
    with clock.frozen_at(T0):
        return order_checkout(
            buyer=buyer, product_public_id=product.public_id, quantity=1, address=ADDRESS
        )


def post_json(client, url, payload=None, **extra):
    return client.post(url, json.dumps(payload or {}), content_type="application/json", **extra)
