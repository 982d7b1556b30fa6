"""Every ledger service with exact amounts (PRODUCT.md §3), overdraw refusals and replays."""

from __future__ import annotations

import datetime as dt

import pytest

from comptoir.core import clock
from comptoir.core.errors import Conflict, NotFound
from comptoir.core.money import Money
from comptoir.core.outbox import drain_outbox
from comptoir.ledger.check import ledger_check
from comptoir.ledger.enums import AccountKind, HoldKind, HoldState, TransferState
from comptoir.ledger.models import Account, EscrowHold, JournalEntry, Payout, Posting, Refund
from comptoir.ledger.services import (
    escrow_capture,
    escrow_freeze,
    escrow_release,
    escrow_release_due,
    escrow_unfreeze,
    payout_request,
    refund_after_return,
    refund_full,
    refund_partial,
)

from .conftest import T0, deliver, line_ids, make_order

pytestmark = pytest.mark.django_db

EUR = "EUR"
DAY = dt.timedelta(days=1)


def bal(kind, **filters):
    return sum(Account.objects.filter(kind=kind, **filters).values_list("balance_minor", flat=True))


def payable(shop):
    return bal(AccountKind.SELLER_PAYABLE, shop=shop)


def m(text):
    return Money.parse(text, EUR)


def assert_ok():
    report = ledger_check()
    assert report.problems == []
    return report


# --- capture ----------------------------------------------------------------------------------


def test_capture_credits_escrow_per_line_and_shipping(buyer, shop):
    order = make_order(buyer, shop, ["39.90", "12.50"], shipping="4.90")
    holds = list(EscrowHold.objects.filter(order=order).order_by("pk"))
    assert [(h.kind, h.amount_minor) for h in holds] == [
        (HoldKind.LINE, 3990),
        (HoldKind.LINE, 1250),
        (HoldKind.SHIPPING, 490),
    ]
    assert bal(AccountKind.ESCROW, order=order) == 5730
    assert bal(AccountKind.PROVIDER_CLEARING) == -5730
    entry = JournalEntry.objects.get(order=order)
    assert entry.idempotency_key == f"capture:checkout:{order.number}"
    assert sorted(entry.postings.values_list("amount_minor", flat=True)) == [-5730, 490, 1250, 3990]
    assert assert_ok().summary() == "entries=1 held=EUR:57.30 released=EUR:0.00 refunded=EUR:0.00"


def test_capture_replay_is_a_no_op(buyer, shop):
    order = make_order(buyer, shop, ["10.00"], shipping="0")
    payment = order.payments.get()
    again = escrow_capture(order=order, payment=payment)
    assert JournalEntry.objects.filter(order=order).count() == 1
    assert again.idempotency_key == f"capture:{payment.idempotency_key}"
    assert EscrowHold.objects.filter(order=order).count() == 1  # no shipping hold for free shipping
    assert bal(AccountKind.ESCROW, order=order) == 1000


def test_checkout_through_the_orders_service_captures(buyer, shop):
    from comptoir.catalog.services import product_create
    from comptoir.orders.services import order_checkout

    from .conftest import ADDRESS

    product = product_create(
        shop=shop, title_fr="Lampe", title_en="Lamp", price=m("39.90"), shipping=m("4.90")
    )
    order = order_checkout(
        buyer=buyer, product_public_id=product.public_id, quantity=2, address=ADDRESS
    )
    assert bal(AccountKind.ESCROW, order=order) == 2 * 3990 + 490
    assert order.status == "paid"


# --- release ----------------------------------------------------------------------------------


