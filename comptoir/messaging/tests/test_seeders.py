from __future__ import annotations

import pytest

from comptoir.messaging.models import Conversation
from comptoir.messaging.seeders import messaging_seed

pytestmark = pytest.mark.django_db


def test_demo_conversations_are_seeded_once():
    from comptoir.accounts.seeders import accounts_seed
    from comptoir.catalog.seeders import catalog_seed
    from comptoir.orders.seeders import orders_seed

    accounts_seed()
    catalog_seed()
    orders_seed()
    created = messaging_seed()
    assert created == 6
    assert messaging_seed() == 0
    assert Conversation.objects.count() == 6
    emails = set(Conversation.objects.values_list("buyer__email", flat=True))
    assert emails == {"buyer@example.com", "buyer2@example.com"}
    shops = set(Conversation.objects.values_list("shop__slug", flat=True))
    assert {"atelier-lumiere", "pearl-river-gadgets"} <= shops
    assert Conversation.objects.filter(awaiting_reply_since__isnull=False).count() >= 2
    assert Conversation.objects.filter(order__isnull=False).count() == 2
