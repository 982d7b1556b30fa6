"""The release sweep: re-runs, concurrent workers, a worker dying mid-batch, "Done means"."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.core.management import call_command
from django.db import connection

from comptoir.core.sweeps import run_sweep
from comptoir.ledger.check import ledger_check
from comptoir.ledger.enums import HoldState
from comptoir.ledger.models import EscrowHold, JournalEntry
from comptoir.ledger.services import escrow

from .conftest import T0, deliver, make_order

DAY = dt.timedelta(days=1)


@pytest.mark.django_db(transaction=True)
def test_worker_killed_mid_batch_another_finishes_after_the_lease(buyer, shop, settings):
    settings.LEDGER_RELEASE_BATCH = 2
    settings.LEDGER_RELEASE_LEASE_SECONDS = 1
    for _ in range(4):
        deliver(make_order(buyer, shop, ["10.00"], shipping="0"), T0)
    real = escrow.release_holds
    calls = {"n": 0}

    def dying(holds, *, now):
        calls["n"] += 1
        if calls["n"] == 2:
            real(holds, now=now)  # wrote part of its batch…
            raise SystemExit("worker killed")  # …and died before commit
        return real(holds, now=now)

    escrow.release_holds = dying  # type: ignore[assignment]
    try:
        with pytest.raises(SystemExit):
            escrow.escrow_release_due(now=T0 + 61 * DAY)
    finally:
        escrow.release_holds = real  # type: ignore[assignment]
    assert EscrowHold.objects.filter(state=HoldState.RELEASED).count() == 2  # first batch only
    assert escrow.escrow_release_due(now=T0 + 61 * DAY) == 0  # the dead worker's claim holds
    time.sleep(1.1)
    assert escrow.escrow_release_due(now=T0 + 61 * DAY) == 2
    assert ledger_check().problems == []


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_change_nothing_more_than_one(buyer, shop, settings):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(":memory"):
        pytest.skip("needs a file database")
    settings.LEDGER_RELEASE_BATCH = 3
    for i in range(12):
        deliver(make_order(buyer, shop, ["10.00", "3.33"], shipping="1.00"), T0 + i * DAY)
    results, errors = [], []
    gate = threading.Barrier(2)

    def worker():
        try:
            gate.wait()
            results.append(escrow.escrow_release_due(now=T0 + 80 * DAY))
        except BaseException as exc:  # pragma: no cover
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    # Each hold is released by one sweep only. A shipping hold whose lines the other sweep is
    # releasing at that moment is handed back, not released, and waits for the next pass: two
    # sweeps at once may do less than one, never more.
    assert sum(results) <= 36
    results.append(escrow.escrow_release_due(now=T0 + 80 * DAY))
    assert sum(results) == 36
    assert escrow.escrow_release_due(now=T0 + 80 * DAY) == 0
    assert JournalEntry.objects.filter(kind="release").count() >= 12
    assert EscrowHold.objects.filter(state=HoldState.HELD).count() == 0
    report = ledger_check()
    assert report.problems == []
    # 12 × (10.00 → 0.50; 3.33 → 0.17; 1.00 → 0.05): commission exactly 12 × 0.72.
    assert report.released == {"EUR": 12 * 1433}


@pytest.mark.django_db(transaction=True)
def test_run_sweeps_70_days_ahead_releases_and_ledger_check_ok(buyer, seller, shop, capsys):
    """Done means: through the real order services and the run_sweeps command."""
    from comptoir.catalog.services import product_create
    from comptoir.core import clock
    from comptoir.core.money import Money
    from comptoir.orders.models import Order
    from comptoir.orders.services import order_checkout, order_confirm_receipt, order_ship

    from .conftest import ADDRESS

    now = clock.now()
    product = product_create(
        shop=shop,
        title_fr="Lampe",
        title_en="Lamp",
        price=Money.parse("39.90"),
        shipping=Money.parse("4.90"),
    )
    with clock.frozen_at(now):
        order = order_checkout(
            buyer=buyer, product_public_id=product.public_id, quantity=1, address=ADDRESS
        )
        order_ship(
            number=order.number,
            seller=seller,
            carrier="sandbox",
            tracking_number="LP123456789CN",
            promised_delivery_date=(now + 20 * DAY).date(),
        )
        order_confirm_receipt(number=order.number, buyer=buyer)
    at = (now + 70 * DAY).isoformat()
    call_command("run_sweeps", "--at", at)
    order.refresh_from_db()
    assert order.status == "completed"
    assert EscrowHold.objects.filter(order=order, state=HoldState.HELD).count() == 0
    call_command("run_sweeps", "--at", at)  # again: nothing more
    assert JournalEntry.objects.filter(kind="release").count() == 1
    capsys.readouterr()
    call_command("ledger_check")
    out = capsys.readouterr().out
    assert out.startswith("ok entries=")
    assert "held=EUR:0.00 released=EUR:44.80 refunded=EUR:0.00" in out
    assert Order.objects.get(pk=order.pk).completed_at is not None
    assert run_sweep("ledger.release", now=now + 71 * DAY).handled == 0


@pytest.mark.django_db
def test_claims_take_the_earliest_due_first_once_each(buyer, shop):
    from comptoir.ledger.services.release import claim_due_holds

    late = deliver(make_order(buyer, shop, ["10.00"], shipping="0"), T0 + 5 * DAY)
    # created after, due first:
    early = deliver(make_order(buyer, shop, ["20.00"], shipping="0"), T0)
    escrow.holds_redate_undated()  # deliver() writes the dates without the orders' hook
    lease = dt.timedelta(minutes=1)
    now = T0 + 90 * DAY
    token1, first = claim_due_holds(now, lease_for=lease, limit=1)
    token2, second = claim_due_holds(now, lease_for=lease, limit=1)
    assert first == [EscrowHold.objects.get(order=early).pk]
    assert second == [EscrowHold.objects.get(order=late).pk]
    assert token1 != token2
    assert claim_due_holds(now, lease_for=lease, limit=5)[1] == []
    assert EscrowHold.objects.filter(claim_token=token1).count() == 1
    assert claim_due_holds(T0 + 62 * DAY, lease_for=lease, limit=5, exclude=[])[1] == []