def test_release_after_60_days_commission_half_even_per_line(buyer, shop):
    order = deliver(make_order(buyer, shop, ["39.90", "12.50"], shipping="4.90"), T0)
    assert escrow_release_due(now=T0 + 60 * DAY - dt.timedelta(seconds=1)) == 0
    assert escrow_release_due(now=T0 + 60 * DAY) == 3
    # 39.90 × 5 % = 1.995 → 2.00; 12.50 × 5 % = 0.625 → 0.62; 4.90 × 5 % = 0.245 → 0.24.
    commissions = list(
        EscrowHold.objects.filter(order=order)
        .order_by("pk")
        .values_list("commission_minor", flat=True)
    )
    assert commissions == [200, 62, 24]
    assert payable(shop) == 5730 - 286
    assert bal(AccountKind.PLATFORM_REVENUE) == 286
    assert bal(AccountKind.ESCROW, order=order) == 0
    assert escrow_release_due(now=T0 + 70 * DAY) == 0  # re-run: nothing more
    assert JournalEntry.objects.filter(kind="release").count() == 1
    assert_ok()


def test_undelivered_released_15_days_after_promised_date(buyer, shop):
    from comptoir.orders.models import Order

    order = make_order(buyer, shop, ["20.00"], shipping="0")
    promised = (T0 + 20 * DAY).date()
    Order.objects.filter(pk=order.pk).update(status="shipped", promised_delivery_date=promised)
    cut = dt.datetime.combine(promised + 15 * DAY, dt.time(0), tzinfo=dt.UTC)
    assert escrow_release_due(now=cut - dt.timedelta(seconds=1)) == 0
    assert escrow_release_due(now=cut) == 1
    assert payable(shop) == 2000 - 100


def test_paid_but_never_shipped_stays_held(buyer, shop):
    make_order(buyer, shop, ["20.00"])
    assert escrow_release_due(now=T0 + 400 * DAY) == 0


def test_frozen_line_waits_and_shipping_waits_with_it(buyer, shop):
    order = deliver(make_order(buyer, shop, ["30.00", "10.00"], shipping="5.00"), T0)
    first, second = line_ids(order)
    escrow_freeze(order=order, line_ids=[first], reference="dispute:1")
    assert escrow_release_due(now=T0 + 61 * DAY) == 1  # only the second line
    states = dict(EscrowHold.objects.filter(order=order).values_list("order_line_id", "state"))
    assert states == {first: HoldState.HELD, second: HoldState.RELEASED, None: HoldState.HELD}
    with pytest.raises(Conflict) as exc:
        escrow_freeze(order=order, line_ids=[first], reference="dispute:2")
    assert exc.value.code == "hold_frozen"
    with pytest.raises(Conflict):
        escrow_release(order=order, line_ids=[first])
    escrow_freeze(order=order, line_ids=[first], reference="dispute:1")  # same reference: no-op
    escrow_unfreeze(order=order, line_ids=[first], reference="dispute:1")
    assert escrow_release_due(now=T0 + 62 * DAY) == 2  # the line, then shipping with it
    assert payable(shop) == 4500 - (150 + 50 + 25)
    assert_ok()


def test_freeze_refuses_closed_lines_and_unknown_lines(buyer, shop):
    order = make_order(buyer, shop, ["30.00"], shipping="0")
    refund_full(order=order, idempotency_key="r1")
    with pytest.raises(Conflict) as exc:
        escrow_freeze(order=order, line_ids=line_ids(order), reference="return:1")
    assert exc.value.code == "hold_closed"
    with pytest.raises(NotFound):
        escrow_freeze(order=order, line_ids=[999999], reference="return:1")


# --- refunds ----------------------------------------------------------------------------------


def test_full_refund_returns_every_line_and_shipping(buyer, shop, sandbox):
    order = make_order(buyer, shop, ["39.90", "12.50"], shipping="4.90")
    refund = refund_full(order=order, idempotency_key="full-1")
    assert refund.amount_minor == 5730
    assert bal(AccountKind.ESCROW, order=order) == 0
    assert bal(AccountKind.REFUNDS_IN_TRANSIT) == 5730
    drain_outbox()  # payment intent, then the refund
    refund.refresh_from_db()
    assert refund.state == TransferState.SUCCEEDED
    assert bal(AccountKind.REFUNDS_IN_TRANSIT) == 0
    assert bal(AccountKind.PROVIDER_CLEARING) == 0
    (request,) = sandbox.requests("/v1/refunds")
    assert request["idempotency_key"] == f"{refund.public_id}:1"
    assert request["params"]["amount"] == "5730"
    assert request["params"]["metadata"] == {
        "refund": refund.public_id,
        "attempt": "1",
        "order": order.number,
    }
    (intent,) = sandbox.requests("/v1/payment_intents")
    assert intent["idempotency_key"] == f"checkout:{order.number}"
    assert request["params"]["payment_intent"].startswith("pi_sbx_")
    assert escrow_release_due(now=T0 + 400 * DAY) == 0
    assert_ok()


