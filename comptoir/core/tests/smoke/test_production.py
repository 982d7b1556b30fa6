"""The production layout, for real: two uvicorn web nodes (production settings), a Celery worker
(two processes) and Celery beat, on PostgreSQL and Redis, with a local SMTP server.

Proves that a WebSocket event sent through node A reaches a client on node B (Redis channel
layer), that a beat-triggered sweep runs once at a time however often it is delivered (the sweep
lease), and that an e-mail enqueued in the outbox is delivered by the worker over SMTP.

Needs DATABASE_URL (PostgreSQL) and REDIS_URL: scripts/test-postgres.sh --smoke starts both.
It works in its own database (``comptoir_smoke``, migrated with ``manage.py migrate``) and its own
Redis database number, not in pytest-django's test database. Logs: var/test/smoke/*.log."""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from .apps import RUNS_TABLE, SWEEP_NAME
from .conftest import SMOKE_FAILED

DATABASE_URL = os.environ.get("DATABASE_URL", "")
REDIS_URL = os.environ.get("REDIS_URL", "")

pytestmark = [
    pytest.mark.smoke,
    pytest.mark.skipif(
        not (DATABASE_URL.startswith(("postgres://", "postgresql://")) and REDIS_URL),
        reason="needs DATABASE_URL (PostgreSQL) and REDIS_URL (scripts/test-postgres.sh --smoke)",
    ),
]

ROOT = Path(__file__).resolve().parents[4]
LOG_DIR = ROOT / "var" / "test" / "smoke"
BIN = Path(sys.executable).parent
SMOKE_DB = "comptoir_smoke"
SMOKE_REDIS_DB = 3
PRODUCTION = "comptoir.settings.production"
SMOKE_SETTINGS = "comptoir.core.tests.smoke.settings"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(what: str, check: Callable[[], Any], timeout: float, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, parts.fragment))


