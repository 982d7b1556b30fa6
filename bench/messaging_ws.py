"""``python -m bench messaging_ws``: live delivery of buyer–seller messages over WebSockets.

The production layout of docs/operations.md on loopback (production settings: PostgreSQL, Redis
channel layer and cache; every process on its own port, as behind a balancer): API processes
that take the HTTP requests (each with a ``DATABASE_POOL_SIZE`` connection pool) and WebSocket
processes that hold the open sockets, 500 connected users (250 buyer–seller pairs, one
conversation each, sessions created in setup; the buyer's socket on one WebSocket process, the
seller's on another, so every delivery crosses processes through Redis), and senders posting
``POST /api/v1/messages/conversations/{id}/messages`` to the API processes at 50 messages/s in
total for 60 s (open loop: message *i* starts at t0 + i/rate whatever the previous ones did;
each user sends about 6 a minute, under the per-sender rate limit). The latency is from just
before the POST to the moment the other party's open WebSocket receives the
``messaging.message`` event; p50/p95/p99 are over the messages delivered, and a message not
delivered within 5 s of the end counts as lost (and fails the target), a POST still unanswered
60 s after the last one was started counts as failed (``unfinished_posts``). The processes'
exceptions are reported (``node_errors``). CPU, from /proc over the measured minute, per
message: ``api_cpu_ms_per_message`` (the send: request, write, unread totals, the push into the
channel layer), ``ws_cpu_ms_per_message`` (the deliveries: channel layer to socket, for the
other party and the sender's own socket), ``nodes_cpu_ms_per_message`` their sum; these hold
whatever else loads the machine (latencies do not: see the load averages). The client's CPU
(``client_cpu_percent_of_one_core``: 500 sockets on one event loop, the senders on threads)
shows it does not starve the servers.

Target (issue 8): p95 ≤ 200 ms. Uses DATABASE_URL/REDIS_URL when they point at PostgreSQL and
Redis; otherwise starts throwaway ones with scripts/services.sh. Loopback only, bounded (every
wait has a deadline; the processes are stopped in ``finally``). Not part of ``make test``.
Overrides: BENCH_USERS (500), BENCH_RATE (50 messages/s), BENCH_SECONDS (60), BENCH_WARMUP (5 s
at the same rate, not measured), BENCH_SENDERS (sender threads, 32), BENCH_API (API processes,
2), BENCH_WS (WebSocket processes, 2), BENCH_POOL (each process's DATABASE_POOL_SIZE, 8; 0:
a connection per request), BENCH_SPLIT (1; 0: the older layout, every process serves both and
a user posts to the process that holds their socket, BENCH_WS of them), BENCH_WS_IMPL
(uvicorn's WebSocket implementation: auto, websockets-sansio, websockets, wsproto),
BENCH_SETTINGS (the processes' settings module, comptoir.settings.production)."""

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
API = int(os.environ.get("BENCH_API", "2"))  # processes that take the POSTs
WS = max(2, int(os.environ.get("BENCH_WS", "2")))  # processes that hold the sockets
POOL = int(os.environ.get("BENCH_POOL", "8"))  # DATABASE_POOL_SIZE of every process
SPLIT = os.environ.get("BENCH_SPLIT", "1") != "0"
WS_IMPL = os.environ.get("BENCH_WS_IMPL", "auto")
TARGET_P95_MS = 200.0
GRACE = 5.0  # seconds to wait for the last deliveries
MARK = "bench-ws:"