def test_partial_refund_leaves_the_rest_for_the_seller_commission_on_the_rest(buyer, shop):
    order = deliver(make_order(buyer, shop, ["39.90", "12.50"], shipping="4.90"), T0)
    first, _second = line_ids(order)
    refund = refund_partial(order=order, amount=m("10.00"), line_ids=[first], idempotency_key="p1")
    assert refund.amount_minor == 1000
    hold = EscrowHold.objects.get(order_line_id=first)
    assert (hold.refunded_minor, hold.state) == (1000, HoldState.HELD)
    assert escrow_release_due(now=T0 + 60 * DAY) == 3
    # 29.90 × 5 % = 1.495 → 1.50; 12.50 → 0.62; shipping 4.90 → 0.24 (released with the order).
    assert bal(AccountKind.PLATFORM_REVENUE) == 150 + 62 + 24
    assert payable(shop) == (2990 + 1250 + 490) - 236
    assert_ok()


def test_partial_refund_split_across_lines_loses_no_cent(buyer, shop):
    order = make_order(buyer, shop, ["10.00", "20.00", "30.00"], shipping="3.00")
    refund_partial(order=order, amount=m("10.01"), idempotency_key="p1")
    refunded = list(
        EscrowHold.objects.filter(order=order, kind="line")
        .order_by("pk")
        .values_list("refunded_minor", flat=True)
    )
    assert refunded == [167, 334, 500]
    assert sum(refunded) == 1001


def test_partial_refunds_of_every_line_refund_shipping_too(buyer, shop):
    order = make_order(buyer, shop, ["10.00", "20.00"], shipping="3.00")
    first, second = line_ids(order)
    refund_partial(order=order, amount=m("10.00"), line_ids=[first], idempotency_key="a")
    assert EscrowHold.objects.get(order=order, kind="shipping").state == HoldState.HELD
    refund = refund_partial(order=order, amount=m("20.00"), line_ids=[second], idempotency_key="b")
    assert refund.amount_minor == 2300  # the last line and the shipping
    assert bal(AccountKind.ESCROW, order=order) == 0


def test_full_refund_after_a_line_was_released_keeps_shipping_for_the_seller(buyer, shop):
    order = deliver(make_order(buyer, shop, ["40.00", "10.00"], shipping="5.00"), T0)
    first, second = line_ids(order)
    assert escrow_release(order=order, line_ids=[second]) == 1
    refund = refund_full(order=order, idempotency_key="f")
    assert refund.amount_minor == 4000  # not the shipping: not every line was refunded
    assert escrow_release_due(now=T0 + 60 * DAY) == 1  # shipping, released with the order
    assert payable(shop) == (1000 - 50) + (500 - 25)
    assert_ok()


def test_refund_overdraw_is_refused_and_changes_nothing(buyer, shop):
    order = make_order(buyer, shop, ["10.00"], shipping="2.00")
    entries = JournalEntry.objects.count()
    with pytest.raises(Conflict) as exc:
        refund_partial(order=order, amount=m("10.01"), idempotency_key="x")
    assert exc.value.code == "refund_exceeds_held"
    refund_full(order=order, idempotency_key="all")
    with pytest.raises(Conflict) as exc:
        refund_full(order=order, idempotency_key="again")
    assert exc.value.code == "nothing_to_refund"
    assert JournalEntry.objects.count() == entries + 1
    assert Refund.objects.count() == 1


