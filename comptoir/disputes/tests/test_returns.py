"""The return sub-flow of disputes (return and refund) and its money against the ledger."""

from __future__ import annotations

import datetime as dt

import pytest

from comptoir.accounts.enums import Role
from comptoir.core import clock
from comptoir.core.errors import ApplicationError, Conflict, NotFound, ValidationFailed
from comptoir.core.money import Money
from comptoir.core.sweeps import run_sweep
from comptoir.disputes import returns as r
from comptoir.disputes import services as s
from comptoir.disputes.enums import DisputeStatus as S
from comptoir.disputes.enums import ReturnStatus as R
from comptoir.disputes.models import DisputeEvent, ReturnRequest
from comptoir.disputes.selectors import Waiting, dispute_waiting_on, return_waiting_on
from comptoir.ledger.enums import AccountKind
from comptoir.ledger.models import Account, Refund
from comptoir.ledger.services import escrow_release
from comptoir.orders.enums import ShipmentDirection
from comptoir.orders.models import Shipment
from comptoir.orders.services import tracking_event_record
from comptoir.testing.factories import UserFactory

from .conftest import DAY, line_ids, make_order, photo_of
from .test_services import NOW, assert_ledger_ok, delivered, frozen, open_received

pytestmark = pytest.mark.django_db


def payable(shop) -> int:
    account = Account.objects.filter(kind=AccountKind.SELLER_PAYABLE, shop=shop).first()
    return account.balance_minor if account else 0


def return_agreed(buyer, seller, order, *, at=NOW):
    """A "damaged" dispute asking return and refund of the first line, accepted by the seller."""
    d = open_received(buyer, order, request="return_and_refund")
    with clock.frozen_at(at):
        s.dispute_accept(user=seller, public_id=d.public_id)
    d.refresh_from_db()
    return d, d.returns.get()


def give_address(seller, ret, *, at=NOW + DAY):
    with clock.frozen_at(at):
        return r.return_address_give(
            user=seller,
            public_id=ret.public_id,
            name="Boutique Julien",
            line1="3 quai Perrache",
            postal_code="69002",
            city="Lyon",
            country="fr",
        )


def ship(buyer, ret, *, at=NOW + 2 * DAY, postage=None, tracking="RR123456789FR"):
    with clock.frozen_at(at):
        return r.return_ship(
            user=buyer,
            public_id=ret.public_id,
            carrier="colissimo",
            tracking_number=tracking,
            postage=Money.parse(postage) if postage else None,
            postage_receipt=photo_of(buyer) if postage else None,
        )


def carrier_delivers(ret, *, at):
    with clock.frozen_at(at):
        tracking_event_record(
            carrier="colissimo",
            tracking_number=ret.shipment.tracking_number,
            code="delivered",
            occurred_at=at,
            location="Lyon",
            external_id=f"evt-{ret.public_id}",
        )


def return_actions(ret):
    return [
        (e.action, e.old_status, e.new_status, e.actor_kind)
        for e in DisputeEvent.objects.filter(return_request=ret).order_by("pk")
    ]


def test_agreed_return_and_refund_waits_for_the_return_with_the_lines_frozen(buyer, seller, shop):
    order = delivered(buyer, shop)
    d, ret = return_agreed(buyer, seller, order)
    assert d.status == S.AWAITING_RETURN
    assert (ret.kind, ret.status, ret.postage_payer) == ("dispute", R.AWAITING_ADDRESS, "seller")
    assert ret.due_at == NOW + 5 * DAY
    first, second = line_ids(order)
    assert frozen(order) == {first: f"dispute:{d.public_id}", second: ""}
    assert not Refund.objects.exists()
    assert dispute_waiting_on(d) == Waiting("seller", NOW + 5 * DAY)
    assert return_actions(ret) == [("return-open", "", R.AWAITING_ADDRESS, "system")]
    # The return's events are in the dispute's timeline too.
    assert [e.action for e in d.events.order_by("pk")] == [
        "open",
        "accept",
        "await-return",
        "return-open",
    ]