# One process: uvicorn serving the ASGI application, as ``uvicorn comptoir.asgi:application``
# does (docs/operations.md); its database connections come from DATABASE_POOL_SIZE (the env).
NODE = """
import sys
import uvicorn
uvicorn.run("comptoir.asgi:application", host="127.0.0.1", port=int(sys.argv[1]),
            ws=sys.argv[2], log_level="warning", access_log=False)
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


def _ws_process(k: int, role: str) -> int:
    """The WebSocket process (index into the ports) of pair ``k``'s buyer or seller: never the
    same for both, so every delivery crosses processes through the channel layer."""
    return (k + (1 if role == "seller" else 0)) % WS


def _api_process(k: int, role: str) -> int:
    """Where pair ``k``'s user posts: an API process (after the WebSocket ones in the ports),
    or, in the older layout, the process that holds their own socket."""
    if not SPLIT:
        return _ws_process(k, role)
    return WS + (k // 2 + (1 if role == "seller" else 0)) % API


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
    ports: list[int], pairs: list[dict[str, Any]], cookie: str, pids: list[int]
) -> dict[str, Any]:
    from websockets.asyncio.client import connect

    sent: dict[str, tuple[float, int]] = {}  # marker -> (start, recipient user id)
    received: dict[str, float] = {}
    connected = 0
    stop = asyncio.Event()
    sockets: list[Any] = []

    async def listen(user: dict[str, Any], process: int, ready: asyncio.Event) -> None:
        nonlocal connected
        url = f"ws://127.0.0.1:{ports[process]}/ws/messages/"
        headers = {"Cookie": f"{cookie}={user['session']}"}
        async with connect(
            url,
            additional_headers=headers,
            origin=f"http://127.0.0.1:{ports[process]}",  # type: ignore[arg-type]
            open_timeout=90,  # 500 handshakes on a loaded machine
            max_queue=None,
            # Like a browser: no pings of its own (it answers the server's). 500 clients
            # pinging every 20 s would add work to the processes measured, and a ping left
            # unanswered for 20 s while a loaded machine runs the handshakes closes the socket.
            ping_interval=None,
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

    # Connect every user, 50 at a time (25 pairs), the buyer and the seller of a pair on two
    # different WebSocket processes.
    tasks: list[asyncio.Task[None]] = []
    for start in range(0, len(pairs), 25):
        events = []
        for k in range(start, min(start + 25, len(pairs))):
            for role in ("buyer", "seller"):
                ready = asyncio.Event()
                events.append(ready)
                process = _ws_process(k, role)
                tasks.append(asyncio.create_task(listen(pairs[k][role], process, ready)))
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
        server = _api_process(k, "buyer" if from_buyer else "seller")
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
        ws_pids, api_pids = pids[:WS], pids[WS:]
        cpu_before = (
            _cpu_seconds(ws_pids),
            _cpu_seconds(api_pids),
            resource.getrusage(resource.RUSAGE_SELF),
        )
        t_start = time.perf_counter()
        took = await phase(SECONDS, 1_000_000, record=True)
        answered = time.perf_counter() - t_start  # until the last POST was answered
        deadline = time.perf_counter() + GRACE
        while time.perf_counter() < deadline and any(m not in received for m in measured):
            await asyncio.sleep(0.05)
        ws_cpu = _cpu_seconds(ws_pids) - cpu_before[0]
        api_cpu = _cpu_seconds(api_pids) - cpu_before[1]
        own = resource.getrusage(resource.RUSAGE_SELF)
        client_cpu = (own.ru_utime - cpu_before[2].ru_utime) + (
            own.ru_stime - cpu_before[2].ru_stime
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
        "layout": "split" if SPLIT else "mixed",
        "api_processes": API if SPLIT else 0,
        "ws_processes": WS,
        "pool_size": POOL,
        "ws_impl": WS_IMPL,
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
        # CPU, whatever else runs on the machine: the processes' per message (the send with
        # its push; the deliveries), and the bench client's share of one core.
        "api_cpu_ms_per_message": _per_message(api_cpu, measured),
        "ws_cpu_ms_per_message": _per_message(ws_cpu, measured),
        "nodes_cpu_ms_per_message": _per_message(api_cpu + ws_cpu, measured),
        "client_cpu_percent_of_one_core": round(100 * client_cpu / elapsed, 1) if elapsed else 0.0,
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "target_met": bool(latencies) and p95 <= TARGET_P95_MS and not lost and not errors,
    }


def _per_message(cpu_seconds: float, measured: list[str]) -> float:
    return round(cpu_seconds * 1000 / len(measured), 2) if measured else float("nan")


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
    env["DATABASE_POOL_SIZE"] = str(POOL)
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
    # The WebSocket processes first, then the API ones.
    ports = [free_port() for _ in range(WS + (API if SPLIT else 0))]
    logs = [tempfile.TemporaryFile(mode="w+") for _ in ports]  # the processes' stderr
    nodes = [
        subprocess.Popen(
            [PYTHON, "-c", NODE, str(port), WS_IMPL],
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