def test_refund_replay_returns_the_first(buyer, shop):
    order = make_order(buyer, shop, ["10.00"], shipping="0")
    one = refund_partial(order=order, amount=m("3.00"), idempotency_key="same")
    two = refund_partial(order=order, amount=m("3.00"), idempotency_key="same")
    assert one.pk == two.pk
    assert EscrowHold.objects.get(order=order).refunded_minor == 300
    other = make_order(buyer, shop, ["10.00"], shipping="0")
    with pytest.raises(Conflict):
        refund_partial(order=other, amount=m("3.00"), idempotency_key="same")


def test_refund_after_return_with_seller_paid_postage_capped(buyer, shop, settings):
    settings.RETURN_POSTAGE_CAP = m("25.00").amount
    earlier = deliver(make_order(buyer, shop, ["100.00"], shipping="0"), T0 - 70 * DAY)
    escrow_release_due(now=T0)
    assert payable(shop) == 9500
    order = make_order(buyer, shop, ["60.00", "15.00"], shipping="6.00")
    first, _second = line_ids(order)
    refund = refund_after_return(
        order=order,
        line_ids=[first],
        idempotency_key="ret",
        return_postage=m("31.40"),
        seller_pays_postage=True,
    )
    assert (refund.amount_minor, refund.postage_minor) == (6000 + 2500, 2500)
    assert payable(shop) == 9500 - 2500
    assert EscrowHold.objects.get(order_line_id=first).state == HoldState.REFUNDED
    assert earlier.pk != order.pk
    assert_ok()


def test_a_refund_of_every_line_takes_the_shipping_back(buyer, shop):
    order = make_order(buyer, shop, ["60.00"], shipping="7.00")
    refund = refund_after_return(
        order=order, line_ids=line_ids(order), idempotency_key="dis", return_postage=m("9.00")
    )
    assert refund.amount_minor == 6000 + 700  # every line refunded: shipping too, no postage
    assert refund.postage_minor == 0
    assert_ok()


def test_change_of_mind_return_refunds_the_item_price_only(buyer, shop):
    order = deliver(make_order(buyer, shop, ["60.00"], shipping="7.00"), T0)
    refund = refund_after_return(
        order=order, line_ids=line_ids(order), idempotency_key="com", with_shipping=False
    )
    assert (refund.amount_minor, refund.postage_minor) == (6000, 0)
    shipping = EscrowHold.objects.get(order=order, kind=HoldKind.SHIPPING)
    assert (shipping.state, shipping.refunded_minor) == (HoldState.HELD, 0)
    assert escrow_release_due(now=T0 + 59 * DAY) == 0
    assert escrow_release_due(now=T0 + 60 * DAY) == 1  # the shipping, with the order
    shipping.refresh_from_db()
    assert (shipping.state, shipping.released_minor, shipping.commission_minor) == (
        HoldState.RELEASED,
        700,
        35,
    )
    assert payable(shop) == 665
    assert_ok()


# --- payouts ----------------------------------------------------------------------------------


def test_payout_moves_available_to_transit_then_paid(buyer, shop, sandbox):
    deliver(make_order(buyer, shop, ["100.00"], shipping="0"), T0)
    escrow_release_due(now=T0 + 60 * DAY)
    payout = payout_request(shop=shop, amount=m("50.00"), idempotency_key="po-1")
    assert payable(shop) == 4500
    assert bal(AccountKind.PAYOUTS_IN_TRANSIT, shop=shop) == 5000
    drain_outbox()
    payout.refresh_from_db()
    assert payout.state == TransferState.SUCCEEDED
    assert bal(AccountKind.PAYOUTS_IN_TRANSIT, shop=shop) == 0
    assert bal(AccountKind.PROVIDER_CLEARING) == -10000 + 5000
    (request,) = sandbox.requests("/v1/payouts")
    assert request["idempotency_key"] == f"{payout.public_id}:1"
    assert request["params"]["destination"] == f"ba_sbx_shop_{shop.pk}"
    assert_ok()


