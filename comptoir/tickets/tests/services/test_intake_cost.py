"""What one new ticket costs the database (POST /api/v1/tickets, the bench's request), and the
desk cache that makes most of the reference reads free: its version token changes in the same
transaction as any write to what it holds, whoever writes, so every process sees edits."""

from __future__ import annotations

import re
import uuid

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comptoir.accounts.services import api_token_create
from comptoir.core.errors import ValidationFailed
from comptoir.taxonomy.models import Node
from comptoir.tickets import desk_cache
from comptoir.tickets.models import Holiday, Message, SlaPolicy, Ticket
from comptoir.tickets.services.sla import policy_for
from comptoir.tickets.tests.conftest import T0, post_json, receive

pytestmark = pytest.mark.django_db

TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)", re.I)


def _statements(ctx: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in ctx.captured_queries if not TRANSACTION_CONTROL.match(q["sql"])]


def _tables(statements: list[str], verb: str) -> list[str]:
    """The table each statement of ``verb`` is about (a SELECT's main FROM is its last one:
    subqueries of the select list come before it)."""
    found = []
    for sql in statements:
        if not sql.lstrip().upper().startswith(verb):
            continue
        if "nextval(" in sql:
            found.append("nextval")
            continue
        tables = re.findall(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', sql, re.I)
        found.append(tables[-1] if verb == "SELECT" else tables[0])
    return found


def _post(client: Client, token: str, text: str, key: str | None = None):
    return post_json(
        client,
        "/api/v1/tickets",
        {"subject": "", "text": text},
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_IDEMPOTENCY_KEY=key or uuid.uuid4().hex,
    )


def test_one_new_ticket_over_the_api_costs_these_statements(buyer, agent):
    token = api_token_create(user=buyer, label="cost").key
    client = Client()
    assert _post(client, token, "Bonjour, mon colis est en retard.").status_code == 201
    with CaptureQueriesContext(connection) as ctx:
        response = _post(client, token, "Bonjour, le suivi de mon colis ne bouge plus.")
    assert response.status_code == 201 and response.json()["team"] == "delivery-delay"
    statements = _statements(ctx)
    selects = _tables(statements, "SELECT")
    inserts = _tables(statements, "INSERT")
    # Reads: the token, the contact, the desk cache's version, the agents to route to (and the
    # ticket number: a sequence on PostgreSQL, a counter row on SQLite). Nothing else: no
    # taxonomy node, SLA policy or calendar (cached), no read before the message insert (the
    # unique constraint answers duplicates).
    numbering = (
        ["nextval"] if connection.vendor == "postgresql" else ["tickets_ticketnumbercounter"]
    )
    assert sorted(selects) == sorted(
        ["accounts_apitoken", "tickets_contact", "tickets_deskversion", "accounts_user"] + numbering
    ), statements
    # Writes: the ticket, its queue counter (console hook), the audit rows in one statement,
    # the message, the outbox row that acknowledges and indexes after commit.
    assert sorted(inserts) == sorted(
        [
            "tickets_ticket",
            "console_queuecounter",
            "tickets_auditevent",
            "tickets_message",
            "core_outboxmessage",
        ]
    ), statements
    updates = _tables(statements, "UPDATE")
    assert updates == ([] if connection.vendor == "postgresql" else ["tickets_ticketnumbercounter"])
    assert len(statements) == len(selects) + len(inserts) + len(updates)
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert list(ticket.audit_events.order_by("pk").values_list("field", "new")) == [
        ("status", "new"),
        ("team", "delivery-delay"),
        ("assignee", agent.email),
    ]


def test_same_idempotency_key_twice_returns_the_first_ticket(buyer):
    token = api_token_create(user=buyer, label="cost").key
    client = Client()
    first = _post(client, token, "Bonjour, mon colis est en retard.", key="k-1")
    again = _post(client, token, "Un autre texte", key="k-1")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["number"] == first.json()["number"]
    assert Ticket.objects.count() == 1 and Message.objects.count() == 1


def test_a_second_delivery_that_no_longer_validates_is_still_the_duplicate(buyer):
    first = receive(buyer, mid="m-1", node_code="delivery.delay")
    Node.objects.filter(code="delivery.delay").update(retired_at=T0)
    again = receive(buyer, mid="m-1", node_code="delivery.delay")
    assert again.duplicate and again.ticket == first.ticket and again.message == first.message
    with pytest.raises(ValidationFailed):
        receive(buyer, mid="m-2", node_code="delivery.delay")  # a new message is refused
    assert Ticket.objects.count() == 1


def _token() -> int | None:
    return desk_cache._read_token()


def test_any_write_to_cached_tables_changes_the_token_in_its_transaction(desk):
    before = _token()
    assert before is not None
    with transaction.atomic():
        SlaPolicy.objects.filter(team__isnull=True, channel="").update(first_response_minutes=7)
        inside = _token()
        assert inside != before  # the edit's own transaction already sees the new token
    after = _token()
    assert after == inside
    Holiday.objects.filter(calendar=desk).delete()
    assert _token() != after


def test_another_process_edit_is_seen_without_being_told(desk, buyer):
    """An edit made elsewhere (here: raw SQL, no hook, no signal) reaches this process's cache."""
    first = desk_cache.desk_data()
    assert desk_cache.desk_data() is first  # unchanged: the same snapshot, no reload
    table = connection.ops.quote_name(SlaPolicy._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET first_response_minutes = 30 WHERE team_id IS NULL AND channel = ''"
        )
    policy = policy_for(team_id=None, channel="web")
    assert policy is not None and policy.first_response_minutes == 30
    Node.objects.filter(code="delivery.delay").update(retired_at=T0)
    with pytest.raises(ValidationFailed):
        receive(buyer, node_code="delivery.delay")


def test_a_rolled_back_edit_never_revalidates_an_old_snapshot(desk):
    kept = desk_cache.desk_data()
    with pytest.raises(RuntimeError), transaction.atomic():
        SlaPolicy.objects.filter(team__isnull=True, channel="").update(first_response_minutes=1)
        inside = desk_cache.desk_data()
        edited = inside.policy_for(team_id=None, channel="web")
        assert inside is not kept and edited is not None and edited.first_response_minutes == 1
        raise RuntimeError("rolled back")
    current = desk_cache.desk_data()
    assert current.token == kept.token
    policy = current.policy_for(team_id=None, channel="web")
    assert policy is not None and policy.first_response_minutes == 8 * 60