class Inbox:
    """aiosmtpd handler: keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


@dataclass
class Stack:
    env: dict[str, str]
    database_url: str
    node_a: int
    node_b: int
    inbox: Inbox
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def log(self, name: str) -> str:
        path = LOG_DIR / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def start(self, name: str, args: list[str], settings: str) -> None:
        out = (LOG_DIR / f"{name}.log").open("wb")
        env = {**self.env, "DJANGO_SETTINGS_MODULE": settings}
        self.procs[name] = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
        out.close()

    def alive(self) -> None:
        for name, proc in self.procs.items():
            assert proc.poll() is None, (
                f"{name} exited with {proc.returncode}:\n{self.log(name)[-3000:]}"
            )

    def drive(self, *args: str) -> dict[str, Any]:
        """Runs driver.py with the smoke settings; returns its JSON answer."""
        env = {**self.env, "DJANGO_SETTINGS_MODULE": SMOKE_SETTINGS}
        done = subprocess.run(
            [sys.executable, "-m", "comptoir.core.tests.smoke.driver", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            timeout=45,
            check=False,
        )
        assert done.returncode == 0, done.stderr.decode(errors="replace")[-3000:]
        return json.loads(done.stdout.decode().strip().splitlines()[-1])

    def sql(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.database_url, autocommit=True, connect_timeout=10) as conn:
            cursor = conn.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 15
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                proc.wait(timeout=10)


def create_database(database_url: str) -> str:
    import psycopg

    admin = with_path(database_url, "/postgres")
    with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {SMOKE_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {SMOKE_DB}")
    return with_path(database_url, f"/{SMOKE_DB}")


def http_status(port: int, path: str = "/") -> int | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except OSError:
        return None


@pytest.fixture(scope="module")
def stack(request: pytest.FixtureRequest) -> Iterator[Stack]:
    import redis
    from aiosmtpd.controller import Controller

    LOG_DIR.mkdir(parents=True, exist_ok=True)
    for old in LOG_DIR.glob("*"):
        if old.is_file():
            old.unlink()
    database_url = create_database(DATABASE_URL)
    redis_url = with_path(REDIS_URL, f"/{SMOKE_REDIS_DB}")
    redis.Redis.from_url(redis_url, socket_timeout=5).flushdb()

    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
    env.update(
        {
            "SECRET_KEY": "smoke-" + uuid.uuid4().hex * 2,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp.port),
            "EMAIL_TIMEOUT": "10",
            "DEFAULT_FROM_EMAIL": "Comptoir <no-reply@smoke.test>",
            "COMPTOIR_VAR_DIR": str(LOG_DIR / "var"),
            "PYTHONUNBUFFERED": "1",
            "LOG_LEVEL": "INFO",
        }
    )
    stack = Stack(
        env=env, database_url=database_url, node_a=free_port(), node_b=free_port(), inbox=inbox
    )

    def interrupted(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt  # so that a SIGTERM still runs the teardown that kills the processes

    previous_handler = signal.signal(signal.SIGTERM, interrupted)
    request.addfinalizer(lambda: signal.signal(signal.SIGTERM, previous_handler))
    try:
        migrate = subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": PRODUCTION},
            capture_output=True,
            timeout=90,  # migrations grow with the project; bounded all the same
            check=False,
        )
        (LOG_DIR / "migrate.log").write_bytes(migrate.stdout + migrate.stderr)
        assert migrate.returncode == 0, (migrate.stdout + migrate.stderr).decode(errors="replace")
        stack.sql(
            f"CREATE TABLE {RUNS_TABLE} (run_key text PRIMARY KEY, pid integer NOT NULL,"
            " started_at timestamptz NOT NULL, finished_at timestamptz NOT NULL)"
        )
        for name, port in (("node-a", stack.node_a), ("node-b", stack.node_b)):
            stack.start(
                name,
                [
                    str(BIN / "uvicorn"),
                    "comptoir.asgi:application",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--lifespan",
                    "off",
                ],
                PRODUCTION,
            )
        stack.start(
            "worker",
            [
                str(BIN / "celery"),
                "-A",
                "comptoir",
                "worker",
                "-l",
                "info",
                "--concurrency=2",
                "--pool=prefork",
                "-n",
                "smoke@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            SMOKE_SETTINGS,
        )
        stack.start(
            "beat",
            [
                str(BIN / "celery"),
                "-A",
                "comptoir",
                "beat",
                "-l",
                "info",
                "--max-interval",
                "1",
                "-s",
                str(LOG_DIR / "beat-schedule"),
            ],
            SMOKE_SETTINGS,
        )

        def ready() -> bool:
            stack.alive()
            return (
                http_status(stack.node_a) is not None
                and http_status(stack.node_b) is not None
                and " ready." in stack.log("worker")
            )

        wait_for("both web nodes and the worker", ready, timeout=45)
    except BaseException:
        stack.stop()
        smtp.stop()
        dump_logs(request, stack)
        raise
    try:
        yield stack
    finally:
        stack.stop()
        smtp.stop()
        if request.session.stash.get(SMOKE_FAILED, []):
            dump_logs(request, stack)


def dump_logs(request: pytest.FixtureRequest, stack: Stack) -> None:
    """Prints the processes' logs to the terminal (past pytest's capture)."""
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        for name in ["migrate", "node-a", "node-b", "worker", "beat"]:
            print(f"\n---- var/test/smoke/{name}.log (last 6000 chars) ----")
            print(stack.log(name)[-6000:])


def test_both_nodes_serve_pages_with_production_settings(stack: Stack) -> None:
    assert http_status(stack.node_a, "/") == 200
    assert http_status(stack.node_b, "/") == 200


def test_websocket_event_sent_through_node_a_reaches_client_on_node_b(stack: Stack) -> None:
    from websockets.sync.client import connect

    user, stranger = f"ws-{uuid.uuid4().hex[:8]}@smoke.test", f"x-{uuid.uuid4().hex[:8]}@smoke.test"
    cookies = stack.drive("login", user, stranger)["cookies"]

    def open_socket(port: int, cookie: str) -> Any:
        return connect(
            f"ws://127.0.0.1:{port}/ws/events/",
            additional_headers={
                "Cookie": f"sessionid={cookie}",
                "Origin": f"http://127.0.0.1:{port}",
            },
            open_timeout=10,
            close_timeout=2,
        )

    with (
        open_socket(stack.node_a, cookies[user]) as on_a,
        open_socket(stack.node_b, cookies[user]) as on_b,
        open_socket(stack.node_b, cookies[stranger]) as other_user,
    ):
        # The socket on B has joined its group once it answers a ping.
        on_b.send(json.dumps({"type": "ping"}))
        assert json.loads(on_b.recv(timeout=10)) == {"type": "pong"}
        other_user.send(json.dumps({"type": "ping"}))
        assert json.loads(other_user.recv(timeout=10)) == {"type": "pong"}

        nonce = uuid.uuid4().hex
        on_a.send(json.dumps({"type": "ping-all", "nonce": nonce}))
        assert json.loads(on_b.recv(timeout=10)) == {"type": "pong-all", "nonce": nonce}
        assert json.loads(on_a.recv(timeout=10)) == {"type": "pong-all", "nonce": nonce}
        # Another user's socket gets nothing.
        with pytest.raises(TimeoutError):
            other_user.recv(timeout=1)


def sweep_runs(stack: Stack) -> list[tuple[Any, ...]]:
    return stack.sql(
        f"SELECT run_key, pid, started_at, finished_at FROM {RUNS_TABLE} ORDER BY started_at"
    )


def test_beat_triggered_sweep_runs_once_at_a_time(stack: Stack) -> None:
    # Beat sends smoke.tick every 2 s; wait for two runs it triggered.
    wait_for(
        "two beat-triggered runs of the smoke sweep",
        lambda: len(sweep_runs(stack)) >= 2,
        timeout=30,
    )
    assert f"Sending due task sweep:{SWEEP_NAME}" in stack.log("beat")
    # Duplicate deliveries on both worker processes at once: the lease lets one run, the others skip.
    stack.drive("burst", SWEEP_NAME, "4")
    skipped = re.compile(r"'name': '" + re.escape(SWEEP_NAME) + r"', 'handled': 0, 'skipped': True")
    wait_for(
        "a skipped duplicate delivery", lambda: skipped.search(stack.log("worker")), timeout=30
    )
    stack.alive()

    # Read the worker's log first, then the rows: a run inserts its row before the worker logs it.
    ran = re.findall(
        r"'name': '" + re.escape(SWEEP_NAME) + r"', 'handled': 1, 'skipped': False",
        stack.log("worker"),
    )
    runs = sweep_runs(stack)
    assert len(runs) >= 2
    assert len({run[0] for run in runs}) == len(runs)
    for before, after in zip(runs, runs[1:], strict=False):
        assert after[2] >= before[3], f"two runs of {SWEEP_NAME} overlapped: {before} and {after}"
    # Each run the worker reports wrote exactly one row; at most one more may be in flight.
    assert 0 <= len(runs) - len(ran) <= 1, (len(runs), len(ran))


def test_outbox_email_is_delivered_by_the_worker_over_smtp(stack: Stack) -> None:
    to = f"buyer-{uuid.uuid4().hex[:8]}@smoke.test"
    subject = "Votre litige a été ouvert"
    body = "Bonjour,\nvotre demande n° 42 est enregistrée.\n"
    outbox_id = stack.drive("email", to, subject, body)["outbox_id"]

    received = wait_for(
        "the e-mail at the SMTP server",
        lambda: [m for rcpt, m in stack.inbox.messages if to in rcpt],
        timeout=30,
    )
    assert len(received) == 1
    message = received[0]
    assert message["To"] == to
    assert message["Subject"] == subject
    assert message["From"] == "Comptoir <no-reply@smoke.test>"
    assert message.get_content().replace("\r\n", "\n") == body
    # Sent by the worker, triggered after commit (not by the web process or the driver).
    assert "comptoir.core.tasks.drain_outbox_task" in stack.log("worker")
    state = wait_for(
        "the outbox row marked sent",
        lambda: stack.sql(
            "SELECT state, attempts FROM core_outboxmessage WHERE id = %s AND state = 'sent'",
            (outbox_id,),
        ),
        timeout=10,
    )
    assert state == [("sent", 1)]
