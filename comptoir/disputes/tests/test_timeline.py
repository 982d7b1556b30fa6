"""Disputes in the console's customer timeline: state and next deadline, one query."""

from __future__ import annotations

import pytest

from comptoir.disputes.timeline import dispute_entries
from comptoir.testing.factories import StaffFactory
from comptoir.tickets.services import InboundMessage, intake_receive

from .test_notify import delivered, open_received, refused

pytestmark = pytest.mark.django_db


def ticket_of(user):
    return intake_receive(
        inbound=InboundMessage(
            channel="web", channel_message_id=f"t-{user.pk}", text="Bonjour", sender_user=user
        )
    ).ticket


def test_the_customers_disputes_with_state_and_deadline(
    buyer, seller, shop, django_assert_num_queries
):
    d = refused(buyer, seller, shop)
    other = open_received(buyer, delivered(buyer, shop))
    agent = StaffFactory(email="agent@example.org")
    ticket = ticket_of(buyer)
    ticket = type(ticket).objects.select_related("contact").get(pk=ticket.pk)
    with django_assert_num_queries(1):
        entries = dispute_entries(user=agent, ticket=ticket)
    assert [e.url for e in entries] == [
        f"/disputes/{d.public_id}/",  # refused later than the other was opened
        f"/disputes/{other.public_id}/",
    ]
    first = entries[0]
    assert first.kind == "dispute"
    assert first.title == f"Litige avec {shop.name}"
    assert first.badges == [("Refusé par le vendeur", "info")]
    assert first.lines == [
        "Reçu endommagé · Remboursement · 10,00\xa0€",
        "Prochaine échéance : 20/03/2026 10:00",  # refused on 13 March + 7 days, Paris time
    ]


def test_another_customer_sees_nothing_of_it(buyer, seller, shop, stranger):
    refused(buyer, seller, shop)
    agent = StaffFactory(email="agent@example.org")
    assert dispute_entries(user=agent, ticket=ticket_of(stranger)) == []
