"""``python -m bench messaging_ws``: live delivery of buyer–seller messages over WebSockets.

Two web nodes of 2 uvicorn worker processes each (production settings: PostgreSQL, Redis channel
layer and cache; every process on its own loopback port, as behind a balancer), 500 connected
users (250 buyer–seller pairs, one conversation each, sessions created in setup; the buyer on
one node, the seller on the other, so every delivery crosses nodes through Redis), and senders
posting ``POST /api/v1/messages/conversations/{id}/messages`` at 50 messages/s in total for 60 s
(open loop: message *i* starts at t0 + i/rate whatever the previous ones did; each user sends
about 6 a minute, under the per-sender rate limit). The latency is from just before the POST to
the moment the other party's open WebSocket receives the ``messaging.message`` event;
p50/p95/p99 are over the messages delivered, and a message not delivered within 5 s of the end
counts as lost (and fails the target), a POST still unanswered 60 s after the last one was
started counts as failed (``unfinished_posts``). The nodes' exceptions are reported
(``node_errors``). ``nodes_cpu_ms_per_message`` is the web processes' CPU time (from /proc)
over the measured minute divided by the messages: the cost of a send with its live push and
deliveries, which holds whatever else loads the machine (latencies do not: see the load
average); ``client_cpu_percent_of_one_core`` shows the bench client is not the bottleneck.

Target (issue 8): p95 ≤ 200 ms. Uses DATABASE_URL/REDIS_URL when they point at PostgreSQL and
Redis; otherwise starts throwaway ones with scripts/services.sh. Loopback only, bounded (every
wait has a deadline; the processes are stopped in ``finally``). Not part of ``make test``.
Overrides: BENCH_USERS (500), BENCH_RATE (50 messages/s), BENCH_SECONDS (60), BENCH_WARMUP (5 s
at the same rate, not measured), BENCH_SENDERS (sender threads, 32), BENCH_WORKERS (uvicorn
worker processes per node, 2: each request's sync code gets a thread of its own, but a process
runs Python on one core at a time), BENCH_CONN_MAX_AGE (0, see NODE), BENCH_SETTINGS (the
nodes' settings module, comptoir.settings.production)."""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench import free_port, production_env

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
USERS = int(os.environ.get("BENCH_USERS", "500"))
RATE = float(os.environ.get("BENCH_RATE", "50"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "5"))
SENDERS = int(os.environ.get("BENCH_SENDERS", "32"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))  # uvicorn worker processes per node
NODES = 2
CONN_MAX_AGE = int(os.environ.get("BENCH_CONN_MAX_AGE", "0"))
TARGET_P95_MS = 200.0
GRACE = 5.0  # seconds to wait for the last deliveries
MARK = "bench-ws:"

# One worker process of a node. CONN_MAX_AGE: Django runs each ASGI request's sync code on a
# thread of its own, so persistent connections (settings/databases.py: 60 s) are left open by
# every finished request's thread until collected; at 50 requests/s that exhausts PostgreSQL's
# max_connections ("sorry, too many clients already") within seconds. Django's advice for ASGI
# is CONN_MAX_AGE = 0, the default here (BENCH_CONN_MAX_AGE=60 reproduces the failure).
NODE = """
import sys
import django
django.setup()
from django.db import connections
connections.settings["default"]["CONN_MAX_AGE"] = int(sys.argv[2])
import uvicorn
uvicorn.run("comptoir.asgi:application", host="127.0.0.1", port=int(sys.argv[1]),
            log_level="warning", access_log=False)
"""

