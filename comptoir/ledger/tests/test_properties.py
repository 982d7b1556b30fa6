"""Hypothesis: random sequences of capture, partial refunds, full refunds, freezes, releases and
payouts keep the ledger balanced, and nobody receives more than was paid."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from comptoir.core.errors import ApplicationError
from comptoir.core.money import Money
from comptoir.ledger.check import ledger_check
from comptoir.ledger.enums import AccountKind
from comptoir.ledger.models import Account, EscrowHold, Refund
from comptoir.ledger.services import (
    escrow_freeze,
    escrow_release,
    escrow_release_due,
    escrow_unfreeze,
    payout_request,
    refund_full,
    refund_partial,
)

from .conftest import T0, deliver, line_ids, make_order

ops = st.lists(
    st.one_of(
        st.tuples(st.just("partial"), st.integers(0, 2), st.integers(1, 6000)),
        st.tuples(st.just("full"), st.just(0), st.just(0)),
        st.tuples(st.just("freeze"), st.integers(0, 2), st.just(0)),
        st.tuples(st.just("unfreeze"), st.integers(0, 2), st.just(0)),
        st.tuples(st.just("release_line"), st.integers(0, 2), st.just(0)),
        st.tuples(st.just("sweep"), st.just(0), st.integers(0, 90)),
        st.tuples(st.just("payout"), st.just(0), st.integers(1, 9000)),
    ),
    max_size=12,
)


@pytest.mark.django_db
@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    prices=st.lists(st.integers(1, 9999), min_size=1, max_size=3),
    shipping=st.integers(0, 999),
    steps=ops,
)
def test_random_sequences_keep_the_ledger_exact(buyer, shop, prices, shipping, steps):
    with transaction.atomic():
        order = deliver(
            make_order(
                buyer,
                shop,
                [str(Money.from_minor(p)).split()[0] for p in prices],
                shipping=str(Money.from_minor(shipping)).split()[0],
            ),
            T0,
        )
        lines = line_ids(order)
        paid = sum(prices) + shipping
        for n, (op, index, value) in enumerate(steps):
            line = lines[index % len(lines)]
            try:
                with transaction.atomic():
                    if op == "partial":
                        refund_partial(
                            order=order,
                            amount=Money.from_minor(value),
                            line_ids=[line],
                            idempotency_key=f"p{n}",
                        )
                    elif op == "full":
                        refund_full(order=order, idempotency_key=f"f{n}")
                    elif op == "freeze":
                        escrow_freeze(order=order, line_ids=[line], reference="dispute:x")
                    elif op == "unfreeze":
                        escrow_unfreeze(order=order, line_ids=[line], reference="dispute:x")
                    elif op == "release_line":
                        escrow_release(order=order, line_ids=[line])
                    elif op == "sweep":
                        escrow_release_due(now=T0 + dt.timedelta(days=value))
                    elif op == "payout":
                        payout_request(
                            shop=shop, amount=Money.from_minor(value), idempotency_key=f"o{n}"
                        )
            except ApplicationError:
                pass
            report = ledger_check()
            assert report.problems == []
            refunded = sum(
                Refund.objects.filter(order=order).values_list("amount_minor", flat=True)
            )
            holds = list(EscrowHold.objects.filter(order=order))
            released = sum(h.released_minor for h in holds)
            held = sum(h.remaining_minor for h in holds)
            assert refunded + released + held == paid  # nothing created, nothing lost
            seller = sum(
                Account.objects.filter(
                    shop=shop, kind__in=[AccountKind.SELLER_PAYABLE, AccountKind.PAYOUTS_IN_TRANSIT]
                ).values_list("balance_minor", flat=True)
            )
            revenue = sum(
                Account.objects.filter(kind=AccountKind.PLATFORM_REVENUE).values_list(
                    "balance_minor", flat=True
                )
            )
            assert seller + revenue == released
            assert 0 <= refunded <= paid
        transaction.set_rollback(True)