def test_payout_overdraw_refused_and_replay(buyer, shop):
    deliver(make_order(buyer, shop, ["10.00"], shipping="0"), T0)
    escrow_release_due(now=T0 + 60 * DAY)
    with pytest.raises(Conflict) as exc:
        payout_request(shop=shop, amount=m("9.51"), idempotency_key="too-much")
    assert exc.value.code == "insufficient_funds"
    assert Payout.objects.count() == 0
    one = payout_request(shop=shop, amount=m("9.50"), idempotency_key="k")
    assert payout_request(shop=shop, amount=m("9.50"), idempotency_key="k").pk == one.pk
    with pytest.raises(Conflict):
        payout_request(shop=shop, amount=m("1.00"), idempotency_key="k")
    assert payable(shop) == 0


# --- provider failures ------------------------------------------------------------------------


def test_declined_refund_is_retried_with_new_keys_then_shown_to_staff(buyer, shop, sandbox):
    from comptoir.ledger.selectors import transfers_needing_staff

    order = make_order(buyer, shop, ["10.00"], shipping="0")
    drain_outbox()  # the payment intent
    sandbox.script("decline", "decline", "decline")
    refund = refund_full(order=order, idempotency_key="r")
    now = clock.now()
    for _ in range(6):
        drain_outbox(now=now)
        now += dt.timedelta(days=1)
    refund.refresh_from_db()
    assert refund.state == TransferState.FAILED
    assert refund.attempt == 3
    keys = [r["idempotency_key"] for r in sandbox.requests("/v1/refunds")]
    assert keys == [f"{refund.public_id}:1", f"{refund.public_id}:2", f"{refund.public_id}:3"]
    assert bal(AccountKind.REFUNDS_IN_TRANSIT) == 1000  # stays in transit
    assert transfers_needing_staff()[0] == [refund]
    report = ledger_check()
    assert report.problems == [
        f"refund {refund.public_id} failed at the provider: " + refund.last_error[:120]
    ]


def test_provider_timeout_then_retry_makes_one_refund(buyer, shop, sandbox):
    order = make_order(buyer, shop, ["10.00"], shipping="0")
    drain_outbox()
    sandbox.server.state.timeout_seconds = 1.5
    sandbox.script("timeout")
    refund = refund_full(order=order, idempotency_key="r")
    assert drain_outbox() == 0  # the client gave up after 1 s
    refund.refresh_from_db()
    assert refund.state == TransferState.IN_TRANSIT
    assert drain_outbox(now=T0 + 400 * DAY) == 1  # retried (same key): the stored answer
    refund.refresh_from_db()
    assert refund.state == TransferState.SUCCEEDED
    requests = sandbox.requests("/v1/refunds")
    assert [r["idempotency_key"] for r in requests] == [f"{refund.public_id}:1"] * 2
    refunds_at_provider = [
        o for o in sandbox.server.state.objects.values() if o["object"] == "refund"
    ]
    assert len(refunds_at_provider) == 1
    assert_ok()


def test_ledger_check_finds_a_tampered_balance(buyer, shop):
    order = make_order(buyer, shop, ["10.00"], shipping="0")
    Account.objects.filter(order=order).update(balance_minor=999)
    problems = ledger_check().problems
    assert any("cached balance 999 != sum of postings 1000" in p for p in problems)
    assert any("escrow of order" in p for p in problems)


def test_entries_are_immutable_and_postings_never_zero(buyer, shop):
    from django.db import IntegrityError, transaction

    from comptoir.ledger.models import ImmutableError

    make_order(buyer, shop, ["10.00"], shipping="0")
    entry = JournalEntry.objects.get()
    with pytest.raises(ImmutableError):
        entry.save()
    with pytest.raises(ImmutableError):
        entry.delete()
    with pytest.raises(IntegrityError), transaction.atomic():
        Posting.objects.create(
            entry=entry, account=Account.objects.first(), amount_minor=0, currency=EUR
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(kind=AccountKind.ESCROW).update(balance_minor=-1)
