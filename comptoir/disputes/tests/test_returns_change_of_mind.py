"""Change-of-mind return requests outside disputes (PRODUCT.md §3)."""

from __future__ import annotations

import pytest

from comptoir.core import clock
from comptoir.core.errors import ApplicationError, Conflict, NotFound, ValidationFailed
from comptoir.core.money import Money
from comptoir.core.sweeps import run_sweep
from comptoir.disputes import returns as r
from comptoir.disputes.enums import ReturnStatus as R
from comptoir.disputes.models import DisputeEvent, ReturnRequest
from comptoir.ledger.models import EscrowHold, Refund
from comptoir.ledger.services import escrow_release_due
from comptoir.orders.models import Order

from .conftest import DAY, T0, line_ids, make_order
from .test_returns import carrier_delivers, give_address, ship
from .test_services import NOW, assert_ledger_ok, delivered, frozen, open_received

pytestmark = pytest.mark.django_db


def ask(buyer, order, *, lines=None, unused=True, at=NOW):
    with clock.frozen_at(at):
        return r.return_request_open(
            user=buyer,
            order=order,
            line_ids=lines or line_ids(order)[:1],
            unused=unused,
            note="Finalement la couleur ne me plaît pas",
        )


def test_request_freezes_the_line_under_its_own_reference(buyer, shop):
    order = delivered(buyer, shop)
    ret = ask(buyer, order)
    assert (ret.kind, ret.status, ret.postage_payer, ret.dispute_id) == (
        "change_of_mind",
        R.AWAITING_ADDRESS,
        "buyer",
        None,
    )
    assert ret.due_at == NOW + 5 * DAY
    first, second = line_ids(order)
    assert frozen(order) == {first: f"return:{ret.public_id}", second: ""}
    event = DisputeEvent.objects.get(return_request=ret)
    assert (event.action, event.dispute_id, event.actor_kind) == ("return-open", None, "buyer")


def test_item_price_refunded_on_receipt_shipping_kept(buyer, seller, shop):
    order = delivered(buyer, shop)
    ret = ask(buyer, order)
    give_address(seller, ret)
    ret = ship(buyer, ret)
    carrier_delivers(ret, at=NOW + 4 * DAY)
    run_sweep("disputes.return_delivered", now=NOW + 4 * DAY)
    with clock.frozen_at(NOW + 5 * DAY):
        ret = r.return_confirm_receipt(user=seller, public_id=ret.public_id)
    refund = Refund.objects.get(order=order)
    assert (refund.amount_minor, refund.postage_minor) == (3990, 0)
    assert (ret.status, ret.refund_minor) == (R.REFUNDED, 3990)
    assert frozen(order) == {line: "" for line in line_ids(order)}
    # The other line and the outbound shipping go to the seller when protection ends.
    assert escrow_release_due(now=T0 + 60 * DAY) == 2
    first, second = line_ids(order)
    assert EscrowHold.objects.get(order_line_id=second).state == "released"
    assert_ledger_ok()


def test_every_line_returned_refunds_the_item_price_only(buyer, seller, shop):
    """The lead's reading of PRODUCT.md §3 ("refund of the item price"): even when every line
    comes back, the outbound shipping stays with the seller and is released with the order."""
    order = delivered(buyer, shop)
    ret = ask(buyer, order, lines=line_ids(order))
    give_address(seller, ret)
    ret = ship(buyer, ret)
    carrier_delivers(ret, at=NOW + 4 * DAY)
    run_sweep("disputes.return_delivered", now=NOW + 4 * DAY)
    assert run_sweep("disputes.return_confirmation", now=NOW + 19 * DAY).handled == 1
    refund = Refund.objects.get(order=order)
    assert (refund.amount_minor, refund.postage_minor) == (3990 + 1250, 0)
    ret.refresh_from_db()
    assert (ret.status, ret.refund_minor) == (R.REFUNDED, 5240)
    shipping = EscrowHold.objects.get(order=order, kind="shipping")
    assert (shipping.state, shipping.refunded_minor) == ("held", 0)
    assert Order.objects.get(pk=order.pk).payment_status == "partially_refunded"
    assert escrow_release_due(now=T0 + 60 * DAY) == 1
    shipping.refresh_from_db()
    assert (shipping.state, shipping.released_minor, shipping.commission_minor) == (
        "released",
        490,
        24,  # 5 % of 4.90, half-even
    )
    assert_ledger_ok()


