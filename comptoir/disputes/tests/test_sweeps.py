"""The deadline sweeps: due rows only, exactly once, money through the ledger."""

from __future__ import annotations

import pytest

from comptoir.core import clock
from comptoir.core.money import Money
from comptoir.core.sweeps import run_sweep
from comptoir.disputes import services as s
from comptoir.disputes.enums import DisputeStatus as S
from comptoir.disputes.models import Dispute
from comptoir.ledger.check import ledger_check
from comptoir.ledger.models import Refund

from .conftest import DAY
from .test_services import NOW, delivered, open_received

pytestmark = pytest.mark.django_db


def test_seller_silence_is_acceptance_at_the_buyers_request(buyer, shop):
    order = delivered(buyer, shop)
    d = open_received(buyer, order, amount="12.00")
    assert run_sweep("disputes.seller_silence", now=NOW + 5 * DAY - DAY).handled == 0
    assert Dispute.objects.get(pk=d.pk).status == S.AWAITING_SELLER
    assert run_sweep("disputes.seller_silence", now=NOW + 5 * DAY).handled == 1
    d.refresh_from_db()
    assert d.status == S.CLOSED
    accept = d.events.get(action="accept")
    assert (accept.actor_kind, accept.payload) == ("system", {"why": "seller_silence"})
    assert Refund.objects.get(order=order).amount_minor == 1200
    assert run_sweep("disputes.seller_silence", now=NOW + 9 * DAY).handled == 0  # idempotent
    assert Refund.objects.count() == 1
    assert ledger_check().ok


def test_no_agreement_seven_days_after_the_refusal_escalates(buyer, seller, shop):
    order = delivered(buyer, shop)
    d = open_received(buyer, order)
    with clock.frozen_at(NOW + DAY):
        s.dispute_refuse(user=seller, public_id=d.public_id, outcome="no_refund", message="Non")
    assert run_sweep("disputes.no_agreement", now=NOW + 8 * DAY - DAY).handled == 0
    assert run_sweep("disputes.no_agreement", now=NOW + 8 * DAY).handled == 1
    d.refresh_from_db()
    # Escalated on Friday 20 March: the decision is due 2 business days later, Tuesday 24.
    assert (d.status, d.due_at) == (S.ESCALATED, NOW + 12 * DAY)
    assert d.due_at.weekday() == 1
    assert run_sweep("disputes.no_agreement", now=NOW + 20 * DAY).handled == 0
    assert not Refund.objects.exists()


def test_appeal_window_over_makes_the_decision_final(buyer, seller, shop, officer):
    order = delivered(buyer, shop)
    d = open_received(buyer, order, amount="39.90")
    s.dispute_refuse(user=seller, public_id=d.public_id, outcome="no_refund", message="Non")
    s.dispute_escalate(user=buyer, public_id=d.public_id)
    with clock.frozen_at(NOW + 2 * DAY):
        s.dispute_decide(
            user=officer,
            public_id=d.public_id,
            outcome="partial_refund",
            amount=Money.parse("9.99"),
            message="",
        )
    assert run_sweep("disputes.finalise", now=NOW + 7 * DAY).handled == 1
    assert run_sweep("disputes.finalise", now=NOW + 8 * DAY).handled == 0
    d.refresh_from_db()
    assert d.status == S.CLOSED
    assert Refund.objects.get(order=order).amount_minor == 999
    assert ledger_check().ok
