"""Every escalation (and appeal) opens or updates ONE ticket through intake, channel ``system``,
contact = the buyer, node ``returns.decision``, linked to the dispute and its order, with the
arbitration SLA (2 business days); written in the escalation's transaction (outbox), delivered
after commit, idempotent."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction

from comptoir.core import clock
from comptoir.core.outbox import drain_outbox
from comptoir.core.outbox.models import OutboxMessage
from comptoir.disputes import services as s
from comptoir.disputes.escalation import OUTBOX_KIND, deliver_escalation_ticket
from comptoir.disputes.models import DisputeEvent
from comptoir.taxonomy.seeders import taxonomy_seed
from comptoir.tickets.models import Message, Ticket
from comptoir.tickets.seeders import _calendar, _policies

from .conftest import DAY
from .test_notify import NOW, escalated, refused

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def desk(db):
    taxonomy_seed()
    _policies(_calendar())


def escalation_rows():
    return list(OutboxMessage.objects.filter(kind=OUTBOX_KIND).order_by("pk"))


def test_escalation_opens_the_arbitration_ticket(buyer, seller, shop):
    d = escalated(buyer, seller, shop)
    event = DisputeEvent.objects.get(dispute=d, action="escalate")
    (row,) = escalation_rows()
    assert row.payload == {"event": event.pk}
    assert not Ticket.objects.exists()  # delivered after commit, by the outbox
    drain_outbox()
    ticket = Ticket.objects.get()
    assert ticket.channel == "system"
    assert ticket.contact.user_id == buyer.pk
    assert ticket.node.code == "returns.decision"
    assert ticket.team.code == "disputes"
    assert ticket.dispute_ref == d.public_id
    assert ticket.order_id == d.order_id
    assert ticket.language == "fr"
    # Escalated on Saturday 14 March 2026: 2 business days (Paris, 9:00–18:00) end on
    # Tuesday 17 March at 18:00 Paris time (17:00 UTC).
    assert event.created_at == NOW + 2 * DAY
    assert ticket.resolution_due_at == dt.datetime(2026, 3, 17, 17, 0, tzinfo=dt.UTC)
    (message,) = Message.objects.filter(ticket=ticket)
    assert message.channel_message_id == f"dispute-event:{event.pk}"
    assert "L'acheteur a demandé à la plateforme de trancher." in message.body_text
    assert d.public_id in message.body_text


def test_delivering_twice_writes_once(buyer, seller, shop):
    d = escalated(buyer, seller, shop)
    event = DisputeEvent.objects.get(dispute=d, action="escalate")
    deliver_escalation_ticket({"event": event.pk})
    deliver_escalation_ticket({"event": event.pk})  # a worker died after delivering
    drain_outbox()
    assert Ticket.objects.count() == 1
    assert Message.objects.count() == 1


def test_the_appeal_updates_the_same_ticket(buyer, seller, shop, officer):
    d = escalated(buyer, seller, shop)
    drain_outbox()
    with clock.frozen_at(NOW + 3 * DAY):
        s.dispute_decide(
            user=officer, public_id=d.public_id, outcome="no_refund", message="Photos floues"
        )
    with clock.frozen_at(NOW + 4 * DAY):
        s.dispute_appeal(user=buyer, public_id=d.public_id, message="Voici de meilleures photos")
    assert len(escalation_rows()) == 2
    drain_outbox()
    ticket = Ticket.objects.get()
    texts = list(Message.objects.filter(ticket=ticket).order_by("pk").values_list("body_text"))
    assert len(texts) == 2
    assert "Voici de meilleures photos" in texts[1][0]


def test_automatic_escalation_opens_the_ticket_too(buyer, seller, shop):
    d = refused(buyer, seller, shop)
    with clock.frozen_at(NOW + 9 * DAY):
        assert s.dispute_no_agreement(dispute_id=d.pk, now=clock.now())
    drain_outbox()
    ticket = Ticket.objects.get()
    assert ticket.dispute_ref == d.public_id
    assert "le litige a été transmis automatiquement" in ticket.messages.get().body_text


def test_a_rolled_back_escalation_leaves_no_request(buyer, seller, shop):
    d = refused(buyer, seller, shop)
    with pytest.raises(RuntimeError), transaction.atomic():
        s.dispute_escalate(user=buyer, public_id=d.public_id)
        raise RuntimeError("crash before commit")
    assert escalation_rows() == []
    drain_outbox()
    assert not Ticket.objects.exists()


def test_a_failing_intake_is_retried_and_the_escalation_stands(buyer, seller, shop):
    from comptoir.taxonomy.models import Node

    d = refused(buyer, seller, shop)
    Node.objects.filter(code="returns.decision").update(retired_at=clock.now())
    s.dispute_escalate(user=buyer, public_id=d.public_id)
    drain_outbox()
    (row,) = escalation_rows()
    assert row.state == "pending" and row.attempts == 1
    assert not Ticket.objects.exists()
    d.refresh_from_db()
    assert d.status == "escalated"
    Node.objects.filter(code="returns.decision").update(retired_at=None)
    drain_outbox(now=clock.now() + dt.timedelta(minutes=1))
    row.refresh_from_db()
    assert row.state == "sent"
    assert Ticket.objects.get().dispute_ref == d.public_id
