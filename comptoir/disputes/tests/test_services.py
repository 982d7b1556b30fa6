"""Every transition and every refused one, with the money checked against the ledger."""

from __future__ import annotations

import pytest

from comptoir.core import clock
from comptoir.core.errors import ApplicationError, Conflict, NotFound, ValidationFailed
from comptoir.core.money import Money
from comptoir.disputes import services as s
from comptoir.disputes.enums import DisputeStatus as S
from comptoir.disputes.enums import Outcome
from comptoir.disputes.models import Dispute, DisputeLine
from comptoir.ledger.check import ledger_check
from comptoir.ledger.models import EscrowHold, Refund

from .conftest import DAY, T0, deliver, line_ids, make_order, photo_of

pytestmark = pytest.mark.django_db
NOW = T0 + 10 * DAY


def eur(v: str) -> Money:
    return Money.parse(v)


def delivered(buyer, shop, prices=("39.90", "12.50")):
    return deliver(make_order(buyer, shop, list(prices)), T0)


def open_received(buyer, order, *, lines=None, amount="10.00", request="refund"):
    with clock.frozen_at(NOW):
        return s.dispute_open(
            user=buyer,
            order=order,
            line_ids=lines or line_ids(order)[:1],
            reason="damaged",
            request=request,
            description="Écran fissuré",
            amount=eur(amount),
            evidence=[photo_of(buyer)],
        )


def statuses(d):
    return [(e.action, e.old_status, e.new_status, e.actor_kind) for e in d.events.order_by("pk")]


def frozen(order):
    return dict(
        EscrowHold.objects.filter(order=order, kind="line").values_list(
            "order_line_id", "frozen_by"
        )
    )


def assert_ledger_ok():
    report = ledger_check()
    assert report.ok, report.problems


# --- opening ---------------------------------------------------------------------------------------


def test_open_received_freezes_lines_and_writes_the_open_event(buyer, shop):
    order = delivered(buyer, shop)
    d = open_received(buyer, order)
    assert d.status == S.AWAITING_SELLER
    assert d.requested_minor == 1000
    assert d.due_at == NOW + 5 * DAY
    assert statuses(d) == [("open", "", "awaiting_seller", "buyer")]
    first, second = line_ids(order)
    assert frozen(order) == {first: f"dispute:{d.public_id}", second: ""}
    assert d.evidence.count() == 1
    assert d.proposals.get().outcome == Outcome.PARTIAL_REFUND


def test_received_needs_evidence_and_an_amount_within_the_lines_value(buyer, shop):
    order = delivered(buyer, shop)
    with clock.frozen_at(NOW), pytest.raises(ValidationFailed) as exc:
        s.dispute_open(
            user=buyer,
            order=order,
            line_ids=line_ids(order)[:1],
            reason="damaged",
            request="refund",
            description="x",
            amount=eur("10.00"),
        )
    assert exc.value.details == {"field": "evidence"}
    with pytest.raises(ValidationFailed) as exc:
        open_received(buyer, order, amount="39.91")
    assert exc.value.details["field"] == "amount"
    assert Dispute.objects.count() == 0
    assert frozen(order) == {i: "" for i in line_ids(order)}


def test_received_disputes_close_when_protection_ends(buyer, shop):
    order = delivered(buyer, shop)
    with clock.frozen_at(T0 + 60 * DAY), pytest.raises(ApplicationError) as exc:
        s.dispute_open(
            user=buyer,
            order=order,
            line_ids=line_ids(order),
            reason="defective",
            request="refund",
            description="x",
            amount=eur("1.00"),
            evidence=[photo_of(buyer)],
        )
    assert exc.value.code == "protection_over"