def test_full_return_refunds_the_line_and_the_seller_paid_postage(buyer, seller, shop):
    # The seller already has money available (another order released) to pay the postage.
    other = delivered(buyer, shop, prices=("50.00",))
    escrow_release(order=other)
    before = payable(shop)
    assert before == 4750 + 466  # 95 % of 50.00 + 4.90 shipping
    order = delivered(buyer, shop)
    d, ret = return_agreed(buyer, seller, order)
    ret = give_address(seller, ret)
    assert (ret.status, ret.address_source, ret.due_at) == (
        R.AWAITING_SHIPMENT,
        "seller",
        NOW + 11 * DAY,
    )
    assert ret.address_lines == [
        "Boutique Julien",
        "3 quai Perrache",
        "69002 Lyon",
        "FR",
    ]
    assert return_waiting_on(ret) == Waiting("buyer", NOW + 11 * DAY)
    ret = ship(buyer, ret, postage="6.50")
    assert (ret.status, ret.due_at, ret.postage_minor) == (R.SHIPPED, None, 650)
    assert return_waiting_on(ret) == Waiting("carrier", None)
    shipment = Shipment.objects.get(order=order, direction=ShipmentDirection.RETURN)
    assert ret.shipment_id == shipment.pk
    carrier_delivers(ret, at=NOW + 4 * DAY)
    assert run_sweep("disputes.return_delivered", now=NOW + 4 * DAY).handled == 1
    ret.refresh_from_db()
    assert (ret.status, ret.delivered_at, ret.due_at) == (
        R.DELIVERED,
        NOW + 4 * DAY,
        NOW + 19 * DAY,
    )
    assert run_sweep("disputes.return_delivered", now=NOW + 5 * DAY).handled == 0
    with clock.frozen_at(NOW + 5 * DAY):
        r.return_confirm_receipt(user=seller, public_id=ret.public_id)
    ret.refresh_from_db()
    d.refresh_from_db()
    refund = Refund.objects.get(order=order)
    assert (refund.amount_minor, refund.postage_minor, refund.reason) == (3990 + 650, 650, "return")
    assert (ret.status, ret.refund_minor, ret.refund_id) == (R.REFUNDED, 4640, refund.public_id)
    assert d.status == S.CLOSED
    assert dispute_waiting_on(d) is None
    assert payable(shop) == before - 650
    assert frozen(order) == {line: "" for line in line_ids(order)}
    assert return_actions(ret) == [
        ("return-open", "", R.AWAITING_ADDRESS, "system"),
        ("return-address", R.AWAITING_ADDRESS, R.AWAITING_SHIPMENT, "seller"),
        ("return-ship", R.AWAITING_SHIPMENT, R.SHIPPED, "buyer"),
        ("return-delivered", R.SHIPPED, R.DELIVERED, "system"),
        ("return-confirm", R.DELIVERED, R.REFUNDED, "seller"),
    ]
    closing = d.events.get(action="return-received")
    assert (closing.old_status, closing.new_status) == (S.AWAITING_RETURN, S.CLOSED)
    assert_ledger_ok()


def test_postage_is_capped_by_the_setting(buyer, seller, shop):
    other = delivered(buyer, shop, prices=("50.00",))
    escrow_release(order=other)
    order = delivered(buyer, shop)
    d, ret = return_agreed(buyer, seller, order)
    give_address(seller, ret)
    ship(buyer, ret, postage="80.00")
    with clock.frozen_at(NOW + 3 * DAY):
        r.return_confirm_receipt(user=seller, public_id=ret.public_id)
    assert Refund.objects.get(order=order).postage_minor == 2500
    assert_ledger_ok()


def test_seller_silence_gives_the_platform_address(buyer, seller, shop, settings):
    settings.RETURNS_DEFAULT_ADDRESS = {"name": "Comptoir Retours", "city": "Roubaix"}
    order = delivered(buyer, shop)
    d, ret = return_agreed(buyer, seller, order)
    assert (
        run_sweep("disputes.return_address", now=NOW + 5 * DAY - dt.timedelta(seconds=1)).handled
        == 0
    )
    assert run_sweep("disputes.return_address", now=NOW + 5 * DAY).handled == 1
    ret.refresh_from_db()
    assert (ret.status, ret.address_source, ret.due_at) == (
        R.AWAITING_SHIPMENT,
        "platform",
        NOW + 15 * DAY,
    )
    assert ret.address_lines == [
        "Comptoir Retours",
        "12 rue des Entrepôts",
        "93200 Roubaix",
        "FR",
    ]
    assert run_sweep("disputes.return_address", now=NOW + 9 * DAY).handled == 0
    with pytest.raises(Conflict):  # too late for the seller now
        give_address(seller, ret, at=NOW + 6 * DAY)


