"""``python -m bench tickets_intake``: POST /api/v1/tickets over HTTP, the full intake path
(auth, contact, language, order numbers, node prediction, routing, SLA, audit, acknowledgement
and search indexing handed to the outbox), 16 clients for 60 s against 2 uvicorn workers on
PostgreSQL.

Targets (issue 5): ≥ 200 tickets/s, p95 ≤ 150 ms. Uses DATABASE_URL/REDIS_URL when they point at
PostgreSQL and Redis; otherwise starts throwaway ones with scripts/services.sh. Not part of
``make test``. BENCH_SECONDS / BENCH_CLIENTS override the duration and the client count;
BENCH_PATH=healthz measures ``GET /healthz`` instead (the same stack with one ``SELECT 1``: the
ceiling of this machine for any Django request).

The clients run in several processes (no shared GIL with each other), keep their connection
open and time each request from send to last byte. Besides throughput and latency the result
gives the CPU the server side burnt per ticket (uvicorn workers + PostgreSQL, read from /proc),
the clients' own CPU and the load average: the machine is shared, so wall-clock figures depend
on what else runs. After the run, the outbox work the requests handed to workers (the
acknowledgement notifications and e-mails, the search indexing) is drained in this process and
timed, so the deferred cost is measured too, not hidden."""

from __future__ import annotations

import http.client
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

from bench import free_port, production_env

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "16"))
CLIENT_PROCESSES = int(os.environ.get("BENCH_CLIENT_PROCESSES", "4"))
PATH = os.environ.get("BENCH_PATH", "tickets")
WORKERS = 2
TICK = os.sysconf("SC_CLK_TCK")

SETUP = """
from comptoir.accounts.enums import Role
from comptoir.accounts.models import AgentProfile, Skill, Team, User
from comptoir.accounts.services import api_token_create, user_create
from comptoir.taxonomy.seeders import taxonomy_seed
from comptoir.tickets.seeders import _calendar, _policies
from comptoir.tickets.models import AgentPresence
import json, sys
taxonomy_seed()
_policies(_calendar())
tokens = []
for team in Team.objects.all():
    for i in range(2):
        email = f"bench-agent-{team.code}-{i}@example.org"
        if not User.objects.filter(email=email).exists():
            agent = user_create(email=email, password=None, role=Role.AGENT, email_verified=True)
            profile = AgentProfile.objects.create(user=agent, languages=["fr", "en"])
            profile.skills.add(*Skill.objects.filter(code=team.code))
            team.members.add(agent)
            AgentPresence.objects.create(user=agent, status="online")
for n in range(int(sys.argv[-1])):
    email = f"bench-buyer-{n}@example.org"
    user = User.objects.filter(email=email).first() or user_create(
        email=email, password=None, role=Role.BUYER, email_verified=True)
    tokens.append(api_token_create(user=user, label="bench").key)
print("TOKENS=" + json.dumps(tokens))
"""

# Drains what the run handed to the outbox, as a worker would, and times it.
DRAIN = """
import json, time
from comptoir.core.outbox import drain_outbox
from comptoir.core.outbox.models import OutboxMessage
pending = OutboxMessage.objects.filter(state="pending").count()
start = time.perf_counter()
cpu = time.process_time()
sent = 0
while True:
    n = drain_outbox(limit=500)
    sent += n
    if n == 0:
        break
took = time.perf_counter() - start
print("DRAIN=" + json.dumps({"pending": pending, "sent": sent, "seconds": round(took, 1),
    "per_s": round(sent / took, 1) if took else None,
    "cpu_ms_per_message": round((time.process_time() - cpu) / sent * 1000, 2) if sent else None}))
"""

TEXTS = [
    ("fr", "Bonjour, mon colis n'est jamais arrivé, le suivi est bloqué depuis dix jours."),
    ("en", "Hello, the item arrived damaged and the box was crushed. What can I do?"),
    ("fr", "J'ai été débité deux fois pour la même commande, merci de vérifier."),
    ("en", "I still have not received my refund for the return I sent last month."),
    ("fr", "Je n'arrive plus à me connecter, le code de vérification n'arrive pas."),
    ("en", "Where is my parcel? The tracking has not been updated for a week."),
]


