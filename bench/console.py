"""``python -m bench console``: the agent console over HTTP with 1,000,000 tickets and 5,000,000
messages in PostgreSQL (issue 7): queue pages (the five queues, filters, a second keyset page)
and the ticket view, as logged-in agents, 16 clients against 2 uvicorn workers.

Target: p95 ≤ 150 ms for queue pages and for the ticket view. The loaded cluster is kept under
``var/bench/console-pg-<key>`` (the key is the generator's version and size; ``migrate`` brings a
kept database up to date), so only the first run pays for the load (bench/_console_load.py). BENCH_SECONDS / BENCH_CLIENTS override the duration
and the client count; BENCH_CONSOLE_TICKETS the size (the key includes it)."""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import json
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench import DATA_DIR, free_port, production_env

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "16"))
WORKERS = 2
GENERATOR_VERSION = 1
TARGET_P95_S = 0.150

SESSIONS = r"""
import json
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from importlib import import_module
from comptoir.accounts.models import User
store = import_module(settings.SESSION_ENGINE).SessionStore
out = []
for user in User.objects.filter(email__startswith="bench-agent-").order_by("pk")[:CLIENTS]:
    s = store()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    team = user.teams.values_list("pk", flat=True).first()
    out.append({"cookie": settings.SESSION_COOKIE_NAME + "=" + s.session_key, "team": team})
print("SESSIONS=" + json.dumps(out))
"""

# CPU per page in one process, one request at a time (what the load barely changes): the test
# client against the same database and settings as the servers, after a warm-up round.
CPU_PER_PAGE = r"""
import json, time
from django.test import Client
from comptoir.accounts.models import User
from comptoir.tickets.models import Ticket
user = User.objects.filter(email__startswith="bench-agent-").order_by("pk").first()
team = user.teams.values_list("pk", flat=True).first()
numbers = list(Ticket.objects.filter(team_id=team, status__in=["new", "open", "pending"])
               .order_by("-id").values_list("number", flat=True)[:16])
pages = {"queue": QUEUE_PATHS, "ticket": [f"/console/tickets/{n}/" for n in numbers]}
out = {}
for language in ("fr", "en"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language, HTTP_HOST="127.0.0.1")
    client.force_login(user)
    for kind, paths in pages.items():
        for path in paths:
            assert client.get(path).status_code == 200, path
        began, n = time.process_time(), 0
        for _ in range(3):
            for path in paths:
                client.get(path)
                n += 1
        out[f"{kind}_{language}"] = round((time.process_time() - began) * 1000 / n, 2)
print("CPU=" + json.dumps(out))
"""

RECONCILE = (
    "from comptoir.console.services.counters import counters_reconcile; "
    "print('RECONCILED=', counters_reconcile())"
)


def _key() -> str:
    from bench import _console_load as load

    # Bump GENERATOR_VERSION when bench/_console_load.py changes what it loads. Not the
    # migrations: ``migrate`` brings a kept database up to date at every run.
    return hashlib.sha256(f"v{GENERATOR_VERSION}:{load.TICKETS}".encode()).hexdigest()[:12]


def _shell(code: str, env: dict[str, str], marker: str) -> str:
    done = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.split(marker, 1)[1].strip()


def _loaded(url: str) -> bool:
    import psycopg

    with psycopg.connect(url) as conn:
        found = conn.execute("SELECT to_regclass('bench_console_loaded') IS NOT NULL").fetchone()
        return bool(found and found[0])


def _prepare(env: dict[str, str]) -> dict[str, Any]:
    import psycopg

    from bench import _console_load as load

    url = env["DATABASE_URL"]
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    if _loaded(url):
        return {"loaded_now": False}
    setup = load.django_setup(PYTHON, str(ROOT), env)
    figures = load.load(url, setup, dt.datetime.now(dt.UTC))
    _shell(RECONCILE, env, "RECONCILED=")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE bench_console_loaded (figures jsonb)")
        conn.execute("INSERT INTO bench_console_loaded VALUES (%s)", [json.dumps(figures)])
    return {"loaded_now": True, **figures}


