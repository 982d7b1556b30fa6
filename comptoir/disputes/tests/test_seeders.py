"""The demo seeder: every step of a dispute or a return for buyer@ and buyer2@, run twice
without duplicates."""

from __future__ import annotations

import pytest

from comptoir.core.seeders import ordered_seeders
from comptoir.disputes.models import Dispute, DisputeEvent, ReturnRequest
from comptoir.disputes.seeders import STEPS, disputes_seed

pytestmark = pytest.mark.django_db(transaction=True)
NEEDED = {"accounts", "taxonomy", "catalog", "orders", "ledger", "tickets"}


def test_every_step_once_even_when_run_twice(django_capture_on_commit_callbacks):
    for seeder in ordered_seeders():
        if seeder.name in NEEDED:
            seeder.fn()
    with django_capture_on_commit_callbacks(execute=True):
        assert disputes_seed() == len(STEPS)
    statuses = sorted(Dispute.objects.values_list("status", flat=True))
    assert statuses == sorted(
        [
            "awaiting_seller",
            "refused",
            "escalated",
            "evidence_requested",
            "decided",
            "appealed",
            "closed",
            "cancelled",
            "awaiting_return",
            "awaiting_return",
            "awaiting_seller",
        ]
    )
    returns = sorted(ReturnRequest.objects.values_list("kind", "status"))
    assert returns == [
        ("change_of_mind", "awaiting_address"),
        ("dispute", "awaiting_address"),
        ("dispute", "shipped"),
    ]
    buyers = set(Dispute.objects.values_list("buyer__email", flat=True))
    assert buyers == {"buyer@example.com", "buyer2@example.com"}
    counts = (Dispute.objects.count(), DisputeEvent.objects.count(), ReturnRequest.objects.count())
    from comptoir.tickets.models import Ticket

    escalation_tickets = Ticket.objects.exclude(dispute_ref="").count()
    assert escalation_tickets == 4  # escalated, evidence requested, decided, appealed (2 msgs)
    assert disputes_seed() == 0
    assert (
        Dispute.objects.count(),
        DisputeEvent.objects.count(),
        ReturnRequest.objects.count(),
    ) == counts
