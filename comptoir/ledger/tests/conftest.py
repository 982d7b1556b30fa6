from __future__ import annotations

import datetime as dt
import json
import urllib.request

import pytest
from django.core.cache import cache
from django.db import transaction

from comptoir.catalog.services import product_create
from comptoir.core import clock
from comptoir.core.money import Money
from comptoir.ledger.providers import reset_provider
from comptoir.ledger.providers.sandbox import SandboxServer
from comptoir.ledger.providers.stripe import StripeProvider
from comptoir.orders.models import Order, OrderLine
from comptoir.orders.payments import payment_capture
from comptoir.orders.services import ShippingAddress
from comptoir.orders.services._events import order_lock
from comptoir.testing.factories import UserFactory, seller_with_shop

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
SECRET = "sk_test_ledger"
WHSEC = "whsec_ledger_test"


@pytest.fixture(autouse=True)
def _clean_cache(request):
    if request.node.get_closest_marker("django_db") or "db" in request.fixturenames:
        cache.clear()


class Sandbox:
    def __init__(self) -> None:
        self.server = SandboxServer(secret_key=SECRET, webhook_secret=WHSEC).start()
        self.provider = StripeProvider(
            name="sandbox",
            base_url=self.server.url,
            secret_key=SECRET,
            webhook_secret=WHSEC,
            timeout=1.0,
        )

    def script(self, *modes: str) -> None:
        self.server.state.script.extend(modes)

    def requests(self, path: str | None = None) -> list[dict]:
        with urllib.request.urlopen(self.server.url + "/_sandbox/requests", timeout=5) as r:
            found = json.loads(r.read())
        return [q for q in found if path is None or q["path"] == path]

    def events(self) -> list[dict]:
        return list(self.server.state.events)


@pytest.fixture(autouse=True)
def sandbox(settings):
    settings.PAYMENT_PROVIDER_WEBHOOK_SECRET = WHSEC
    box = Sandbox()
    reset_provider(box.provider)
    yield box
    reset_provider(None)
    box.server.stop()


@pytest.fixture
def buyer(db):
    return UserFactory(email="lea@example.org", full_name="Léa Dubois")


@pytest.fixture
def seller_shop(db):
    return seller_with_shop(email="julien@example.org")


@pytest.fixture
def seller(seller_shop):
    return seller_shop[0]


@pytest.fixture
def shop(seller_shop):
    return seller_shop[1]


_counter = {"n": 0}


def make_order(buyer, shop, prices, *, shipping="4.90", quantity=1, at=T0):
    """A paid order with one line per price (through orders.payments.payment_capture, so the
    ledger's capture hook runs exactly as at checkout)."""
    from comptoir.core.order_numbers import generate_order_number

    _counter["n"] += 1
    lines = []
    with clock.frozen_at(at), transaction.atomic():
        for i, price in enumerate(prices):
            lines.append(
                product_create(
                    shop=shop,
                    title_fr=f"Article {i}",
                    title_en=f"Item {i}",
                    price=Money.parse(price),
                    shipping=Money.parse("0"),
                    attributes=[],
                )
            )
        subtotal = sum(Money.parse(p).minor_units * quantity for p in prices)
        ship = Money.parse(shipping).minor_units
        order = Order.objects.create(
            number=generate_order_number(),
            buyer=buyer,
            shop=shop,
            currency="EUR",
            subtotal_minor=subtotal,
            shipping_minor=ship,
            total_minor=subtotal + ship,
            ship_name="Léa Dubois",
            ship_line1="14 rue de la République",
            ship_postal_code="69002",
            ship_city="Lyon",
            ship_country="FR",
        )
        for i, product in enumerate(lines):
            OrderLine.objects.create(
                order=order,
                product=product,
                position=i,
                title_fr=product.title_fr,
                title_en=product.title_en,
                unit_price_minor=product.price_minor,
                quantity=quantity,
                line_total_minor=product.price_minor * quantity,
            )
        locked = order_lock(pk=order.pk)
        payment_capture(order=locked, provider="sandbox")
        Order.objects.filter(pk=order.pk).update(
            status="paid", paid_at=at, payment_status="captured"
        )
    order.refresh_from_db()
    return order


def deliver(order, at):
    """The carrier's scan (what orders.tracking writes)."""
    Order.objects.filter(pk=order.pk).update(
        status="delivered",
        shipped_at=at - dt.timedelta(days=5),
        delivered_at=at,
        promised_delivery_date=(at + dt.timedelta(days=5)).date(),
    )
    order.refresh_from_db()
    return order


def line_ids(order):
    return list(order.lines.order_by("position").values_list("pk", flat=True))


ADDRESS = ShippingAddress(
    name="Léa Dubois",
    line1="14 rue de la République",
    postal_code="69002",
    city="Lyon",
    country="FR",
)