def _targets(url: str, sessions: list[dict[str, Any]]) -> dict[int, list[str]]:
    """Active ticket numbers of each team, for the ticket-view requests."""
    import psycopg

    teams = {s["team"] for s in sessions}
    out: dict[int, list[str]] = {}
    with psycopg.connect(url) as conn:
        for team in teams:
            rows = conn.execute(
                "SELECT number FROM tickets_ticket WHERE team_id = %s AND status IN "
                "('new', 'open', 'pending') ORDER BY id DESC LIMIT 500",
                [team],
            ).fetchall()
            out[team] = [r[0] for r in rows]
    return out


NEXT_PAGE = re.compile(rb'href="(\?[^"]*cursor=[^"]*)"')
QUEUE_PATHS = [
    "/console/",
    "/console/queues/teams/",
    "/console/queues/unassigned/",
    "/console/queues/breaching/",
    "/console/queues/pending/",
    "/console/queues/teams/?channel=email",
    "/console/queues/teams/?language=en&status=open",
    "/console/queues/teams/?sla_state=breached",
]


def _client(
    port: int,
    session: dict[str, Any],
    numbers: list[str],
    stop: float,
    out: dict[str, list[float]],
    errors: list[str],
    seed: int,
) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Cookie": session["cookie"], "Accept-Language": rng.choice(["fr", "en"])}
    cursor_path = ""
    while time.perf_counter() < stop:
        roll = rng.random()
        if roll < 0.45 and numbers:
            kind, path = "ticket", f"/console/tickets/{rng.choice(numbers)}/"
        elif roll < 0.55 and cursor_path:
            kind, path = "queue_next_page", cursor_path
        else:
            kind, path = "queue", rng.choice(QUEUE_PATHS)
        start = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            took = time.perf_counter() - start
            if response.status != 200:
                errors.append(f"{response.status} {path}")
                continue
            out.setdefault(kind, []).append(took)
            found = NEXT_PAGE.search(body) if kind == "queue" else None
            if found:
                cursor_path = path.split("?")[0] + found.group(1).decode().replace("&amp;", "&")
        except Exception as exc:  # counted and reported
            errors.append(type(exc).__name__)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.close()


def _percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[max(0, int(len(values) * q) - 1)] if values else float("nan")


_TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int, *, children_reaped: bool = False) -> float:
    """User + system CPU of a process (and of its exited children it waited for)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = int(fields[11]) + int(fields[12])  # utime, stime
    if children_reaped:
        ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / _TICKS


def _children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == parent:
                found.append(int(entry.name))
    return found


def _server_cpu(server_pid: int) -> float:
    """CPU seconds of the web workers (children of the uvicorn supervisor)."""
    return sum(_cpu_seconds(pid) for pid in [server_pid, *_children(server_pid)])


def _database_cpu() -> float | None:
    """CPU seconds of the PostgreSQL cluster (postmaster, its live backends and the exited
    ones it reaped), when the benchmark runs its own cluster (COMPTOIR_PG_DATA)."""
    data = os.environ.get("COMPTOIR_PG_DATA")
    if not data:
        return None
    try:
        postmaster = int(Path(data, "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return _cpu_seconds(postmaster, children_reaped=True) + sum(
        _cpu_seconds(pid) for pid in _children(postmaster)
    )


def _wait_until_serving(port: int, cookie: str, timeout: float = 300.0) -> None:
    """Until the workers answer console pages: the port opens long before (the supervisor
    binds it; each worker then loads Django, tens of seconds on a busy machine)."""
    deadline = time.monotonic() + timeout
    answered = 0
    while answered < 2 * WORKERS:
        if time.monotonic() > deadline:
            raise RuntimeError("the console server did not start serving")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                pass
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/console/", headers={"Cookie": cookie})
            response = conn.getresponse()
            response.read()
            conn.close()
            answered = answered + 1 if response.status == 200 else 0
        except OSError:
            answered = 0
            time.sleep(0.5)


def _run_on_postgres() -> dict[str, Any]:
    env = production_env()
    # Web nodes keep a connection pool (docs/operations.md) rather than connect per request.
    env.setdefault("DATABASE_POOL_SIZE", "8")
    prepared = _prepare(env)
    sessions = json.loads(_shell(SESSIONS.replace("[:CLIENTS]", f"[:{CLIENTS}]"), env, "SESSIONS="))
    numbers = _targets(env["DATABASE_URL"], sessions)
    port = free_port()
    server = subprocess.Popen(
        [
            PYTHON, "-m", "uvicorn", "comptoir.asgi:application", "--host", "127.0.0.1",
            "--port", str(port), "--workers", str(WORKERS), "--log-level", "warning",
            "--no-access-log", "--timeout-worker-healthcheck", "120",
        ],
        cwd=ROOT,
        env=env,
    )  # fmt: skip
    try:
        _wait_until_serving(port, sessions[0]["cookie"])

        def burst(seconds: float) -> tuple[dict[str, list[float]], list[str], float]:
            out: dict[str, list[float]] = {}
            errors: list[str] = []
            stop = time.perf_counter() + seconds
            threads = [
                threading.Thread(
                    target=_client,
                    args=(port, s, numbers.get(s["team"], []), stop, out, errors, i),
                )
                for i, s in enumerate(sessions)
            ]
            began = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            return out, errors, time.perf_counter() - began

        burst(10)  # warm-up: templates, translations, connections, both workers
        cpu_before = (_server_cpu(server.pid), _database_cpu(), time.process_time())
        results, errors, took = burst(SECONDS)
        cpu_after = (_server_cpu(server.pid), _database_cpu(), time.process_time())
    finally:
        server.terminate()
        server.wait(timeout=30)
    cpu_per_page = json.loads(
        _shell(CPU_PER_PAGE.replace("QUEUE_PATHS", repr(QUEUE_PATHS)), env, "CPU=")
    )
    everything = [v for values in results.values() for v in values]
    figures: dict[str, Any] = {
        "clients": len(sessions),
        "workers": WORKERS,
        "seconds": round(took, 1),
        "requests": len(everything),
        "requests_per_s": round(len(everything) / took, 1),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:5],
        "load": prepared,
        "loadavg": os.getloadavg(),
        "database_pool_size": env.get("DATABASE_POOL_SIZE"),
    }
    # CPU per request, whatever the load: web workers, PostgreSQL, and this load generator.
    served = max(1, len(everything) + len(errors))
    figures["cpu_ms_per_request"] = {
        "web": round((cpu_after[0] - cpu_before[0]) * 1000 / served, 2),
        "database": (
            round((cpu_after[1] - cpu_before[1]) * 1000 / served, 2)
            if cpu_after[1] is not None and cpu_before[1] is not None
            else None
        ),
        "client": round((cpu_after[2] - cpu_before[2]) * 1000 / served, 2),
    }
    figures["cpu_ms_per_page_single_process"] = cpu_per_page
    met = not errors
    for kind, values in sorted(results.items()):
        p95 = _percentile(values, 0.95)
        figures[kind] = {
            "n": len(values),
            "p50_ms": round(_percentile(values, 0.50) * 1000, 1),
            "p95_ms": round(p95 * 1000, 1),
            "max_ms": round(max(values) * 1000, 1),
        }
        met = met and p95 <= TARGET_P95_S
    figures["target_met"] = met
    return figures


def run() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres") and os.environ.get("REDIS_URL", "").startswith("redis"):
        return _run_on_postgres()
    data = DATA_DIR / f"console-pg-{_key()}"
    data.parent.mkdir(parents=True, exist_ok=True)
    script = (
        "source scripts/services.sh && trap services_stop EXIT && services_start >&2 && "
        f"{PYTHON} -c 'import json, bench.console as b; "
        'print("RESULT=" + json.dumps(b.run()))\''
    )
    env = {**os.environ, "COMPTOIR_PG_DATA": str(data)}
    done = subprocess.run(["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode != 0 or "RESULT=" not in done.stdout:
        sys.stderr.write(done.stderr[-4000:])
        raise RuntimeError("console benchmark failed")
    result: dict[str, Any] = json.loads(done.stdout.split("RESULT=", 1)[1].strip())
    return result
