"""``python -m bench email_ingest``: parse and ingest the fixture corpus (each mail with a fresh
Message-ID) through the full path (raw storage, parser, uploads, intake, acknowledgement through
the outbox) in one worker; then one 20 MB mail with attachments, measuring peak Python memory.

Target (issue 11): ≥ 100 mails/s per worker on PostgreSQL; the 20 MB mail with bounded memory.
Each phase is timed in wall and CPU time (``ms_per_mail``, ``cpu_ms_per_mail``): raw storage,
parsing, the intake service of tickets (acknowledgement excluded), the acknowledgement, and its
delivery by the outbox after commit (inline here, as in the embedded default; a Celery worker's
job in production). ``email_channel_*`` is everything but the intake service. The machine's
load average is printed with the figures: wall time on a shared machine means little without it.
Runs against DATABASE_URL (run it under ``bash scripts/services.sh --`` for PostgreSQL); without
it, a throwaway SQLite file. Not part of ``make test``. BENCH_MAILS overrides the count."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
MAILS = int(os.environ.get("BENCH_MAILS", "1000"))

SCRIPT = r"""
import base64, io, json, os, sys, time, tracemalloc, uuid
from pathlib import Path
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from comptoir.taxonomy.seeders import taxonomy_seed
from comptoir.tickets.seeders import _calendar, _policies
from comptoir.intake.email.services import raw_mail_receive
from comptoir.intake.email.models import RawMail
taxonomy_seed(); _policies(_calendar())
fixtures = sorted(Path("comptoir/intake/email/tests/fixtures").glob("*.eml"))
corpus = [p.read_bytes() for p in fixtures]
count = int(sys.argv[1])
mails = []
for n in range(count + 5):
    data = corpus[n % len(corpus)]
    mid = f"<bench-{uuid.uuid4().hex}@bench.example>".encode()
    head, sep, body = data.partition(b"\n\n")
    lines = [l for l in head.split(b"\n") if not l.lower().startswith(b"message-id:")]
    mails.append(b"\n".join([b"Message-ID: " + mid, *lines]) + sep + body)
# Phase timers: the intake service (owned by tickets) is measured apart from the e-mail
# channel's own work (storage, parsing, attachments, acknowledgement, its delivery after commit).
import dataclasses
import comptoir.core.outbox.services as outbox_services
import comptoir.intake.email.services as email_services
from comptoir.tickets.outbound import outbound_channels
spent = {"store": 0.0, "parse": 0.0, "intake_service": 0.0, "ack": 0.0, "ack_delivery": 0.0}
spent_cpu = dict(spent)  # CPU time of this process: less blurred by a busy machine than wall time
def timed(name, fn):
    def wrapper(*args, **kwargs):
        t, c = time.perf_counter(), time.thread_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - t
            spent_cpu[name] += time.thread_time() - c
    return wrapper
email_services.raw_mail_store = timed("store", email_services.raw_mail_store)
email_services.parse_file = timed("parse", email_services.parse_file)
email_services.intake_receive = timed("intake_service", email_services.intake_receive)
channel = outbound_channels.get("email")
outbound_channels.register("email", dataclasses.replace(channel, acknowledge=timed("ack", channel.acknowledge)), replace=True)
outbox_services.on_enqueue_hooks[:] = [timed("ack_delivery", h) for h in outbox_services.on_enqueue_hooks]
for data in mails[:5]:  # warm-up (imports, caches), not counted
    raw_mail_receive(data=data, source="warmup", envelope_to=["support@comptoir.localhost"])
mails = mails[5:]
count = len(mails)
for key in spent:
    spent[key] = spent_cpu[key] = 0.0
start, cpu_start = time.perf_counter(), time.process_time()
for data in mails:
    raw_mail_receive(data=data, source="bench", envelope_to=["support@comptoir.localhost"])
took = time.perf_counter() - start
cpu = time.process_time() - cpu_start
# intake_receive calls the acknowledgement inside: the intake service alone excludes it.
intake_only = spent["intake_service"] - spent["ack"]
email_part = took - intake_only
statuses = {}
for s in RawMail.objects.filter(source="bench").values_list("status", flat=True):
    statuses[s] = statuses.get(s, 0) + 1
pdf = b"%PDF-1.4\n" + os.urandom(4 * 1024 * 1024) + b"\n%%EOF\n"
parts = []
for i in range(4):
    parts.append(
        "--B\nContent-Type: application/pdf; name=\"scan%d.pdf\"\nContent-Disposition: attachment; filename=\"scan%d.pdf\"\nContent-Transfer-Encoding: base64\n\n" % (i, i)
        + "\n".join(base64.encodebytes(pdf).decode().split("\n"))
    )
big = ("Message-ID: <big-%s@bench.example>\nFrom: Big Sender <big@example.org>\nTo: support@comptoir.localhost\nSubject: Scans\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"B\"\n\n--B\nContent-Type: text/plain; charset=utf-8\n\nVoici les scans.\n" % uuid.uuid4().hex + "\n".join(parts) + "\n--B--\n").encode()
tracemalloc.start()
t0 = time.perf_counter()
result = raw_mail_receive(data=big, source="bench-big", envelope_to=["support@comptoir.localhost"])
big_took = time.perf_counter() - t0
_current, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
raw = RawMail.objects.get(pk=result.raw.pk)
print("RESULT=" + json.dumps({
    "database": django.db.connection.vendor,
    "mails": count,
    "mails_per_second": round(count / took, 1),
    "mails_per_cpu_second": round(count / cpu, 1),
    "load_average": [round(x, 2) for x in os.getloadavg()],
    "ms_per_mail": {k: round(v * 1000 / count, 2) for k, v in {**spent, "intake_service": intake_only, "total": took}.items()},
    "cpu_ms_per_mail": {k: round(v * 1000 / count, 2) for k, v in {**spent_cpu, "intake_service": spent_cpu["intake_service"] - spent_cpu["ack"], "total": cpu}.items()},
    "email_channel_mails_per_second": round(count / email_part, 1),
    "email_channel_mails_per_cpu_second": round(count / (cpu - spent_cpu["intake_service"] + spent_cpu["ack"]), 1),
    "intake_service_mails_per_second": round(count / intake_only, 1),
    "statuses": statuses,
    "big_mail_mb": round(len(big) / 1e6, 1),
    "big_mail_status": raw.status + (":" + raw.reason if raw.reason else ""),
    "big_mail_seconds": round(big_took, 2),
    "big_mail_peak_python_mb": round(peak / 1e6, 1),
}))
"""


def run() -> dict[str, Any]:
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        env.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings.embedded")
        if not env.get("DATABASE_URL"):
            env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        env["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
        env["MEDIA_ROOT"] = f"{tmp}/media"
        env["COMPTOIR_VAR_DIR"] = tmp
        out = subprocess.run(
            [PYTHON, "-c", SCRIPT, str(MAILS)],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
        )
    for line in out.stdout.splitlines():
        if line.startswith("RESULT="):
            import json

            return dict(json.loads(line[len("RESULT=") :]))
    sys.stderr.write(out.stdout[-3000:] + out.stderr[-5000:])
    raise RuntimeError("email_ingest benchmark failed")