def test_not_received_from_the_promised_date_for_the_full_amount(buyer, shop):
    from comptoir.orders.models import Order

    order = make_order(buyer, shop, ["39.90", "12.50"])
    Order.objects.filter(pk=order.pk).update(
        status="shipped", shipped_at=T0, promised_delivery_date=(T0 + 20 * DAY).date()
    )
    order.refresh_from_db()
    kwargs = dict(
        user=buyer,
        order=order,
        line_ids=line_ids(order),
        reason="not_received",
        request="refund",
        description="Rien reçu",
        amount=eur("1.00"),
    )
    with clock.frozen_at(T0 + 19 * DAY), pytest.raises(ApplicationError) as exc:
        s.dispute_open(**kwargs)
    assert exc.value.code == "too_early"
    with clock.frozen_at(T0 + 20 * DAY):
        d = s.dispute_open(**kwargs)  # no evidence needed; the amount is the full lines' value
    assert d.requested_minor == 3990 + 1250


def test_received_reason_refused_before_delivery(buyer, shop):
    order = make_order(buyer, shop, ["39.90"])
    with clock.frozen_at(NOW), pytest.raises(ApplicationError) as exc:
        s.dispute_open(
            user=buyer,
            order=order,
            line_ids=line_ids(order),
            reason="damaged",
            request="refund",
            description="x",
            amount=eur("1.00"),
            evidence=[photo_of(buyer)],
        )
    assert exc.value.code == "not_delivered"


def test_only_the_buyer_opens(buyer, seller, shop):
    order = delivered(buyer, shop)
    with pytest.raises(NotFound):
        open_received(seller, order)


