"""PostgreSQL proof with real threads: a buyer opens a dispute at the very end of buyer
protection while the release sweep runs at the boundary. Exactly one wins, the ledger stays
consistent."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.db import connection

from comptoir.core import clock
from comptoir.core.errors import Conflict
from comptoir.core.money import Money
from comptoir.disputes import services as s
from comptoir.disputes.models import Dispute
from comptoir.ledger.check import ledger_check
from comptoir.ledger.enums import AccountKind
from comptoir.ledger.models import Account, EscrowHold
from comptoir.ledger.services import escrow_release_due
from comptoir.ledger.tests.threads import race

from .conftest import T0, deliver, line_ids, make_order, photo_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
BOUNDARY = T0 + dt.timedelta(days=60)  # delivered at T0: protection ends here
OUTCOMES: dict[str, int] = {"dispute": 0, "release": 0}


def _open(buyer, order, photo):
    with clock.frozen_at(BOUNDARY - dt.timedelta(seconds=1)):
        return s.dispute_open(
            user=buyer,
            order=order,
            line_ids=line_ids(order),
            reason="damaged",
            request="refund",
            description="Cassé",
            amount=Money.from_minor(3990, "EUR"),
            evidence=[photo],
        )


def _release(delay: float):
    time.sleep(delay)  # some attempts give the opening a head start, so both can win
    with clock.frozen_at(BOUNDARY):
        return escrow_release_due(now=BOUNDARY)


@pytest.mark.parametrize("attempt", range(8))
def test_opening_a_dispute_races_the_release_at_the_boundary(buyer, shop, attempt):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL proof")
    order = deliver(make_order(buyer, shop, ["39.90"], shipping="4.90"), T0)
    photo = photo_of(buyer)
    delay = (0.0, 0.0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.4)[attempt]
    fns = [lambda: _open(buyer, order, photo), lambda: _release(delay)]
    if attempt % 2:
        fns.reverse()
    results = race(*fns)
    opened, released = results if attempt % 2 == 0 else results[::-1]
    holds = {h.kind: h for h in EscrowHold.objects.filter(order=order)}
    escrow = Account.objects.get(kind=AccountKind.ESCROW, order=order).balance_minor
    if isinstance(opened, Dispute):  # the dispute won: nothing released, the line frozen
        OUTCOMES["dispute"] += 1
        assert released == 0
        assert (holds["line"].state, holds["line"].frozen_by) == ("held", opened.freeze_reference)
        assert holds["shipping"].state == "held"  # waits for the line's outcome
        assert escrow == 3990 + 490
    else:  # the release won: the dispute is refused, nothing of it remains
        OUTCOMES["release"] += 1
        assert isinstance(opened, Conflict), opened
        assert opened.code in {"hold_closed", "protection_over"}
        assert released == 2
        assert Dispute.objects.count() == 0
        assert {h.state for h in holds.values()} == {"released"}
        assert holds["line"].frozen_by == ""
        assert escrow == 0
    assert ledger_check().problems == []