# --- CPU accounting from /proc ----------------------------------------------------------------


def _stat(pid: int) -> list[str]:
    with open(f"/proc/{pid}/stat") as fp:
        return fp.read().rsplit(")", 1)[1].split()


def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if int(_stat(int(entry))[1]) == pid:
                    found.append(int(entry))
            except (OSError, IndexError):
                continue
    return found


def _tree_cpu(pid: int) -> float:
    """CPU seconds of a process, its reaped children and its live children."""
    try:
        fields = _stat(pid)
    except OSError:
        return 0.0
    total = sum(int(x) for x in fields[11:15])  # utime, stime, cutime, cstime
    for child in _children(pid):
        try:
            total += sum(int(x) for x in _stat(child)[11:13])
        except OSError:
            continue
    return total / TICK


def _postmaster_pid(env: dict[str, str]) -> int | None:
    """The PostgreSQL server's pid when it runs on this machine (parent of our backend)."""
    code = (
        "import django; django.setup(); from django.db import connection; "
        "c = connection.cursor(); c.execute('select pg_backend_pid()'); "
        "print(open(f'/proc/{c.fetchone()[0]}/stat').read().rsplit(')', 1)[1].split()[1])"
    )
    done = subprocess.run(
        [PYTHON, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    try:
        return int(done.stdout.strip())
    except ValueError:
        return None


# --- clients ----------------------------------------------------------------------------------


def _wait_until_serving(port: int, timeout: float = 300.0) -> None:
    """Until both workers answer (the socket accepts before the workers are up)."""
    deadline = time.monotonic() + timeout
    answered = 0
    while time.monotonic() < deadline and answered < 2 * WORKERS:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", "/healthz")
            answered += conn.getresponse().status == 200
            conn.close()
        except OSError:
            time.sleep(0.5)


def _client(port: int, token: str, stop: float, latencies: list[float], errors: list[str]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    n = 0
    while time.perf_counter() < stop:
        if PATH == "healthz":
            method, url, body = "GET", "/healthz", None
            headers: dict[str, str] = {}
        else:
            _lang, text = TEXTS[n % len(TEXTS)]
            method, url = "POST", "/api/v1/tickets"
            body = json.dumps({"subject": "", "text": f"{text} (#{n})"})
            headers = {
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Idempotency-Key": uuid.uuid4().hex,
            }
        start = time.perf_counter()
        try:
            conn.request(method, url, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status not in (200, 201):
                errors.append(str(response.status))
            else:
                latencies.append(time.perf_counter() - start)
        except Exception as exc:
            errors.append(type(exc).__name__)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        n += 1
    conn.close()


def _client_process(port: int, tokens: list[str], seconds: float, out: Any) -> None:
    """One client process: one thread per token, all stopping at the same time."""
    stop = time.perf_counter() + seconds
    latencies: list[float] = []
    errors: list[str] = []
    threads = [
        threading.Thread(target=_client, args=(port, t, stop, latencies, errors)) for t in tokens
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put((latencies, errors, time.process_time()))


def _load(port: int, tokens: list[str], seconds: float) -> tuple[list[float], list[str], float]:
    """Run the clients in CLIENT_PROCESSES processes; (latencies, errors, client CPU s)."""
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    shares = [tokens[i::CLIENT_PROCESSES] for i in range(CLIENT_PROCESSES)]
    procs = [
        context.Process(target=_client_process, args=(port, share, seconds, out))
        for share in shares
        if share
    ]
    for proc in procs:
        proc.start()
    latencies: list[float] = []
    errors: list[str] = []
    cpu = 0.0
    for _proc in procs:
        got, failed, used = out.get()
        latencies += got
        errors += failed
        cpu += used
    for proc in procs:
        proc.join()
    return latencies, errors, cpu


def _stop_on_sigterm() -> None:
    """A SIGTERM (``timeout``, a CI runner) unwinds through ``finally``: the uvicorn server and
    the throwaway PostgreSQL and Redis are stopped instead of left running."""

    def stop(signum: int, _frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


def _run_on_postgres() -> dict[str, Any]:
    _stop_on_sigterm()
    env = production_env()
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    setup = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", SETUP.replace("sys.argv[-1]", str(CLIENTS))],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    tokens = json.loads(setup.stdout.split("TOKENS=", 1)[1].strip())
    postmaster = _postmaster_pid(env)
    port = free_port()
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "uvicorn",
            "comptoir.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(WORKERS),
            # uvicorn kills a worker that does not answer its health check within 5 s (the
            # default), and a worker starting (Django, the API, the language detector, the
            # predictor's model) takes longer than that on a loaded machine: it is then killed
            # and restarted in a loop. Production web nodes need the same setting.
            "--timeout-worker-healthcheck",
            "180",
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        # The web nodes' recommended setting: a connection pool per worker (settings/databases.py).
        env={**env, "DATABASE_POOL_SIZE": env.get("DATABASE_POOL_SIZE", "8")},
    )
    try:
        _wait_until_serving(port)
        _load(port, tokens, 5.0)  # warm-up: every worker loads its models and caches
        load_before = os.getloadavg()
        server_cpu = _tree_cpu(server.pid)
        db_cpu = _tree_cpu(postmaster) if postmaster else 0.0
        began = time.perf_counter()
        latencies, errors, client_cpu = _load(port, tokens, SECONDS)
        took = time.perf_counter() - began
        server_cpu = _tree_cpu(server.pid) - server_cpu
        db_cpu = (_tree_cpu(postmaster) - db_cpu) if postmaster else 0.0
        load_after = os.getloadavg()
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()  # a worker stuck in its graceful shutdown
            server.wait(timeout=30)
    drained: dict[str, Any] = {}
    if PATH != "healthz":
        drain = subprocess.run(
            [PYTHON, "manage.py", "shell", "-c", DRAIN],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        drained = json.loads(drain.stdout.split("DRAIN=", 1)[1].strip())
    latencies.sort()
    count = len(latencies)
    p95 = latencies[max(int(count * 0.95) - 1, 0)] if latencies else float("nan")
    p50 = latencies[count // 2] if latencies else float("nan")
    rate = count / took
    return {
        "path": PATH,
        "clients": len(tokens),
        "client_processes": CLIENT_PROCESSES,
        "workers": WORKERS,
        "database_pool_size": int(env.get("DATABASE_POOL_SIZE", "8")),
        "seconds": round(took, 1),
        "requests": count,
        "errors": len(errors),
        "per_s": round(rate, 1),
        "p50_ms": round(p50 * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "server_cpu_ms_per_request": round(server_cpu / max(count, 1) * 1000, 2),
        "db_cpu_ms_per_request": round(db_cpu / max(count, 1) * 1000, 2),
        "client_cpu_ms_per_request": round(client_cpu / max(count, 1) * 1000, 2),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
        "outbox_drain_after": drained,
        "target_met": PATH == "tickets" and rate >= 200 and p95 <= 0.150 and not errors,
    }


def run() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres") and os.environ.get("REDIS_URL", "").startswith("redis"):
        return _run_on_postgres()
    script = (
        "source scripts/services.sh && trap services_stop EXIT && trap 'exit 143' TERM && "
        "services_start >&2 && "
        f"{PYTHON} -c 'import json, bench.tickets_intake as b; "
        'print("RESULT=" + json.dumps(b.run()))\''
    )
    _stop_on_sigterm()
    proc = subprocess.Popen(
        ["bash", "-c", script],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate()
    except BaseException:
        # Stopped from outside: the run below stops its server, then the shell its services.
        os.killpg(proc.pid, signal.SIGTERM)
        proc.communicate(timeout=120)
        raise
    done = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    if done.returncode != 0 or "RESULT=" not in done.stdout:
        sys.stderr.write(done.stderr[-4000:])
        raise RuntimeError("tickets_intake benchmark failed")
    result: dict[str, Any] = json.loads(done.stdout.split("RESULT=", 1)[1].strip())
    return result
