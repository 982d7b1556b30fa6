"""The customer's story: providers plug in through core's registry; amounts are Money, in the
agent's language."""

from django.utils import translation

from comptoir.console.timeline import customer_timeline
from comptoir.core.money import format_money
from comptoir.core.timeline import TimelineEntry, timeline_providers

from .conftest import make_order, receive


def test_order_entry_shows_the_total_as_money_in_the_agent_language(desk, buyer, agent):
    order = make_order(buyer)
    ticket = receive(buyer, text="Mon colis n'arrive pas", node_code="delivery.delay").ticket
    with translation.override("fr"):
        french = [e for e in customer_timeline(user=agent, ticket=ticket) if e.kind == "order"]
    with translation.override("en"):
        english = [e for e in customer_timeline(user=agent, ticket=ticket) if e.kind == "order"]
    assert format_money(order.total, "fr") in french[0].subtitle
    assert format_money(order.total, "en") in english[0].subtitle
    assert "Lampe champignon" in french[0].lines[0]


def test_a_provider_registered_in_core_appears_and_a_broken_one_is_skipped(desk, buyer, agent):
    ticket = receive(buyer, text="Bonjour", node_code="delivery.delay").ticket
    extra = TimelineEntry(kind="dispute", at=ticket.created_at, title="Litige D-1")

    def broken(*, user, ticket):
        raise RuntimeError("provider down")

    timeline_providers.register("test-extra", lambda *, user, ticket: [extra])
    timeline_providers.register("test-broken", broken)
    try:
        entries = customer_timeline(user=agent, ticket=ticket)
    finally:
        timeline_providers.unregister("test-extra")
        timeline_providers.unregister("test-broken")
    assert extra in entries
