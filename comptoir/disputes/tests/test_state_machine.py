"""Hypothesis drives random legal and illegal dispute, evidence and return actions and clock
moves (with every sweep run after each move); after every step the ledger check holds, nobody is
refunded more than was paid, a line is frozen exactly while it is in an active dispute or
return, and a refused action changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from comptoir.accounts.enums import Role
from comptoir.core import clock
from comptoir.core.errors import ApplicationError
from comptoir.core.money import Money
from comptoir.core.sweeps import run_sweep
from comptoir.disputes import evidence as ev
from comptoir.disputes import returns as r
from comptoir.disputes import services as s
from comptoir.disputes.enums import ACTIVE_RETURN_STATUSES, ACTIVE_STATUSES
from comptoir.disputes.models import Dispute, DisputeEvent, ReturnRequest
from comptoir.disputes.selectors import (
    allowed_actions,
    dispute_actors,
    return_actors,
    return_allowed_actions,
)
from comptoir.ledger.check import ledger_check
from comptoir.ledger.models import EscrowHold, Refund
from comptoir.ledger.services import escrow_release_due
from comptoir.orders.models import Shipment
from comptoir.orders.services import tracking_event_record
from comptoir.testing.factories import UserFactory, seller_with_shop

from .conftest import T0, deliver, line_ids, make_order, photo_of

SWEEPS = (
    "disputes.seller_silence",
    "disputes.no_agreement",
    "disputes.evidence_missed",
    "disputes.finalise",
    "disputes.return_address",
    "disputes.return_not_shipped",
    "disputes.return_delivered",
    "disputes.return_confirmation",
)
REASONS = ("damaged", "wrong_item", "not_as_described", "defective", "empty_parcel")
OUTCOMES = ("full_refund", "partial_refund", "return_and_refund", "no_refund")
_n = {"users": 0, "tracking": 0}


def _email(prefix: str) -> str:
    _n["users"] += 1
    return f"{prefix}{_n['users']}@example.org"


class Disputes(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.buyer = UserFactory(email=_email("buyer"))
        self.seller, self.shop = seller_with_shop(email=_email("seller"))
        self.officers = [UserFactory(email=_email("officer"), role=Role.OFFICER) for _ in range(2)]
        self.agent = UserFactory(email=_email("agent"), role=Role.AGENT)
        self.order = deliver(make_order(self.buyer, self.shop, ["30.00", "12.50", "7.25"]), T0)
        self.lines = line_ids(self.order)
        self.paid = self.order.total_minor
        self.now = T0 + dt.timedelta(days=1)
        self.refused = 0

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # --- helpers ----------------------------------------------------------------------------

    def _try(self, call, *args, **kwargs) -> None:
        """Run one action at the machine's time; a refusal must leave everything unchanged."""
        before = self._snapshot()
        try:
            with clock.frozen_at(self.now), transaction.atomic():
                call(*args, **kwargs)
        except ApplicationError:
            self.refused += 1
            assert self._snapshot() == before

    def _snapshot(self) -> tuple:
        return (
            DisputeEvent.objects.count(),
            list(Dispute.objects.order_by("pk").values_list("status", flat=True)),
            list(ReturnRequest.objects.order_by("pk").values_list("status", flat=True)),
            list(
                EscrowHold.objects.filter(order=self.order)
                .order_by("pk")
                .values_list("state", "refunded_minor", "released_minor", "frozen_by")
            ),
        )

    def _dispute(self, i: int) -> Dispute | None:
        rows = list(Dispute.objects.filter(order=self.order).order_by("pk"))
        return rows[i % len(rows)] if rows else None

    def _return(self, i: int) -> ReturnRequest | None:
        rows = list(ReturnRequest.objects.filter(order=self.order).order_by("pk"))
        return rows[i % len(rows)] if rows else None

    def _who(self, i: int, right: str = ""):
        """Mostly the person allowed (``right``), one time in four anyone (often refused)."""
        people = {
            "buyer": self.buyer,
            "seller": self.seller,
            "officer": self.officers[i % 2],
            "agent": self.agent,
        }
        if right and i % 4:
            return people[right]
        return [self.buyer, self.seller, self.officers[0], self.officers[1], self.agent][i % 5]

    # --- rules -------------------------------------------------------------------------------

    @initialize(
        reason=st.sampled_from(REASONS),
        request=st.sampled_from(("refund", "return_and_refund")),
        change_of_mind=st.booleans(),
    )
    def start(self, reason, request, change_of_mind):
        """Every run starts with a dispute on the first line (and maybe a return of the last)."""
        self.open_dispute(lines={0}, reason=reason, request=request, cents=500)
        assert Dispute.objects.filter(order=self.order).count() == 1
        if change_of_mind:
            self.ask_return(lines={2}, unused=True)

    @rule(
        lines=st.sets(st.integers(0, 2), min_size=1, max_size=3),
        reason=st.sampled_from(REASONS),
        request=st.sampled_from(("refund", "return_and_refund")),
        cents=st.one_of(st.integers(1, 700), st.integers(-100, 6000)),
    )
    def open_dispute(self, lines, reason, request, cents):
        self._try(
            s.dispute_open,
            user=self.buyer,
            order=self.order,
            line_ids=[self.lines[i] for i in sorted(lines)],
            reason=reason,
            request=request,
            description="Problème",
            amount=Money.from_minor(cents, "EUR"),
            evidence=[photo_of(self.buyer)],
        )

    @rule(lines=st.sets(st.integers(0, 2), min_size=1, max_size=3), unused=st.booleans())
    def ask_return(self, lines, unused):
        self._try(
            r.return_request_open,
            user=self.buyer,
            order=self.order,
            line_ids=[self.lines[i] for i in sorted(lines)],
            unused=unused,
        )

    @rule(
        i=st.integers(0, 9),
        who=st.integers(0, 4),
        action=st.sampled_from(
            ("accept", "accept-counter", "cancel", "reopen", "escalate", "appeal")
        ),
    )
    def simple_action(self, i, who, action, user=None):
        d = self._dispute(i)
        if d is None:
            return
        call = {
            "accept": s.dispute_accept,
            "accept-counter": s.dispute_accept_counter,
            "cancel": s.dispute_cancel,
            "reopen": s.dispute_reopen,
            "escalate": s.dispute_escalate,
        }.get(action)
        right = {"accept": "seller", "appeal": "seller" if who % 2 else "buyer"}.get(
            action, "buyer"
        )
        if call is None:
            self._try(
                s.dispute_appeal, user=self._who(who, right), public_id=d.public_id, message="Non"
            )
        else:
            self._try(call, user=self._who(who, right), public_id=d.public_id)

    @rule(
        i=st.integers(0, 9),
        who=st.integers(0, 4),
        outcome=st.sampled_from(OUTCOMES),
        cents=st.integers(0, 5000),
        kind=st.sampled_from(("refuse", "decide", "decide-appeal", "modify")),
    )
    def proposal_action(self, i, who, outcome, cents, kind, user=None):
        d = self._dispute(i)
        if d is None:
            return
        amount = Money.from_minor(cents, "EUR")
        right = {"refuse": "seller", "modify": "buyer"}.get(kind, "officer")
        user, pid = user or self._who(who, right), d.public_id
        if kind == "refuse":
            self._try(
                s.dispute_refuse,
                user=user,
                public_id=pid,
                outcome=outcome,
                message="Non",
                amount=amount,
            )
        elif kind == "decide":
            self._try(
                s.dispute_decide,
                user=user,
                public_id=pid,
                outcome=outcome,
                message="",
                amount=amount,
            )
        elif kind == "decide-appeal":
            self._try(
                s.dispute_decide_appeal,
                user=user,
                public_id=pid,
                outcome=outcome,
                message="",
                amount=amount,
            )
        else:
            request = "refund" if outcome != "return_and_refund" else outcome
            self._try(
                s.dispute_modify,
                user=user,
                public_id=pid,
                request=request,
                description="",
                amount=amount,
            )

    @rule(i=st.integers(0, 9), who=st.integers(0, 4), party=st.sampled_from(("buyer", "seller")))
    def evidence_steps(self, i, who, party, user=None):
        d = self._dispute(i)
        if d is None:
            return
        pending = ev.open_request(d)
        user = user or self._who(who, pending.party if pending else "officer")
        if user.role == Role.OFFICER:
            self._try(
                ev.evidence_request, user=user, public_id=d.public_id, party=party, message="?"
            )
        else:
            self._try(ev.evidence_submit, user=user, public_id=d.public_id, message="Voici")

    @rule(
        i=st.integers(0, 9),
        who=st.integers(0, 4),
        action=st.sampled_from(("address", "ship", "delivered", "confirm", "cancel", "scan")),
        postage=st.integers(1, 4000),
    )
    def return_action(self, i, who, action, postage, user=None):
        ret = self._return(i)
        if ret is None:
            return
        right = {"address": "seller", "confirm": "seller", "delivered": "agent"}.get(
            action, "buyer"
        )
        user, pid = user or self._who(who, right), ret.public_id
        if action == "address":
            self._try(
                r.return_address_give,
                user=user,
                public_id=pid,
                name="B",
                line1="1 rue",
                postal_code="69001",
                city="Lyon",
                country="FR",
            )
        elif action == "ship":
            _n["tracking"] += 1
            self._try(
                r.return_ship,
                user=user,
                public_id=pid,
                carrier="colissimo",
                tracking_number=f"RR{_n['tracking']:09d}FR",
                postage=Money.from_minor(postage, "EUR") if ret.postage_payer == "seller" else None,
                postage_receipt=photo_of(user) if ret.postage_payer == "seller" else None,
            )
        elif action == "delivered":
            self._try(r.return_mark_delivered, user=user, public_id=pid)
        elif action == "confirm":
            self._try(r.return_confirm_receipt, user=user, public_id=pid)
        elif action == "cancel":
            self._try(r.return_cancel, user=user, public_id=pid)
        elif ret.shipment_id is not None:
            shipment = Shipment.objects.get(pk=ret.shipment_id)
            with clock.frozen_at(self.now):
                tracking_event_record(
                    carrier=shipment.carrier,
                    tracking_number=shipment.tracking_number,
                    code="delivered",
                    occurred_at=self.now,
                    location="Lyon",
                    external_id=f"scan-{shipment.pk}",
                )

    @rule(
        i=st.integers(0, 9),
        choice=st.integers(0, 99),
        outcome=st.sampled_from(OUTCOMES),
        cents=st.integers(1, 3000),
    )
    def legal_dispute_step(self, i, choice, outcome, cents):
        """One of the actions the pages would offer now, by someone offered it."""
        d = self._dispute(i)
        if d is None:
            return
        offers = []
        for user in (self.buyer, self.seller, *self.officers):
            for t in allowed_actions(d, dispute_actors(d, user), user=user):
                offers.append((user, t.action))
        if not offers:
            return
        user, action = offers[choice % len(offers)]
        if action in ("refuse", "decide", "decide-appeal"):
            self.proposal_action(
                i=i,
                who=0,
                outcome=outcome,
                cents=cents,
                kind=action,
                user=user,
            )
        elif action == "modify":
            self.proposal_action(
                i=i, who=0, outcome="partial_refund", cents=cents, kind=action, user=user
            )
        elif action in ("request-evidence", "submit-evidence"):
            self.evidence_steps(i=i, who=0, party="seller" if choice % 2 else "buyer", user=user)
        else:
            self.simple_action(i=i, who=0, action=action, user=user)

    @rule(i=st.integers(0, 9), choice=st.integers(0, 99), postage=st.integers(1, 4000))
    def legal_return_step(self, i, choice, postage):
        ret = self._return(i)
        if ret is None:
            return
        offers = []
        for user in (self.buyer, self.seller, self.agent):
            for t in return_allowed_actions(ret, return_actors(ret, user)):
                offers.append((user, t.action))
        if ret.status == "shipped":
            offers.append((None, "scan"))
        if not offers:
            return
        user, action = offers[choice % len(offers)]
        name = {
            "return-address": "address",
            "return-ship": "ship",
            "return-delivered": "delivered",
            "return-confirm": "confirm",
            "return-cancel": "cancel",
        }.get(action, action)
        self.return_action(i=i, who=0, action=name, postage=postage, user=user)

    @rule(hours=st.integers(1, 24 * 8))
    def time_passes(self, hours):
        self.now += dt.timedelta(hours=hours)
        for name in SWEEPS:
            with clock.frozen_at(self.now):
                run_sweep(name, now=self.now)
        with clock.frozen_at(self.now):
            escrow_release_due(now=self.now)

    # --- invariants ----------------------------------------------------------------------------

    @invariant()
    def ledger_is_consistent(self):
        report = ledger_check()
        assert report.ok, report.problems

    @invariant()
    def nobody_is_refunded_more_than_paid(self):
        sums = Refund.objects.filter(order=self.order).aggregate(
            total=Sum("amount_minor"), postage=Sum("postage_minor")
        )
        assert (sums["total"] or 0) - (sums["postage"] or 0) <= self.paid
        for hold in EscrowHold.objects.filter(order=self.order):
            assert 0 <= hold.refunded_minor + hold.released_minor <= hold.amount_minor

    @invariant()
    def a_line_is_frozen_exactly_while_in_an_active_dispute_or_return(self):
        expected = {line: "" for line in self.lines}
        for d in Dispute.objects.filter(order=self.order, status__in=list(ACTIVE_STATUSES)):
            for line in d.lines.values_list("order_line_id", flat=True):
                assert expected[line] == "", "a line in two active disputes"
                expected[line] = d.freeze_reference
        for ret in ReturnRequest.objects.filter(
            order=self.order, status__in=list(ACTIVE_RETURN_STATUSES)
        ).select_related("dispute"):
            for line in ret.lines.values_list("order_line_id", flat=True):
                assert expected[line] in ("", ret.freeze_reference)
                expected[line] = ret.freeze_reference
        for hold in EscrowHold.objects.filter(order=self.order, kind="line", state="held"):
            assert hold.frozen_by == expected[hold.order_line_id], hold.order_line_id


@pytest.mark.django_db(transaction=False)
def test_random_actions_and_clock_moves_keep_money_and_freezes_right(sandbox):
    run_state_machine_as_test(
        Disputes,
        settings=settings(
            max_examples=12,
            stateful_step_count=40,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        ),
    )
