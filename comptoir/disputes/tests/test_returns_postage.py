"""Seller-paid return postage when the seller's available balance cannot cover it: the buyer is
refunded the postage anyway, the platform advances what the payable lacks (the seller's
receivable), and the seller's next releases pay it back before anything becomes available."""

from __future__ import annotations

import pytest

from comptoir.core import clock
from comptoir.disputes import returns as r
from comptoir.disputes.models import DisputeEvent
from comptoir.ledger.enums import AccountKind, EntryKind
from comptoir.ledger.models import Account, JournalEntry, Refund
from comptoir.ledger.selectors import seller_balance
from comptoir.ledger.services import escrow_release, escrow_release_due, refund_after_return

from .conftest import DAY, T0, deliver, make_order
from .test_returns import give_address, payable, return_agreed, ship
from .test_services import NOW, assert_ledger_ok, delivered

pytestmark = pytest.mark.django_db


def owed(shop) -> int:
    """What the seller owes the platform (minus the receivable's balance)."""
    account = Account.objects.filter(kind=AccountKind.SELLER_RECEIVABLE, shop=shop).first()
    return -account.balance_minor if account else 0


def other_order_released(buyer, shop, price: str) -> None:
    """Another order of the shop, without shipping, released now (5 % commission)."""
    escrow_release(order=deliver(make_order(buyer, shop, [price], shipping="0"), T0))


def postage_returned(buyer, seller, shop, *, postage="25.00"):
    """A "damaged" dispute, return and refund of the 39.90 line, the buyer declares postage,
    the seller confirms receipt."""
    order = delivered(buyer, shop)
    _d, ret = return_agreed(buyer, seller, order)
    give_address(seller, ret)
    ret = ship(buyer, ret, postage=postage)
    with clock.frozen_at(NOW + 3 * DAY):
        r.return_confirm_receipt(user=seller, public_id=ret.public_id)
    return order, ret


def test_postage_the_seller_cannot_cover_is_advanced_by_the_platform(buyer, seller, shop):
    order, ret = postage_returned(buyer, seller, shop, postage="80.00")  # capped at 25.00
    refund = Refund.objects.get(order=order)
    assert (refund.amount_minor, refund.postage_minor, refund.postage_advanced_minor) == (
        3990 + 2500,
        2500,
        2500,
    )
    assert (payable(shop), owed(shop)) == (0, 2500)
    event = DisputeEvent.objects.get(return_request=ret, action="return-confirm")
    assert event.payload["postage_owed_by_seller"] == {"amount": "25.00", "currency": "EUR"}
    assert event.payload["postage_refunded"] == {"amount": "25.00", "currency": "EUR"}
    balance = seller_balance(shop=shop)
    assert (balance.available.minor_units, balance.owed.minor_units) == (0, 2500)
    assert_ledger_ok()


def test_postage_partly_covered_takes_the_available_balance_first(buyer, seller, shop):
    other_order_released(buyer, shop, "10.00")  # 950 available
    order, _ret = postage_returned(buyer, seller, shop)
    refund = Refund.objects.get(order=order)
    assert (refund.postage_minor, refund.postage_advanced_minor) == (2500, 1550)
    assert (payable(shop), owed(shop)) == (0, 1550)
    assert_ledger_ok()


def test_postage_fully_covered_owes_nothing(buyer, seller, shop):
    other_order_released(buyer, shop, "50.00")  # 4750 available
    order, ret = postage_returned(buyer, seller, shop)
    assert Refund.objects.get(order=order).postage_advanced_minor == 0
    assert (payable(shop), owed(shop)) == (4750 - 2500, 0)
    event = DisputeEvent.objects.get(return_request=ret, action="return-confirm")
    assert "postage_owed_by_seller" not in event.payload
    assert not Account.objects.filter(kind=AccountKind.SELLER_RECEIVABLE).exists()
    assert_ledger_ok()


def test_the_next_release_recovers_the_debt_fully(buyer, seller, shop):
    postage_returned(buyer, seller, shop)
    other_order_released(buyer, shop, "50.00")  # net 4750: 2500 to the debt, 2250 available
    assert (payable(shop), owed(shop)) == (2250, 0)
    release = JournalEntry.objects.filter(kind=EntryKind.RELEASE).latest("pk")
    legs = sorted(
        (p.account.kind, p.amount_minor) for p in release.postings.select_related("account")
    )
    assert legs == [
        ("escrow", -5000),
        ("platform_revenue", 250),
        ("seller_payable", 2250),
        ("seller_receivable", 2500),
    ]
    assert_ledger_ok()


def test_later_releases_recover_the_debt_partly_then_fully(buyer, seller, shop):
    postage_returned(buyer, seller, shop)
    other_order_released(buyer, shop, "10.00")  # net 950: all of it to the debt
    assert (payable(shop), owed(shop)) == (0, 2500 - 950)
    other_order_released(buyer, shop, "20.00")  # net 1900: 1550 to the debt, 350 available
    assert (payable(shop), owed(shop)) == (350, 0)
    assert_ledger_ok()


def test_the_release_sweep_nets_the_debt(buyer, seller, shop):
    order, _ret = postage_returned(buyer, seller, shop)
    # Protection ends: the disputed order's other line (12.50, commission 0.62) and its
    # shipping (4.90, commission 0.24) are released: 1188 + 466 = 1654 go to the debt.
    assert escrow_release_due(now=T0 + 61 * DAY) == 2
    assert (payable(shop), owed(shop)) == (0, 2500 - 1654)
    later = deliver(make_order(buyer, shop, ["20.00"], shipping="0"), T0 + 5 * DAY)
    assert escrow_release_due(now=T0 + 66 * DAY) == 1  # net 1900: 846 to the debt
    assert (payable(shop), owed(shop)) == (1900 - 846, 0)
    assert later.pk != order.pk
    assert_ledger_ok()


def test_retrying_the_postage_refund_changes_nothing(buyer, seller, shop):
    order, ret = postage_returned(buyer, seller, shop)
    ret.refresh_from_db()
    entries = JournalEntry.objects.count()
    again = refund_after_return(
        order=order,
        line_ids=list(ret.lines.values_list("order_line_id", flat=True)),
        idempotency_key=f"return:{ret.public_id}",
        return_postage=ret.postage,
        seller_pays_postage=True,
    )
    assert again.public_id == ret.refund_id
    assert (Refund.objects.count(), JournalEntry.objects.count()) == (1, entries)
    assert (payable(shop), owed(shop)) == (0, 2500)
    assert_ledger_ok()
