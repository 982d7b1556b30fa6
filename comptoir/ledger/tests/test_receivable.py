"""The seller's receivable: return postage the platform advances when the seller's payable is
short, recovered from the seller's next releases; with a PostgreSQL race between the release
sweep and a postage charge."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import connection

from comptoir.core.money import Money
from comptoir.ledger.check import ledger_check
from comptoir.ledger.enums import AccountKind
from comptoir.ledger.models import Account, Refund
from comptoir.ledger.services import escrow_release_due, refund_after_return
from comptoir.ledger.services.posting import account_get_or_create

from .conftest import T0, deliver, line_ids, make_order
from .threads import race

DAY = dt.timedelta(days=1)


def bal(kind, shop) -> int:
    account = Account.objects.filter(kind=kind, shop=shop).first()
    return account.balance_minor if account else 0


def charge_postage(order, key="ret", postage="25.00"):
    return refund_after_return(
        order=order,
        line_ids=line_ids(order)[:1],
        idempotency_key=key,
        return_postage=Money.parse(postage),
        seller_pays_postage=True,
    )


@pytest.mark.django_db
def test_short_payable_becomes_a_receivable_and_the_check_holds(buyer, shop):
    order = make_order(buyer, shop, ["60.00", "15.00"], shipping="0")
    refund = charge_postage(order, postage="8.00")
    assert (refund.amount_minor, refund.postage_minor, refund.postage_advanced_minor) == (
        6800,
        800,
        800,
    )
    assert (bal(AccountKind.SELLER_PAYABLE, shop), bal(AccountKind.SELLER_RECEIVABLE, shop)) == (
        0,
        -800,
    )
    assert ledger_check().problems == []


@pytest.mark.django_db
def test_the_check_flags_a_debt_left_beside_an_available_balance(buyer, shop):
    charge_postage(make_order(buyer, shop, ["60.00"], shipping="0"), postage="8.00")
    payable = account_get_or_create(
        kind=AccountKind.SELLER_PAYABLE, currency="EUR", shop_id=shop.pk
    )
    Account.objects.filter(pk=payable.pk).update(balance_minor=100)  # as if credited, not netted
    problems = ledger_check().problems
    assert f"account {payable.key}: available while the seller owes the platform" in problems


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(8))
def test_release_sweep_and_postage_charge_at_once(buyer, shop, attempt):
    """Whichever commits first, the seller ends with 95.00 − 25.00 available and no debt: the
    release nets a debt written before it, the charge takes a payable credited before it."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL proof")
    due = deliver(make_order(buyer, shop, ["100.00"], shipping="0"), T0)
    returned = make_order(buyer, shop, ["30.00"], shipping="0")  # not delivered: not due
    delay = (0.0, 0.0, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1)[attempt]

    def release():
        if attempt % 2:
            time.sleep(delay)
        return escrow_release_due(now=T0 + 61 * DAY)

    def charge():
        if not attempt % 2:
            time.sleep(delay)
        return charge_postage(returned, key=f"race-{attempt}")

    released, refund = race(release, charge)
    assert released == 1, released
    assert isinstance(refund, Refund), refund
    assert refund.postage_minor == 2500
    assert refund.postage_advanced_minor in (0, 2500)  # 0: the release came first
    assert (bal(AccountKind.SELLER_PAYABLE, shop), bal(AccountKind.SELLER_RECEIVABLE, shop)) == (
        9500 - 2500,
        0,
    )
    assert due.pk != returned.pk
    assert ledger_check().problems == []
