"""The ledger's demo seeders, with what they depend on: twice, no duplicates, ledger ok."""

from __future__ import annotations

import pytest
from django.db import transaction

from comptoir.core.seeders import ordered_seeders
from comptoir.ledger.check import ledger_check
from comptoir.ledger.enums import HoldState
from comptoir.ledger.models import EscrowHold, JournalEntry, Payout, Posting, Refund

pytestmark = pytest.mark.django_db


def _ledger_seeders():
    """The ledger seeders and everything they run after, in order."""
    wanted = {"ledger", "ledger-payout"}
    ordered = ordered_seeders()
    by_name = {s.name: s for s in ordered}
    stack = list(wanted)
    while stack:
        for dep in by_name[stack.pop()].after:
            if dep not in wanted:
                wanted.add(dep)
                stack.append(dep)
    return [s for s in ordered if s.name in wanted]


def _counts():
    return {
        "entries": JournalEntry.objects.count(),
        "postings": Posting.objects.count(),
        "holds": EscrowHold.objects.count(),
        "released": EscrowHold.objects.filter(state=HoldState.RELEASED).count(),
        "refunds": Refund.objects.count(),
        "payouts": Payout.objects.count(),
    }


def test_ledger_demo_seeders_twice_no_duplicates_and_ledger_ok(sandbox):
    seeders = _ledger_seeders()
    assert [s.name for s in seeders][-2:] == ["ledger", "ledger-payout"]
    for seeder in seeders:
        with transaction.atomic():
            seeder.fn()
    first = _counts()
    assert first["holds"] > 0 and first["released"] > 0  # captured orders, releases made
    assert Refund.objects.filter(idempotency_key="demo:partial:lea-delivered").count() == 1
    assert Payout.objects.filter(idempotency_key__startswith="demo:payout:").count() == 1
    assert ledger_check().problems == []
    for seeder in seeders:
        with transaction.atomic():
            seeder.fn()
    assert _counts() == first
    assert ledger_check().problems == []
