"""Seller conversations appear in the console's customer timeline through core's registry."""

import pytest
from django.utils import translation

from comptoir.core.timeline import timeline_providers


@pytest.mark.django_db
def test_conversations_are_registered_in_the_customer_timeline():
    assert "messaging" in timeline_providers


@pytest.mark.django_db
def test_entries_for_a_customer_without_account_are_empty():
    from types import SimpleNamespace

    from comptoir.messaging.timeline import conversation_entries

    ticket = SimpleNamespace(contact=SimpleNamespace(user_id=None))
    with translation.override("fr"):
        assert conversation_entries(user=None, ticket=ticket) == []


@pytest.mark.django_db
def test_a_pre_sale_conversation_shows_in_the_customer_story(buyer, product, shop):
    from types import SimpleNamespace

    from comptoir.messaging.services import conversation_start
    from comptoir.messaging.timeline import conversation_entries

    conversation, _message = conversation_start(
        buyer=buyer, product=product, text="Quelle taille ?"
    )
    ticket = SimpleNamespace(contact=SimpleNamespace(user_id=buyer.pk))
    with translation.override("fr"):
        (entry,) = conversation_entries(user=None, ticket=ticket)
    assert entry.kind == "conversation"
    assert entry.title == f"Conversation avec {shop.name}"
    assert entry.subtitle == "Lampe champignon"
    assert entry.lines == ["Quelle taille ?"]
    assert entry.url.endswith(f"/{conversation.public_id}/")
