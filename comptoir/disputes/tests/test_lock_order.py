"""PostgreSQL proof with real threads of the one lock order (order row ``FOR NO KEY UPDATE``,
then the dispute, then the escrow holds, then accounts): a carrier's "delivered" scan (order
row, then the holds it re-dates) and a dispute refund (the seller accepts a "not received"
dispute) run at once, many times. Before the order row was locked first, the refund held the
holds and waited for the order (its payment status, its postings' foreign keys) while the scan
held the order and waited for the holds: PostgreSQL killed one of them as a deadlock. To make
that interleaving happen rather than hope for it, the refund pauses right after it has locked
the holds (a test-only wrapper around ``refunds.escrow_account``) while the scan starts."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import connection

from comptoir.core import clock
from comptoir.core.money import Money
from comptoir.disputes import services as s
from comptoir.disputes.enums import DisputeStatus
from comptoir.disputes.models import Dispute
from comptoir.ledger.check import ledger_check
from comptoir.ledger.models import EscrowHold, Refund
from comptoir.ledger.tests.threads import race
from comptoir.orders.models import Order
from comptoir.orders.services import order_ship, tracking_event_record

from .conftest import DAY, T0, line_ids, make_order

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
PROMISED = T0 + 20 * DAY


def _shipped_and_disputed(buyer, seller, shop, n: int):
    order = make_order(buyer, shop, ["39.90", "12.50"])
    with clock.frozen_at(T0 + DAY):
        order_ship(
            number=order.number,
            seller=seller,
            carrier="colissimo",
            tracking_number=f"RR{n:09d}FR",
            promised_delivery_date=PROMISED.date(),
        )
    order.refresh_from_db()
    with clock.frozen_at(PROMISED):
        dispute = s.dispute_open(
            user=buyer,
            order=order,
            line_ids=line_ids(order),
            reason="not_received",
            request="refund",
            description="Rien reçu",
            amount=Money.from_minor(5240, "EUR"),
        )
    return order, dispute


@pytest.mark.parametrize("attempt", range(8))
def test_carrier_scan_and_dispute_refund_at_once_never_deadlock(
    buyer, seller, shop, attempt, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL proof")
    from comptoir.ledger.services import refunds

    order, dispute = _shipped_and_disputed(buyer, seller, shop, attempt)
    real_escrow_account = refunds.escrow_account

    def slow_after_the_holds(order):  # called by the refund once it holds the holds' locks
        time.sleep(0.3)
        return real_escrow_account(order)

    monkeypatch.setattr(refunds, "escrow_account", slow_after_the_holds)
    delay = (0.0, 0.05, 0.1, 0.15, 0.2, 0.0, 0.02, 0.1)[attempt]

    def accept():
        with clock.frozen_at(PROMISED + dt.timedelta(hours=1)):
            return s.dispute_accept(user=seller, public_id=dispute.public_id)

    def scan():
        time.sleep(delay)
        with clock.frozen_at(PROMISED + dt.timedelta(hours=1)):
            return tracking_event_record(
                carrier="colissimo",
                tracking_number=f"RR{attempt:09d}FR",
                code="delivered",
                occurred_at=PROMISED + dt.timedelta(minutes=30),
                location="Lyon",
                external_id=f"race-{attempt}",
            )

    accepted, scanned = race(accept, scan)
    assert not isinstance(accepted, BaseException), accepted
    assert not isinstance(scanned, BaseException), scanned
    order = Order.objects.get(pk=order.pk)
    assert (order.status, order.delivered_at) == ("delivered", PROMISED + dt.timedelta(minutes=30))
    assert Dispute.objects.get(pk=dispute.pk).status == DisputeStatus.CLOSED
    (refund,) = Refund.objects.filter(order=order)
    assert refund.amount_minor == 3990 + 1250 + 490  # every line: the shipping too
    assert {h.state for h in EscrowHold.objects.filter(order=order)} == {"refunded"}
    assert ledger_check().problems == []