def test_missed_shipment_closes_the_dispute_for_the_seller(buyer, seller, shop):
    order = delivered(buyer, shop)
    d, ret = return_agreed(buyer, seller, order)
    give_address(seller, ret)
    assert run_sweep("disputes.return_not_shipped", now=NOW + 11 * DAY - DAY).handled == 0
    assert run_sweep("disputes.return_not_shipped", now=NOW + 11 * DAY).handled == 1
    ret.refresh_from_db()
    d.refresh_from_db()
    assert (ret.status, d.status) == (R.CLOSED, S.CLOSED)
    assert d.events.order_by("-pk").first().action == "return-not-shipped"
    assert not Refund.objects.exists()
    assert frozen(order) == {line: "" for line in line_ids(order)}
    with pytest.raises(Conflict):
        ship(buyer, ret, at=NOW + 12 * DAY)
    assert run_sweep("disputes.return_not_shipped", now=NOW + 30 * DAY).handled == 0
    # The line is released to the seller at the end of protection like any other.
    from comptoir.ledger.services import escrow_release_due

    assert escrow_release_due(now=NOW + 60 * DAY) == 3
    assert_ledger_ok()


def test_missed_confirmation_is_refunded_automatically(buyer, seller, shop):
    order = delivered(buyer, shop)
    d, ret = return_agreed(buyer, seller, order)
    give_address(seller, ret)
    ret = ship(buyer, ret)
    carrier_delivers(ret, at=NOW + 4 * DAY)
    run_sweep("disputes.return_delivered", now=NOW + 4 * DAY)
    assert run_sweep("disputes.return_confirmation", now=NOW + 19 * DAY - DAY).handled == 0
    assert not Refund.objects.exists()
    assert run_sweep("disputes.return_confirmation", now=NOW + 19 * DAY).handled == 1
    ret.refresh_from_db()
    d.refresh_from_db()
    assert (ret.status, d.status) == (R.REFUNDED, S.CLOSED)
    assert Refund.objects.get(order=order).amount_minor == 3990
    last = DisputeEvent.objects.filter(return_request=ret).order_by("-pk").first()
    assert (last.action, last.actor_kind) == ("return-auto-refund", "system")
    assert run_sweep("disputes.return_confirmation", now=NOW + 40 * DAY).handled == 0
    assert Refund.objects.count() == 1
    assert_ledger_ok()


def test_staff_record_the_delivery_when_no_scan_came(buyer, seller, shop):
    agent = UserFactory(email="agent@example.org", role=Role.AGENT)
    order = delivered(buyer, shop)
    d, ret = return_agreed(buyer, seller, order)
    give_address(seller, ret)
    ret = ship(buyer, ret)
    for who in (buyer, seller):
        with pytest.raises(ApplicationError) as exc:
            r.return_mark_delivered(user=who, public_id=ret.public_id)
        assert exc.value.code == "action_not_allowed"
    with clock.frozen_at(NOW + 6 * DAY):
        ret = r.return_mark_delivered(user=agent, public_id=ret.public_id)
    assert (ret.status, ret.due_at) == (R.DELIVERED, NOW + 21 * DAY)
    assert return_actions(ret)[-1] == ("return-delivered", R.SHIPPED, R.DELIVERED, "staff")


def test_seller_may_confirm_before_the_carrier_scan(buyer, seller, shop):
    order = delivered(buyer, shop)
    d, ret = return_agreed(buyer, seller, order)
    give_address(seller, ret)
    ret = ship(buyer, ret)
    with clock.frozen_at(NOW + 3 * DAY):
        ret = r.return_confirm_receipt(user=seller, public_id=ret.public_id)
    assert ret.status == R.REFUNDED
    assert run_sweep("disputes.return_delivered", now=NOW + 9 * DAY).handled == 0