SETUP = """
import json, sys
from django.conf import settings
from django.test import Client
from comptoir.accounts.enums import Role
from comptoir.accounts.models import Shop, ShopMembership
from comptoir.accounts.services import api_token_create, user_create
from comptoir.catalog.services import product_create
from comptoir.core.money import Money
from comptoir.messaging.services import conversation_start

def session(user):
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value

import uuid
tag = uuid.uuid4().hex[:8]  # several runs against one database do not collide
pairs = []
for n in range(int(sys.argv[-1])):
    buyer = user_create(email=f"ws-buyer-{tag}-{n}@example.org", password=None, role=Role.BUYER,
                        email_verified=True)
    seller = user_create(email=f"ws-seller-{tag}-{n}@example.org", password=None, role=Role.SELLER,
                         email_verified=True)
    shop = Shop.objects.create(name=f"Boutique {n}", slug=f"ws-shop-{tag}-{n}")
    ShopMembership.objects.create(shop=shop, user=seller,
                                  shop_role=ShopMembership.ShopRole.OWNER)
    product = product_create(shop=shop, title_fr=f"Produit {n}", title_en=f"Product {n}",
                             price=Money.parse("19.90"), shipping=Money.parse("4.90"),
                             attributes=[])
    conversation, _m = conversation_start(buyer=buyer, product=product, text="Bonjour")
    pairs.append({
        "conversation": conversation.public_id,
        "buyer": {"id": buyer.pk, "session": session(buyer),
                  "token": api_token_create(user=buyer, label="bench").key},
        "seller": {"id": seller.pk, "session": session(seller),
                   "token": api_token_create(user=seller, label="bench").key},
    })
print("PAIRS=" + json.dumps({"pairs": pairs, "cookie": settings.SESSION_COOKIE_NAME}))
"""


def _wait_port(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"node on port {port} did not start")