def test_buyer_pays_the_postage_of_a_change_of_mind_return(buyer, seller, shop):
    order = delivered(buyer, shop)
    ret = ask(buyer, order)
    give_address(seller, ret)
    with pytest.raises(ValidationFailed) as exc:
        ship(buyer, ret, postage="6.00")
    assert exc.value.details == {"field": "postage"}


def test_cancel_before_shipping_unfreezes(buyer, seller, shop):
    order = delivered(buyer, shop)
    ret = ask(buyer, order)
    with clock.frozen_at(NOW + DAY):
        ret = r.return_cancel(user=buyer, public_id=ret.public_id)
    assert ret.status == R.CANCELLED and ret.closed_at == NOW + DAY
    assert frozen(order) == {line: "" for line in line_ids(order)}
    with pytest.raises(ApplicationError):
        r.return_cancel(user=seller, public_id=ret.public_id)
    # The same line may be asked for again.
    again = ask(buyer, order, at=NOW + 2 * DAY)
    assert again.status == R.AWAITING_ADDRESS
    assert ReturnRequest.objects.count() == 2


def test_cannot_cancel_once_shipped(buyer, seller, shop):
    order = delivered(buyer, shop)
    ret = ask(buyer, order)
    give_address(seller, ret)
    ship(buyer, ret)
    with pytest.raises(Conflict) as exc:
        r.return_cancel(user=buyer, public_id=ret.public_id)
    assert exc.value.code == "transition_not_allowed"


def test_missed_shipment_closes_it_and_unfreezes(buyer, seller, shop):
    order = delivered(buyer, shop)
    ret = ask(buyer, order)
    give_address(seller, ret)
    assert run_sweep("disputes.return_not_shipped", now=NOW + 11 * DAY).handled == 1
    ret.refresh_from_db()
    assert ret.status == R.CLOSED
    assert frozen(order) == {line: "" for line in line_ids(order)}
    assert not Refund.objects.exists()


def test_refusals_explain_why(buyer, seller, shop, stranger):
    order = delivered(buyer, shop)
    with pytest.raises(ValidationFailed) as exc:
        ask(buyer, order, unused=False)
    assert exc.value.details == {"field": "unused"}
    with pytest.raises(NotFound):
        ask(stranger, order)
    with pytest.raises(ApplicationError) as exc:
        ask(buyer, order, at=T0 + 60 * DAY)
    assert exc.value.code == "protection_over"
    undelivered = make_order(buyer, shop, ["10.00"])
    with pytest.raises(ApplicationError) as exc:
        ask(buyer, undelivered)
    assert exc.value.code == "not_delivered"
    other = make_order(buyer, shop, ["10.00"])
    with pytest.raises(ValidationFailed):
        ask(buyer, order, lines=line_ids(other))
    assert not ReturnRequest.objects.exists()
    assert frozen(order) == {line: "" for line in line_ids(order)}


def test_a_line_is_in_one_dispute_or_return_at_a_time(buyer, seller, shop):
    order = delivered(buyer, shop)
    d = open_received(buyer, order)  # the first line
    with pytest.raises(Conflict) as exc:
        ask(buyer, order)
    assert exc.value.code == "line_in_dispute"
    second = line_ids(order)[1]
    ret = ask(buyer, order, lines=[second])
    with clock.frozen_at(NOW), pytest.raises(Conflict) as exc:
        from comptoir.disputes import services as s

        from .conftest import photo_of

        s.dispute_open(
            user=buyer,
            order=order,
            line_ids=[second],
            reason="damaged",
            request="refund",
            description="x",
            amount=Money.parse("1.00"),
            evidence=[photo_of(buyer)],
        )
    assert exc.value.code == "line_in_return"
    assert ReturnRequest.objects.get().pk == ret.pk
    assert d.lines.count() == 1


def test_a_refunded_line_cannot_be_returned_again(buyer, seller, shop):
    order = delivered(buyer, shop)
    ret = ask(buyer, order)
    give_address(seller, ret)
    ship(buyer, ret)
    with clock.frozen_at(NOW + 3 * DAY):
        r.return_confirm_receipt(user=seller, public_id=ret.public_id)
    with pytest.raises(Conflict) as exc:
        ask(buyer, order, at=NOW + 4 * DAY)
    assert exc.value.code == "hold_closed"
    assert Order.objects.get(pk=order.pk).status == "delivered"
