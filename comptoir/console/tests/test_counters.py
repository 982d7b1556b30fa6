"""Queue counters: kept in the same transaction as every ticket change, reconciled by a sweep,
no drift under concurrency."""

import random
import threading

import pytest
from django.db import close_old_connections, connection, transaction

from comptoir.console.models import QueueCounter
from comptoir.console.queues import Who
from comptoir.console.selectors import queue_counts
from comptoir.console.services.counters import (
    counters_current,
    counters_drift,
    counters_reconcile,
)
from comptoir.core import clock
from comptoir.core.sweeps import run_sweep
from comptoir.tickets import services as svc
from comptoir.tickets.models import Ticket

from .conftest import T0, make_agent, receive


def test_counters_follow_intake_assign_status_and_sweeps(desk, buyer, agent, supervisor):
    with clock.frozen_at(T0):
        result = receive(buyer, node_code="delivery.delay")
        ticket = result.ticket
        assert counters_drift() == {}
        assert queue_counts(Who.of(agent))["mine"] == (1 if ticket.assignee_id == agent.pk else 0)
        svc.ticket_assign(user=supervisor, ticket=ticket, assignee=None)
        assert queue_counts(Who.of(agent))["unassigned"] == 1
        svc.ticket_change_status(user=supervisor, ticket=ticket, action="pend")
        counts = queue_counts(Who.of(agent))
        assert counts["unassigned"] == 0 and counts["pending"] == 1
        svc.ticket_change_status(user=supervisor, ticket=ticket, action="solve")
        assert sum(queue_counts(Who.of(supervisor)).values()) == 0
        assert counters_drift() == {}
    # The SLA sweep changes sla_state through the hook too.
    with clock.frozen_at(T0):
        second = receive(buyer, text="Où est mon colis ?", node_code="delivery.delay")
    later = T0.replace(year=2026, month=4)
    with clock.frozen_at(later):
        run_sweep("tickets.sla", now=later)
    assert Ticket.objects.get(pk=second.ticket.pk).sla_state == "breached"
    assert counters_drift() == {}
    assert queue_counts(Who.of(supervisor))["breaching"] == 1


def test_reconcile_repairs_a_drifted_counter(desk, buyer, supervisor):
    receive(buyer)
    receive(buyer, text="Deuxième demande")
    row = QueueCounter.objects.first()
    QueueCounter.objects.filter(pk=row.pk).update(n=row.n + 5)
    QueueCounter.objects.create(
        team_key=999, assignee_key=0, status="open", sla_state="ok", restricted=False, n=3
    )
    drift = counters_drift()
    assert len(drift) == 2
    assert counters_reconcile() == 2
    assert counters_drift() == {}
    assert counters_reconcile() == 0
    # The sweep is registered and does the same.
    assert run_sweep("console.reconcile_counters").handled == 0


def _hammer(numbers, users, rounds, errors):
    close_old_connections()
    try:
        rng = random.Random(threading.get_ident())
        for _ in range(rounds):
            number = rng.choice(numbers)
            user = rng.choice(users)
            ticket = Ticket.objects.get(number=number)
            try:
                with transaction.atomic(durable=True):
                    choice = rng.random()
                    if choice < 0.4:
                        svc.ticket_assign(
                            user=user, ticket=ticket, assignee=rng.choice([*users, None])
                        )
                    elif choice < 0.7:
                        svc.ticket_change_status(
                            user=user, ticket=ticket, action=rng.choice(["pend", "open", "solve"])
                        )
                    else:
                        svc.ticket_change_status(user=user, ticket=ticket, action="reopen")
            except Exception as exc:  # illegal transitions are expected, not database errors
                if getattr(exc, "code", None) != "illegal_transition":
                    errors.append(exc)
    finally:
        connection.close()


def _concurrent_drift(buyer, supervisors, *, threads=6, rounds=25):
    with transaction.atomic():
        numbers = [receive(buyer, text=f"Demande {i}").ticket.number for i in range(12)]
    errors: list[Exception] = []
    workers = [
        threading.Thread(target=_hammer, args=(numbers, supervisors, rounds, errors))
        for _ in range(threads)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert [e for e in errors if "locked" not in str(e)] == []
    assert counters_drift() == {}
    assert (
        sum(counters_current().values())
        == Ticket.objects.filter(status__in=["new", "open", "pending"]).count()
    )


@pytest.mark.django_db(transaction=True)
def test_no_drift_under_concurrency_sqlite(desk, buyer):
    supervisors = [
        make_agent(email=f"sup{i}@example.org", role="supervisor", teams=("delivery-delay",))
        for i in range(3)
    ]
    _concurrent_drift(buyer, supervisors)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_no_drift_under_concurrency_postgres(desk, buyer):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    supervisors = [
        make_agent(email=f"sup{i}@example.org", role="supervisor", teams=("delivery-delay",))
        for i in range(3)
    ]
    _concurrent_drift(buyer, supervisors, threads=12, rounds=40)