def test_a_line_is_in_at_most_one_active_dispute(buyer, shop):
    order = delivered(buyer, shop)
    d = open_received(buyer, order)
    with pytest.raises(Conflict) as exc:
        open_received(buyer, order, lines=line_ids(order))
    assert exc.value.code == "line_in_dispute"
    # the partial unique constraint holds even without the service's check
    from django.db import IntegrityError, transaction

    other = Dispute.objects.create(
        order=order,
        buyer=buyer,
        shop=shop,
        status=S.AWAITING_SELLER,
        reason="damaged",
        request="refund",
        requested_minor=1,
        currency="EUR",
        description="x",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        DisputeLine.objects.create(dispute=other, order_line_id=line_ids(order)[0])
    assert d.lines.get().active


# --- seller answers --------------------------------------------------------------------------------


def test_seller_accepts_partial_request_refunds_exactly_and_unfreezes(buyer, seller, shop):
    order = delivered(buyer, shop)
    d = open_received(buyer, order, amount="10.00")
    with clock.frozen_at(NOW + DAY):
        d = s.dispute_accept(user=seller, public_id=d.public_id)
    assert d.status == S.CLOSED
    assert [e[:3] for e in statuses(d)] == [
        ("open", "", "awaiting_seller"),
        ("accept", "awaiting_seller", "accepted"),
        ("settle", "accepted", "closed"),
    ]
    refund = Refund.objects.get(order=order)
    assert (refund.amount_minor, refund.idempotency_key) == (1000, f"dispute:{d.public_id}:refund")
    assert frozen(order) == {i: "" for i in line_ids(order)}
    assert not d.lines.get().active
    assert_ledger_ok()


def test_refuse_then_accept_counter(buyer, seller, shop):
    order = delivered(buyer, shop)
    d = open_received(buyer, order, amount="39.90")
    with clock.frozen_at(NOW + DAY):
        d = s.dispute_refuse(
            user=seller,
            public_id=d.public_id,
            outcome="partial_refund",
            amount=eur("15.00"),
            message="Je propose 15 €",
        )
    assert (d.status, d.due_at) == (S.REFUSED, NOW + 8 * DAY)
    d = s.dispute_accept_counter(user=buyer, public_id=d.public_id)
    assert (d.status, d.outcome, d.outcome_minor) == (S.CLOSED, "partial_refund", 1500)
    assert Refund.objects.get(order=order).amount_minor == 1500
    assert_ledger_ok()


def test_modify_restarts_the_sellers_five_days(buyer, seller, shop):
    order = delivered(buyer, shop)
    d = open_received(buyer, order)
    s.dispute_refuse(user=seller, public_id=d.public_id, outcome="no_refund", message="Non")
    with clock.frozen_at(NOW + 3 * DAY):
        d = s.dispute_modify(
            user=buyer,
            public_id=d.public_id,
            request="refund",
            amount=eur("5.00"),
            description="5 € suffiront",
        )
    assert (d.status, d.due_at, d.requested_minor) == (S.AWAITING_SELLER, NOW + 8 * DAY, 500)


def test_cancel_unfreezes_and_reopen_freezes_again(buyer, shop):
    order = delivered(buyer, shop)
    d = open_received(buyer, order)
    d = s.dispute_cancel(user=buyer, public_id=d.public_id)
    assert d.status == S.CANCELLED and frozen(order)[line_ids(order)[0]] == ""
    assert not d.lines.get().active
    with clock.frozen_at(NOW + DAY):
        d = s.dispute_reopen(user=buyer, public_id=d.public_id)
    assert (d.status, d.due_at) == (S.AWAITING_SELLER, NOW + 6 * DAY)
    assert frozen(order)[line_ids(order)[0]] == f"dispute:{d.public_id}"


def test_reopen_refused_after_protection(buyer, shop):
    order = delivered(buyer, shop)
    d = open_received(buyer, order)
    s.dispute_cancel(user=buyer, public_id=d.public_id)
    with clock.frozen_at(T0 + 61 * DAY), pytest.raises(ApplicationError) as exc:
        s.dispute_reopen(user=buyer, public_id=d.public_id)
    assert exc.value.code == "protection_over"
    assert Dispute.objects.get(pk=d.pk).status == S.CANCELLED


def test_reopen_refused_when_the_line_is_in_another_dispute(buyer, shop):
    order = delivered(buyer, shop)
    d = open_received(buyer, order)
    s.dispute_cancel(user=buyer, public_id=d.public_id)
    open_received(buyer, order)
    with clock.frozen_at(NOW), pytest.raises(Conflict) as exc:
        s.dispute_reopen(user=buyer, public_id=d.public_id)
    assert exc.value.code == "line_in_dispute"


def test_never_after_a_settled_outcome(buyer, seller, shop):
    order = delivered(buyer, shop)
    d = open_received(buyer, order)
    s.dispute_accept(user=seller, public_id=d.public_id)
    with pytest.raises(Conflict) as exc:
        open_received(buyer, order)
    assert exc.value.code == "line_already_decided"


# --- escalation, decision, appeal ------------------------------------------------------------------


def escalated(buyer, seller, order):
    d = open_received(buyer, order, amount="39.90")
    s.dispute_refuse(user=seller, public_id=d.public_id, outcome="no_refund", message="Non")
    return s.dispute_escalate(user=buyer, public_id=d.public_id)


def test_decision_moves_no_money_until_final(buyer, seller, shop, officer):
    order = delivered(buyer, shop)
    d = escalated(buyer, seller, order)
    with clock.frozen_at(NOW + 2 * DAY):
        d = s.dispute_decide(
            user=officer, public_id=d.public_id, outcome="full_refund", message="ok"
        )
    assert (d.status, d.due_at) == (S.DECIDED, NOW + 7 * DAY)
    assert not Refund.objects.exists()
    assert s.dispute_finalise(dispute_id=d.pk, now=NOW + 7 * DAY - DAY) is False
    assert s.dispute_finalise(dispute_id=d.pk, now=NOW + 7 * DAY) is True
    d.refresh_from_db()
    assert d.status == S.CLOSED
    assert Refund.objects.get(order=order).amount_minor == 3990
    assert_ledger_ok()


def test_appeal_once_reviewed_by_another_officer(buyer, seller, shop, officer, officer2):
    order = delivered(buyer, shop)
    d = escalated(buyer, seller, order)
    s.dispute_decide(user=officer, public_id=d.public_id, outcome="no_refund", message="non")
    d = s.dispute_appeal(user=buyer, public_id=d.public_id, message="Voyez la photo")
    assert (d.status, d.appealed) == (S.APPEALED, True)
    with pytest.raises(Conflict) as exc:
        s.dispute_decide_appeal(
            user=officer, public_id=d.public_id, outcome="full_refund", message=""
        )
    assert exc.value.code == "same_officer"
    d = s.dispute_decide_appeal(
        user=officer2,
        public_id=d.public_id,
        outcome="partial_refund",
        amount=eur("20.00"),
        message="moitié",
    )
    assert (d.status, d.outcome_minor) == (S.CLOSED, 2000)
    assert [e[1:3] for e in statuses(d)][-3:] == [
        ("decided", "appealed"),
        ("appealed", "final"),
        ("final", "closed"),
    ]
    assert Refund.objects.get(order=order).amount_minor == 2000
    assert_ledger_ok()


def test_no_refund_unfreezes_and_keeps_the_money_held(buyer, seller, shop, officer):
    order = delivered(buyer, shop)
    d = escalated(buyer, seller, order)
    s.dispute_decide(user=officer, public_id=d.public_id, outcome="no_refund", message="non")
    s.dispute_finalise(dispute_id=d.pk, now=clock.now() + 6 * DAY)
    assert not Refund.objects.exists()
    assert set(frozen(order).values()) == {""}
    assert_ledger_ok()


def test_return_and_refund_stops_at_awaiting_return_with_lines_frozen(buyer, seller, shop):
    order = delivered(buyer, shop)
    d = open_received(buyer, order, request="return_and_refund")
    assert d.requested_minor == 3990
    d = s.dispute_accept(user=seller, public_id=d.public_id)
    assert (d.status, d.outcome) == (S.AWAITING_RETURN, "return_and_refund")
    assert not Refund.objects.exists()
    assert frozen(order)[line_ids(order)[0]] == f"dispute:{d.public_id}"


# --- refused transitions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "call", "code"),
    [
        ("buyer", lambda u, p: s.dispute_accept(user=u, public_id=p), "action_not_allowed"),
        ("seller", lambda u, p: s.dispute_cancel(user=u, public_id=p), "action_not_allowed"),
        ("buyer", lambda u, p: s.dispute_escalate(user=u, public_id=p), "transition_not_allowed"),
        (
            "buyer",
            lambda u, p: s.dispute_accept_counter(user=u, public_id=p),
            "transition_not_allowed",
        ),
        (
            "seller",
            lambda u, p: s.dispute_appeal(user=u, public_id=p, message="x"),
            "transition_not_allowed",
        ),
        (
            "officer",
            lambda u, p: s.dispute_decide(user=u, public_id=p, outcome="no_refund", message=""),
            "transition_not_allowed",
        ),
        ("buyer", lambda u, p: s.dispute_reopen(user=u, public_id=p), "transition_not_allowed"),
    ],
)
def test_refused_transitions_change_nothing(buyer, seller, shop, officer, who, call, code):
    order = delivered(buyer, shop)
    d = open_received(buyer, order)
    user = {"buyer": buyer, "seller": seller, "officer": officer}[who]
    with pytest.raises(ApplicationError) as exc:
        call(user, d.public_id)
    assert exc.value.code == code
    d.refresh_from_db()
    assert d.status == S.AWAITING_SELLER and d.events.count() == 1
    assert not Refund.objects.exists()


def test_strangers_get_not_found(buyer, shop, stranger):
    order = delivered(buyer, shop)
    d = open_received(buyer, order)
    with pytest.raises(NotFound):
        s.dispute_cancel(user=stranger, public_id=d.public_id)


def test_appeal_only_once(buyer, seller, shop, officer, officer2):
    order = delivered(buyer, shop)
    d = escalated(buyer, seller, order)
    s.dispute_decide(user=officer, public_id=d.public_id, outcome="no_refund", message="")
    s.dispute_appeal(user=seller, public_id=d.public_id, message="x")
    with pytest.raises(ApplicationError):
        s.dispute_appeal(user=buyer, public_id=d.public_id, message="x")
