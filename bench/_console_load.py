"""The data of the console benchmark: 1,000,000 tickets and 5,000,000 messages in PostgreSQL,
generated deterministically and loaded with COPY (bench/console.py keeps the loaded cluster
under var/bench/ so that later runs start in seconds).

The people, teams, nodes and SLA policies are made by the product's own seeders and services
(``SETUP``); only the bulk rows (contacts, identities, tickets, messages, tags) are COPYed, with
the secondary indexes and foreign-key triggers off during the load and rebuilt after it, the way
a real migration of a help-desk history would be done. Queue counters are then rebuilt by the
product's own reconcile service."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import time
from collections.abc import Iterator
from typing import Any

import psycopg

TICKETS = int(os.environ.get("BENCH_CONSOLE_TICKETS", "1000000"))
MESSAGES_PER_TICKET = 5  # 1–9, uniform: 5,000,000 messages for 1,000,000 tickets
CONTACTS = max(10, TICKETS // 4)
AGENTS_PER_TEAM = 8
SEED = 20261129

SETUP = r"""
import json
from comptoir.accounts.enums import Role
from comptoir.accounts.models import AgentProfile, Skill, Team, User
from comptoir.accounts.services import user_create
from comptoir.taxonomy.models import Node
from comptoir.taxonomy.seeders import taxonomy_seed
from comptoir.tickets.enums import Presence
from comptoir.tickets.models import AgentPresence, SlaPolicy
from comptoir.tickets.seeders import _calendar, _macros, _policies, _restricted_nodes

taxonomy_seed()
_restricted_nodes()
_policies(_calendar())
_macros()
agents = {}
for team in Team.objects.order_by("pk"):
    agents[team.pk] = []
    for i in range(AGENTS_PER_TEAM):
        email = f"bench-agent-{team.code}-{i}@example.org"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = user_create(email=email, password=None, role=Role.AGENT, email_verified=True)
            profile = AgentProfile.objects.create(user=user, languages=["fr", "en"])
            profile.skills.add(*Skill.objects.filter(code=team.code))
            team.members.add(user)
            AgentPresence.objects.create(user=user, status=Presence.ONLINE)
        agents[team.pk].append(user.pk)
nodes = []
for node in Node.objects.filter(level=2, retired_at__isnull=True).select_related("parent"):
    team_id = node.team_id or (node.parent.team_id if node.parent else None)
    if team_id:
        nodes.append([node.pk, team_id, bool(node.restricted)])
policies = {}
for policy in SlaPolicy.objects.filter(channel=""):
    policies[policy.team_id or 0] = policy.pk
