"""PostgreSQL-only proofs with real threads: release vs refund of one order, and a crash
between the ledger write and the provider call (the outbox delivers once)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from comptoir.core import clock
from comptoir.core.errors import Conflict
from comptoir.core.outbox import drain_outbox
from comptoir.ledger.check import ledger_check
from comptoir.ledger.enums import AccountKind, TransferState
from comptoir.ledger.models import Account, EscrowHold, Refund
from comptoir.ledger.services import escrow_release_due, refund_full

from .conftest import T0, deliver, make_order
from .threads import race

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("attempt", range(5))
def test_concurrent_release_and_refund_exactly_one_wins(buyer, shop, attempt):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL proof")
    order = deliver(make_order(buyer, shop, ["39.90", "12.50"], shipping="4.90"), T0)
    released, refunded = race(
        lambda: escrow_release_due(now=T0 + dt.timedelta(days=61)),
        lambda: refund_full(order=order, idempotency_key=f"race-{attempt}"),
    )
    holds = list(EscrowHold.objects.filter(order=order))
    if isinstance(refunded, Conflict):  # the release won
        assert released == 3
        assert sum(h.released_minor for h in holds) == 5730
        assert Refund.objects.count() == 0
    else:  # the refund won
        assert released == 0 and isinstance(refunded, Refund) and refunded.amount_minor == 5730
        assert sum(h.refunded_minor for h in holds) == 5730
    assert Account.objects.get(kind=AccountKind.ESCROW, order=order).balance_minor == 0
    assert ledger_check().problems == []


def test_crash_between_ledger_write_and_provider_call_delivers_once(buyer, shop, sandbox):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL proof")
    from comptoir.core.outbox import on_enqueue_hooks

    saved = list(on_enqueue_hooks)
    on_enqueue_hooks[:] = []  # the process "dies" right after commit: nothing drained
    try:
        order = make_order(buyer, shop, ["10.00"], shipping="0")
        refund = refund_full(order=order, idempotency_key="crash")
    finally:
        on_enqueue_hooks[:] = saved
    assert sandbox.requests("/v1/refunds") == []
    sent = race(drain_outbox, drain_outbox)  # two workers restart and drain at once
    delivered = sum(s for s in sent if isinstance(s, int))
    # One worker may take the refund before the other has confirmed the payment intent: that
    # attempt stops before calling the provider, and the outbox retries it after its back-off.
    delivered += drain_outbox(now=clock.now() + dt.timedelta(hours=1))
    assert delivered == 2  # the payment intent, the refund
    assert len(sandbox.requests("/v1/refunds")) == 1
    refund.refresh_from_db()
    assert refund.state == TransferState.SUCCEEDED
    assert ledger_check().problems == []
