from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.core.cache import cache

from comptoir.accounts.enums import Role
from comptoir.accounts.models import AgentProfile, Skill, Team
from comptoir.catalog.services import product_create
from comptoir.core import clock
from comptoir.core.money import Money
from comptoir.orders.services import ShippingAddress, order_checkout
from comptoir.taxonomy.seeders import taxonomy_seed
from comptoir.testing.factories import StaffFactory, UserFactory, seller_with_shop
from comptoir.tickets.enums import Channel, Presence
from comptoir.tickets.models import AgentPresence
from comptoir.tickets.seeders import _calendar, _policies
from comptoir.tickets.services import InboundMessage, intake_receive

# A Monday, 10:00 in Paris (winter time: UTC+1).
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
def desk(db):
    """Taxonomy, teams, the Paris calendar with holidays, the §4 SLA policies."""
    taxonomy_seed()
    calendar = _calendar()
    _policies(calendar)
    return calendar


@pytest.fixture
def buyer(desk):
    return UserFactory(email="lea@example.org", full_name="Léa Dubois", role=Role.BUYER)


@pytest.fixture
def other_buyer(desk):
    return UserFactory(email="emily@example.org", full_name="Emily Carter", language="en")


def make_agent(
    *, email, teams=(), skills=(), languages=("fr", "en"), online=True, role=Role.AGENT, cap=25
):
    user = StaffFactory(email=email, role=role)
    profile = AgentProfile.objects.create(
        user=user, languages=list(languages), max_open_tickets=cap
    )
    profile.skills.add(*Skill.objects.filter(code__in=skills))
    for team in Team.objects.filter(code__in=teams):
        team.members.add(user)
    if online:
        AgentPresence.objects.create(user=user, status=Presence.ONLINE)
    return user


@pytest.fixture
def agent(desk):
    return make_agent(
        email="camille@example.org", teams=("delivery-delay",), skills=("delivery-delay",)
    )


@pytest.fixture
def supervisor(desk):
    return StaffFactory(email="sophie@example.org", role=Role.SUPERVISOR)


def make_order(buyer, *, title="Lampe champignon"):
    _seller, shop = seller_with_shop(email=f"seller-{uuid.uuid4().hex[:6]}@example.org")
    product = product_create(
        shop=shop,
        title_fr=title,
        title_en=title,
        price=Money.parse("39.90"),
        shipping=Money.parse("4.90"),
        attributes=[],
    )
    return order_checkout(
        buyer=buyer,
        product_public_id=product.public_id,
        quantity=1,
        address=ADDRESS,
        checkout_key=uuid.uuid4().hex,
    )


def receive(user=None, *, text="Bonjour, mon colis n'est jamais arrivé.", mid=None, at=T0, **kw):
    kw.setdefault("channel", Channel.WEB)
    with clock.frozen_at(at):
        return intake_receive(
            inbound=InboundMessage(
                channel_message_id=mid or uuid.uuid4().hex, text=text, sender_user=user, **kw
            )
        )


def post_json(client, url, payload=None, **extra):
    return client.post(url, json.dumps(payload or {}), content_type="application/json", **extra)