def _server(node: int, k: int) -> int:
    """The process of ``node`` that pair ``k``'s user of that node talks to (the index into
    the ports: each worker of a node is a process on its own port, as behind a balancer)."""
    return node * WORKERS + (k // NODES) % WORKERS


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    index = min(len(values) - 1, max(0, int(round(q * len(values))) - 1))
    return round(sorted(values)[index], 1)


class _Senders:
    """Thread-local keep-alive HTTP connections to the nodes; ``post`` returns (status, ms)."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.local = threading.local()

    def post(self, node: int, token: str, conversation: str, text: str) -> tuple[int, float]:
        conns = getattr(self.local, "conns", None)
        if conns is None:
            conns = self.local.conns = {}
        conn = conns.get(node)
        if conn is None:
            conn = conns[node] = http.client.HTTPConnection(
                "127.0.0.1", self.ports[node], timeout=10
            )
        # The client key makes a retry (after the server closed an idle keep-alive connection)
        # the same message, like a real client's.
        body = json.dumps({"text": text, "client_key": text.split(" ", 1)[0]})
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        path = f"/api/v1/messages/conversations/{conversation}/messages"
        start = time.perf_counter()
        for _attempt in range(2):
            try:
                conn.request("POST", path, body, headers)
                response = conn.getresponse()
                response.read()
                return response.status, (time.perf_counter() - start) * 1000
            except (http.client.HTTPException, OSError):
                conn.close()
                conn = conns[node] = http.client.HTTPConnection(
                    "127.0.0.1", self.ports[node], timeout=10
                )
        return 0, (time.perf_counter() - start) * 1000


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of the processes (Linux /proc), in seconds."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


async def _drive(
    ports: list[int], pairs: list[dict[str, Any]], cookie: str, node_pids: list[int]
) -> dict[str, Any]:
    from websockets.asyncio.client import connect

    sent: dict[str, tuple[float, int]] = {}  # marker -> (start, recipient user id)
    received: dict[str, float] = {}
    connected = 0
    stop = asyncio.Event()
    sockets: list[Any] = []

    async def listen(user: dict[str, Any], node: int, ready: asyncio.Event) -> None:
        nonlocal connected
        url = f"ws://127.0.0.1:{ports[node]}/ws/messages/"
        headers = {"Cookie": f"{cookie}={user['session']}"}
        async with connect(
            url,
            additional_headers=headers,
            origin=f"http://127.0.0.1:{ports[node]}",  # type: ignore[arg-type]
            open_timeout=90,  # 500 handshakes on a loaded machine
            max_queue=None,
        ) as ws:
            connected += 1
            sockets.append(ws)
            ready.set()
            async for raw in ws:  # ends when the socket is closed at the end of the run
                now = time.perf_counter()
                event = json.loads(raw)
                if event.get("type") != "messaging.message":
                    continue
                text = str(event.get("message", {}).get("text", ""))
                if not text.startswith(MARK):
                    continue
                marker = text.split(" ", 1)[0]
                expected = sent.get(marker)
                if expected is not None and expected[1] == user["id"]:
                    received.setdefault(marker, now)

    # Connect every user, 50 at a time (25 pairs): the buyer of pair k on node k % 2, the seller on the
    # other node.
    tasks: list[asyncio.Task[None]] = []
    for start in range(0, len(pairs), 25):
        events = []
        for k in range(start, min(start + 25, len(pairs))):
            for role, node in (("buyer", k % NODES), ("seller", (k + 1) % NODES)):
                ready = asyncio.Event()
                events.append(ready)
                server = _server(node, k)
                tasks.append(asyncio.create_task(listen(pairs[k][role], server, ready)))
        deadline = time.perf_counter() + 60
        while any(not e.is_set() for e in events):
            failed = [t for t in tasks if t.done()]
            if failed:
                stop.set()
                raise RuntimeError(f"WebSocket closed while connecting: {failed[0]!r}")
            if time.perf_counter() > deadline:
                stop.set()
                raise RuntimeError("WebSocket connects timed out")
            await asyncio.sleep(0.05)

    senders = _Senders(ports)
    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor(max_workers=SENDERS, thread_name_prefix="sender")
    statuses: list[int] = []
    post_ms: list[float] = []
    measured: list[str] = []

    async def send(index: int, *, record: bool) -> None:
        k = index % len(pairs)
        from_buyer = (index // len(pairs)) % 2 == 0
        pair = pairs[k]
        author, other = (
            (pair["buyer"], pair["seller"])
            if from_buyer
            else (
                pair["seller"],
                pair["buyer"],
            )
        )
        node = k % NODES if from_buyer else (k + 1) % NODES  # the author's own node
        server = _server(node, k)
        marker = f"{MARK}{'m' if record else 'w'}{index}"
        sent[marker] = (time.perf_counter(), other["id"])
        status, ms = await loop.run_in_executor(
            pool, senders.post, server, author["token"], pair["conversation"], f"{marker} Bonjour"
        )
        if record:
            statuses.append(status)
            post_ms.append(ms)
            measured.append(marker)

    unfinished = 0

    async def phase(seconds: float, offset: int, *, record: bool) -> float:
        """Start message i at t0 + i/RATE; answers the time the last POST was *started* at
        (the offered rate); POSTs still unanswered 60 s after the phase count as failed."""
        nonlocal unfinished
        count = int(seconds * RATE)
        t0 = time.perf_counter()
        jobs = []
        for i in range(count):
            delay = t0 + i / RATE - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            jobs.append(asyncio.create_task(send(offset + i, record=record)))
        started = time.perf_counter() - t0
        _done, pending = await asyncio.wait(jobs, timeout=60)
        if record:
            unfinished += len(pending)
        for job in pending:  # the thread's POST runs on; its result is ignored
            job.cancel()
        return started

    try:
        if WARMUP > 0:
            await phase(WARMUP, 0, record=False)
            await asyncio.sleep(1)
        load_before = os.getloadavg()
        cpu_before = _cpu_seconds(node_pids), resource.getrusage(resource.RUSAGE_SELF)
        t_start = time.perf_counter()
        took = await phase(SECONDS, 1_000_000, record=True)
        answered = time.perf_counter() - t_start  # until the last POST was answered
        deadline = time.perf_counter() + GRACE
        while time.perf_counter() < deadline and any(m not in received for m in measured):
            await asyncio.sleep(0.05)
        nodes_cpu = _cpu_seconds(node_pids) - cpu_before[0]
        own = resource.getrusage(resource.RUSAGE_SELF)
        client_cpu = (own.ru_utime - cpu_before[1].ru_utime) + (
            own.ru_stime - cpu_before[1].ru_stime
        )
        elapsed = time.perf_counter() - t_start
        load_after = os.getloadavg()
    finally:
        stop.set()
        await asyncio.gather(*(ws.close() for ws in sockets), return_exceptions=True)
        await asyncio.wait(tasks, timeout=10)
        for task in tasks:
            task.cancel()
        pool.shutdown(wait=True, cancel_futures=True)

    latencies = [(received[m] - sent[m][0]) * 1000 for m in measured if m in received]
    errors = sum(1 for s in statuses if s != 201) + unfinished
    lost = len(measured) - len(latencies)
    p95 = _pct(latencies, 0.95)
    return {
        "nodes": NODES,
        "workers_per_node": WORKERS,
        "conn_max_age": CONN_MAX_AGE,
        "users_connected": connected,
        "rate_target_per_s": RATE,
        "seconds": round(took, 1),
        "messages": len(measured),
        "rate_offered_per_s": round(int(SECONDS * RATE) / took, 1) if took else 0.0,
        # Answered POSTs per second, from the first POST to the last answer.
        "rate_achieved_per_s": round(len(measured) / answered, 1) if answered else 0.0,
        "unfinished_posts": unfinished,
        "delivered": len(latencies),
        "lost": lost,
        "post_errors": errors,
        "post_error_statuses": sorted({s for s in statuses if s != 201}),
        "latency_p50_ms": _pct(latencies, 0.50),
        "latency_p95_ms": p95,
        "latency_p99_ms": _pct(latencies, 0.99),
        "latency_max_ms": round(max(latencies), 1) if latencies else float("nan"),
        "post_p95_ms": _pct(post_ms, 0.95),
        # CPU, whatever else runs on the machine: the web nodes' per message (the send, the
        # live push, the WebSocket deliveries), and the bench client's share of the machine.
        "nodes_cpu_ms_per_message": round(nodes_cpu * 1000 / len(measured), 2)
        if measured
        else float("nan"),
        "client_cpu_percent_of_one_core": round(100 * client_cpu / elapsed, 1) if elapsed else 0.0,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "target_met": bool(latencies) and p95 <= TARGET_P95_MS and not lost and not errors,
    }


def _node_errors(logs: list[Any]) -> dict[str, int]:
    """The nodes' exceptions, by their last traceback line (what a 500 was)."""
    found: dict[str, int] = {}
    for log in logs:
        log.flush()
        log.seek(0)
        lines = log.read().splitlines()
        for index, line in enumerate(lines):
            if line.startswith("Traceback"):
                end = index + 1
                while end < len(lines) and (lines[end].startswith(" ") or not lines[end]):
                    end += 1
                if end < len(lines):
                    key = lines[end][:200]
                    found[key] = found.get(key, 0) + 1
    return found


def _run_on_postgres() -> dict[str, Any]:
    env = production_env()
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    setup = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", SETUP.replace("sys.argv[-1]", str(USERS // 2))],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
        timeout=900,
    )
    data = json.loads(setup.stdout.split("PAIRS=", 1)[1].strip())
    ports = [free_port() for _ in range(NODES * WORKERS)]
    logs = [tempfile.TemporaryFile(mode="w+") for _ in ports]  # the processes' stderr
    nodes = [
        subprocess.Popen(
            [PYTHON, "-c", NODE, str(port), str(CONN_MAX_AGE)],
            cwd=ROOT,
            env=env,
            stderr=log,
        )
        for port, log in zip(ports, logs, strict=True)
    ]
    try:
        deadline = time.monotonic() + 240  # a loaded machine imports Django slowly
        for port in ports:
            _wait_port(port, deadline)
        budget = WARMUP + SECONDS + GRACE + 300  # connects, two 60 s drains, shutdown
        result = asyncio.run(
            asyncio.wait_for(
                _drive(ports, data["pairs"], data["cookie"], [n.pid for n in nodes]),
                timeout=budget,
            )
        )
        result["node_errors"] = _node_errors(logs)
        return result
    finally:
        for node in nodes:
            node.terminate()
        for node in nodes:
            try:
                node.wait(timeout=30)
            except subprocess.TimeoutExpired:
                node.kill()
        for log in logs:
            log.close()


def run() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres") and os.environ.get("REDIS_URL", "").startswith("redis"):
        return _run_on_postgres()
    script = (
        "source scripts/services.sh && trap services_stop EXIT && services_start >&2 && "
        f"{PYTHON} -c 'import json, bench.messaging_ws as b; "
        'print("RESULT=" + json.dumps(b.run()))\''
    )
    done = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0 or "RESULT=" not in done.stdout:
        sys.stderr.write(done.stderr[-4000:])
        raise RuntimeError("messaging_ws benchmark failed")
    result: dict[str, Any] = json.loads(done.stdout.split("RESULT=", 1)[1].strip())
    return result
