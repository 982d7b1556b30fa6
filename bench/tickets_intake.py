"""``python -m bench tickets_intake``: POST /api/v1/tickets over HTTP, the full intake path
(contact, language, order numbers, node prediction, routing, SLA, search index, acknowledgement
through the outbox), 16 clients for 60 s against 2 uvicorn workers on PostgreSQL.

Targets (issue 5): ≥ 200 tickets/s, p95 ≤ 150 ms. Uses DATABASE_URL/REDIS_URL when they point at
PostgreSQL and Redis; otherwise starts throwaway ones with scripts/services.sh. Not part of
``make test``. BENCH_SECONDS / BENCH_CLIENTS override the duration and the client count."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "16"))
WORKERS = 2

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

TEXTS = [
    ("fr", "Bonjour, mon colis n'est jamais arrivé, le suivi est bloqué depuis dix jours."),
    ("en", "Hello, the item arrived damaged and the box was crushed. What can I do?"),
    ("fr", "J'ai été débité deux fois pour la même commande, merci de vérifier."),
    ("en", "I still have not received my refund for the return I sent last month."),
    ("fr", "Je n'arrive plus à me connecter, le code de vérification n'arrive pas."),
    ("en", "Where is my parcel? The tracking has not been updated for a week."),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="comptoir.settings.production",
        SECRET_KEY=env.get("SECRET_KEY", "bench-" + "x" * 50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_COOKIES="false",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    return env


def _client(port: int, token: str, stop: float, latencies: list[float], errors: list[str]) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    n = 0
    while time.perf_counter() < stop:
        _lang, text = TEXTS[n % len(TEXTS)]
        body = json.dumps({"subject": "", "text": f"{text} (#{n})"})
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Idempotency-Key": uuid.uuid4().hex,
        }
        start = time.perf_counter()
        try:
            conn.request("POST", "/api/v1/tickets", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 201:
                errors.append(str(response.status))
            else:
                latencies.append(time.perf_counter() - start)
        except Exception as exc:
            errors.append(type(exc).__name__)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        n += 1
    conn.close()


def _run_on_postgres() -> dict[str, Any]:
    env = _env()
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
    port = _free_port()
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
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        # Warm-up: every worker loads the language detector and the node codes.
        warm: list[float] = []
        errors: list[str] = []
        threads = [
            threading.Thread(target=_client, args=(port, t, time.perf_counter() + 5, warm, errors))
            for t in tokens
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        latencies: list[float] = []
        errors = []
        stop = time.perf_counter() + SECONDS
        threads = [
            threading.Thread(target=_client, args=(port, t, stop, latencies, errors))
            for t in tokens
        ]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.perf_counter() - began
    finally:
        server.terminate()
        server.wait(timeout=30)
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1] if latencies else float("nan")
    p50 = latencies[len(latencies) // 2] if latencies else float("nan")
    rate = len(latencies) / took
    return {
        "clients": len(tokens),
        "workers": WORKERS,
        "seconds": round(took, 1),
        "tickets": len(latencies),
        "errors": len(errors),
        "tickets_per_s": round(rate, 1),
        "p50_ms": round(p50 * 1000, 1),
        "p95_ms": round(p95 * 1000, 1),
        "target_met": rate >= 200 and p95 <= 0.150 and not errors,
    }


def run() -> dict[str, Any]:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres") and os.environ.get("REDIS_URL", "").startswith("redis"):
        return _run_on_postgres()
    script = (
        "source scripts/services.sh && trap services_stop EXIT && services_start >&2 && "
        f"{PYTHON} -c 'import json, bench.tickets_intake as b; "
        'print("RESULT=" + json.dumps(b.run()))\''
    )
    done = subprocess.run(["bash", "-c", script], cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0 or "RESULT=" not in done.stdout:
        sys.stderr.write(done.stderr[-4000:])
        raise RuntimeError("tickets_intake benchmark failed")
    result: dict[str, Any] = json.loads(done.stdout.split("RESULT=", 1)[1].strip())
    return result