def test_who_may_do_what_on_a_return(buyer, seller, shop, stranger):
    order = delivered(buyer, shop)
    d, ret = return_agreed(buyer, seller, order)
    with pytest.raises(NotFound):
        give_address(stranger, ret)
    with pytest.raises(ApplicationError) as exc:
        give_address(buyer, ret)
    assert exc.value.code == "action_not_allowed"
    with pytest.raises(Conflict) as exc:  # no address yet
        ship(buyer, ret)
    assert exc.value.code == "transition_not_allowed"
    with pytest.raises(Conflict) as exc:
        r.return_cancel(user=buyer, public_id=ret.public_id)
    assert exc.value.code == "return_of_dispute"
    give_address(seller, ret)
    with pytest.raises(ApplicationError) as exc:
        ship(seller, ret)
    assert exc.value.code == "action_not_allowed"
    with pytest.raises(ApplicationError):
        r.return_confirm_receipt(user=buyer, public_id=ret.public_id)
    ret.refresh_from_db()
    assert ret.status == R.AWAITING_SHIPMENT
    assert ReturnRequest.objects.count() == 1


def test_address_is_validated(buyer, seller, shop):
    order = delivered(buyer, shop)
    d, ret = return_agreed(buyer, seller, order)
    with pytest.raises(ValidationFailed) as exc:
        r.return_address_give(
            user=seller,
            public_id=ret.public_id,
            name="",
            line1="3 quai Perrache",
            postal_code="",
            city="Lyon",
            country="FR",
        )
    assert exc.value.details == {"fields": ["name", "postal_code"]}
    with pytest.raises(ValidationFailed):
        r.return_address_give(
            user=seller,
            public_id=ret.public_id,
            name="B",
            line1="3 quai Perrache",
            postal_code="69002",
            city="Lyon",
            country="France",
        )
    ret.refresh_from_db()
    assert ret.status == R.AWAITING_ADDRESS


def test_declared_postage_needs_a_receipt(buyer, seller, shop):
    order = delivered(buyer, shop)
    d, ret = return_agreed(buyer, seller, order)
    give_address(seller, ret)
    with clock.frozen_at(NOW + 2 * DAY), pytest.raises(ValidationFailed) as exc:
        r.return_ship(
            user=buyer,
            public_id=ret.public_id,
            carrier="colissimo",
            tracking_number="RR1",
            postage=Money.parse("5.00"),
        )
    assert exc.value.details == {"field": "postage_receipt"}
    assert not Shipment.objects.filter(direction=ShipmentDirection.RETURN).exists()


def test_final_decision_return_and_refund_starts_the_return(buyer, seller, shop, officer):
    order = delivered(buyer, shop)
    d = open_received(buyer, order, amount="20.00")
    s.dispute_refuse(user=seller, public_id=d.public_id, outcome="no_refund", message="Non")
    s.dispute_escalate(user=buyer, public_id=d.public_id)
    with clock.frozen_at(NOW + DAY):
        s.dispute_decide(
            user=officer, public_id=d.public_id, outcome="return_and_refund", message="Retour"
        )
    d.refresh_from_db()
    assert d.status == S.DECIDED and not d.returns.exists()  # nothing before it is final
    assert run_sweep("disputes.finalise", now=NOW + 6 * DAY).handled == 1
    d.refresh_from_db()
    ret = d.returns.get()
    assert (d.status, ret.status, ret.due_at) == (
        S.AWAITING_RETURN,
        R.AWAITING_ADDRESS,
        NOW + 11 * DAY,
    )
    assert not Refund.objects.exists()


def test_not_received_cannot_ask_for_a_return(buyer, seller, shop):
    order = make_order(buyer, shop, ["10.00"])
    from comptoir.orders.models import Order

    Order.objects.filter(pk=order.pk).update(
        status="shipped", shipped_at=NOW - 30 * DAY, promised_delivery_date=(NOW - DAY).date()
    )
    order.refresh_from_db()
    with clock.frozen_at(NOW), pytest.raises(ValidationFailed) as exc:
        s.dispute_open(
            user=buyer,
            order=order,
            line_ids=line_ids(order),
            reason="not_received",
            request="return_and_refund",
            description="Jamais reçu",
        )
    assert exc.value.details == {"field": "request"}