print("SETUP=" + json.dumps({"agents": agents, "nodes": nodes, "policies": policies}))
""".replace("AGENTS_PER_TEAM", str(AGENTS_PER_TEAM))

PHRASES = {
    "fr": [
        "Bonjour, ma commande n'est toujours pas arrivée alors que le suivi indique livré.",
        "Le colis est arrivé abîmé, le carton était écrasé et l'article est cassé.",
        "J'ai été débité deux fois pour la même commande, pouvez-vous vérifier ?",
        "Merci pour votre retour, je vous envoie les photos demandées.",
        "Le vendeur ne répond pas à mes messages depuis une semaine.",
        "Pouvez-vous me dire quand le remboursement sera visible sur ma carte ?",
        "Nous avons relancé le transporteur et revenons vers vous sous 48 heures.",
        "Votre remboursement a été validé, il apparaîtra sous 3 à 5 jours ouvrés.",
        "Je souhaite retourner l'article, la taille ne correspond pas.",
        "Le point relais est fermé, comment récupérer mon colis ?",
    ],
    "en": [
        "Hello, my order still has not arrived although tracking says delivered.",
        "The parcel arrived damaged, the box was crushed and the item is broken.",
        "I was charged twice for the same order, could you check please?",
        "Thanks for getting back to me, here are the photos you asked for.",
        "The seller has not answered my messages for a week.",
        "Could you tell me when the refund will show on my card?",
        "We contacted the carrier again and will get back to you within 48 hours.",
        "Your refund has been approved and will show within 3 to 5 business days.",
        "I would like to return the item, the size is wrong.",
        "The pickup point is closed, how can I collect my parcel?",
    ],
}
SUBJECTS = {
    "fr": ["Colis non reçu", "Article endommagé", "Double débit", "Remboursement", "Retour"],
    "en": ["Parcel not received", "Damaged item", "Charged twice", "Refund", "Return"],
}
CHANNELS = (
    ["web"] * 40 + ["email"] * 35 + ["api"] * 5 + ["chat"] * 10 + ["phone"] * 7 + ["social"] * 3
)


def _ts(value: dt.datetime | None) -> str:
    return value.isoformat() if value is not None else "\\N"


def _copy(cur: psycopg.Cursor[Any], table: str, columns: str, rows: Iterator[str]) -> int:
    n = 0
    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        batch: list[str] = []
        for row in rows:
            batch.append(row)
            if len(batch) >= 20000:
                copy.write("".join(batch))
                n += len(batch)
                batch = []
        if batch:
            copy.write("".join(batch))
            n += len(batch)
    return n


def _drop_secondary_indexes(cur: psycopg.Cursor[Any], table: str) -> list[str]:
    """Indexes of ``table`` that no constraint owns: dropped for the load, recreated after."""
    cur.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint)",
        [table],
    )
    found = cur.fetchall()
    for name, _definition in found:
        cur.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in found]


class Generator:
    def __init__(self, setup: dict[str, Any], now: dt.datetime) -> None:
        self.rng = random.Random(SEED)
        self.now = now
        self.nodes = setup["nodes"]
        self.agents = {int(k): v for k, v in setup["agents"].items()}
        self.policies = {int(k): v for k, v in setup["policies"].items()}
        self.message_id = 0
        self.ticket_spans: list[tuple[int, int, str, str, int, int | None, int]] = []

    def contacts(self) -> Iterator[str]:
        for i in range(1, CONTACTS + 1):
            created = self.now - dt.timedelta(days=800 - (i * 800) // CONTACTS)
            lang = "fr" if i % 3 else "en"
            yield (f"{i}\t{_ts(created)}\t{_ts(created)}\tBENCH{i:021d}\tClient {i}\t{lang}\t\\N\n")

    def identities(self) -> Iterator[str]:
        for i in range(1, CONTACTS + 1):
            created = self.now - dt.timedelta(days=800 - (i * 800) // CONTACTS)
            yield f"{i}\t{_ts(created)}\t{_ts(created)}\temail\tc{i}@bench.example\t{_ts(created)}\t{i}\n"

    def tickets(self) -> Iterator[str]:
        rng, now = self.rng, self.now
        for i in range(1, TICKETS + 1):
            # Older tickets first; the last ~10 % are the active ones (new, open, pending).
            age_days = 730 * (1 - i / TICKETS) + rng.random()
            created = now - dt.timedelta(days=age_days, seconds=rng.randrange(86400))
            contact = int(CONTACTS * rng.random() ** 1.5) + 1
            node_id, team_id, restricted = self.nodes[rng.randrange(len(self.nodes))]
            lang = "fr" if rng.random() < 0.65 else "en"
            channel = CHANNELS[rng.randrange(len(CHANNELS))]
            active = age_days < 14
            if active:
                status = rng.choices(["new", "open", "pending"], [2, 5, 3])[0]
            else:
                status = "closed" if age_days > 4 else "solved"
            assignee: int | None = None
            if status != "new" and (status != "open" or rng.random() < 0.7):
                assignee = rng.choice(self.agents[team_id])
            n_messages = rng.randint(1, 2 * MESSAGES_PER_TICKET - 1)
            span = dt.timedelta(hours=rng.randint(1, 96)) if not active else now - created
            last = created + span * (0.999 if n_messages > 1 else 0)
            due = warn = solved = closed = first_resp = None
            sla_state, priority = "none", 2
            if status in ("new", "open"):
                due = created + dt.timedelta(hours=rng.randint(4, 60))
                warn = due - dt.timedelta(hours=1)
                sla_state = "breached" if due < now else "warning" if warn < now else "ok"
                priority = 3 if sla_state == "breached" else rng.choice([1, 2, 2, 2, 3, 4])
            elif status == "pending":
                sla_state = "paused"
            if status in ("solved", "closed"):
                solved = last
                closed = last + dt.timedelta(days=4) if status == "closed" else None
            if n_messages > 1:
                first_resp = created + (last - created) / n_messages
            subject = SUBJECTS[lang][i % 5]
            policy = self.policies.get(team_id) or self.policies.get(0)
            token = f"{rng.getrandbits(128):032x}"
            self.ticket_spans.append((i, contact, channel, lang, n_messages, assignee, 0))
            yield (
                f"{i}\t{_ts(created)}\t{_ts(last)}\tT-{1000000 + i}\t{channel}\t{lang}\t{subject}\t"
                f"{'t' if restricted else 'f'}\t{priority}\t{status}\t\t{token}\t"
                f"{_ts(due)}\t\\N\t\\N\t{_ts(due)}\t{_ts(warn)}\t{sla_state}\t{{}}\t"
                f"{_ts(first_resp)}\t{_ts(created)}\t{_ts(last)}\t{_ts(solved)}\t{_ts(closed)}\t"
                f"\\N\t\t{assignee if assignee else chr(92) + 'N'}\t{contact}\t\\N\t\\N\t{node_id}\t"
                f"\\N\t{policy if policy else chr(92) + 'N'}\t{team_id}\n"
            )
            self._last_created = created

    def messages(self, created_of: dict[int, tuple[dt.datetime, dt.datetime]]) -> Iterator[str]:
        rng = self.rng
        mid = 0
        for ticket_id, contact, channel, lang, n, assignee, _x in self.ticket_spans:
            created, last = created_of[ticket_id]
            step = (last - created) / max(1, n - 1)
            phrases = PHRASES[lang]
            for k in range(n):
                mid += 1
                inbound = k % 2 == 0
                note = not inbound and rng.random() < 0.15
                body = " ".join(phrases[rng.randrange(10)] for _ in range(rng.randint(1, 3)))
                author_user = "\\N" if inbound else str(assignee or self.agents_any(rng))
                author_contact = str(contact) if inbound else "\\N"
                cmid = f"<{mid}@mail.bench.example>" if inbound and channel == "email" else ""
                yield (
                    f"{mid}\t{'note' if note else 'public'}\t{'in' if inbound else 'out'}\t"
                    f"{channel}\t{cmid}\t{body}\t\t{_ts(created + step * k)}\t{author_contact}\t"
                    f"{author_user}\t{ticket_id}\n"
                )
        self.message_id = mid

    def agents_any(self, rng: random.Random) -> int:
        team = rng.choice(list(self.agents))
        return int(rng.choice(self.agents[team]))


def load(database_url: str, setup: dict[str, Any], now: dt.datetime) -> dict[str, Any]:
    """COPY the generated rows in; returns what was loaded and how long it took."""
    started = time.perf_counter()
    gen = Generator(setup, now)
    timings: dict[str, float] = {}
    with psycopg.connect(database_url, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # no FK triggers during the load
        cur.execute("SET maintenance_work_mem = '512MB'")
        rebuild: list[str] = []
        for table in (
            "tickets_contact",
            "tickets_contactidentity",
            "tickets_ticket",
            "tickets_message",
        ):
            rebuild += _drop_secondary_indexes(cur, table)
        t = time.perf_counter()
        _copy(
            cur,
            "tickets_contact",
            "id, created_at, updated_at, public_id, display_name, language, user_id",
            gen.contacts(),
        )
        _copy(
            cur,
            "tickets_contactidentity",
            "id, created_at, updated_at, kind, value, verified_at, contact_id",
            gen.identities(),
        )
        timings["contacts_s"] = time.perf_counter() - t
        t = time.perf_counter()
        created_of: dict[int, tuple[dt.datetime, dt.datetime]] = {}
        rows = gen.tickets()

        def tracked() -> Iterator[str]:
            for row in rows:
                parts = row.split("\t", 3)
                created = dt.datetime.fromisoformat(parts[1])
                updated = dt.datetime.fromisoformat(parts[2])
                created_of[int(parts[0])] = (created, updated)
                yield row

        n_tickets = _copy(
            cur,
            "tickets_ticket",
            "id, created_at, updated_at, number, channel, language, subject, restricted, "
            "priority, status, dispute_ref, reply_token, first_response_due_at, "
            "next_response_due_at, resolution_due_at, sla_due_at, sla_warn_at, sla_state, "
            "sla_paused_remaining, first_responded_at, last_customer_message_at, "
            "last_message_at, solved_at, closed_at, claimed_until, claim_token, assignee_id, "
            "contact_id, follow_up_of_id, merged_into_id, node_id, order_id, sla_policy_id, "
            "team_id",
            tracked(),
        )
        timings["tickets_s"] = time.perf_counter() - t
        t = time.perf_counter()
        n_messages = _copy(
            cur,
            "tickets_message",
            "id, kind, direction, channel, channel_message_id, body_text, body_html, created_at, "
            "author_contact_id, author_user_id, ticket_id",
            gen.messages(created_of),
        )
        timings["messages_s"] = time.perf_counter() - t
        t = time.perf_counter()
        for definition in rebuild:
            cur.execute(definition)
        timings["indexes_s"] = time.perf_counter() - t
        cur.execute("SET session_replication_role = origin")
        for table, top in (
            ("tickets_contact", CONTACTS),
            ("tickets_contactidentity", CONTACTS),
            ("tickets_ticket", n_tickets),
            ("tickets_message", n_messages),
        ):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), %s)", [top])
        cur.execute(
            "INSERT INTO tickets_ticketnumbercounter (name, value) VALUES ('ticket', %s) "
            "ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value",
            [1000000 + n_tickets],
        )
        t = time.perf_counter()
        cur.execute("VACUUM ANALYZE")
        timings["analyze_s"] = time.perf_counter() - t
    return {
        "tickets": n_tickets,
        "messages": n_messages,
        "contacts": CONTACTS,
        "load_s": round(time.perf_counter() - started, 1),
        **{k: round(v, 1) for k, v in timings.items()},
    }


def django_setup(python: str, root: str, env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(
        [python, "manage.py", "shell", "-c", SETUP],
        cwd=root,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.split("SETUP=", 1)[1].strip())
    return result
