"""``python -m bench email_ingest``: parse and ingest the fixture corpus (each mail with a fresh
Message-ID) through the full path (raw storage, parser, uploads, threading lookups, intake,
acknowledgement row in the outbox, its delivery after commit) in one worker; then single big
mails with attachments (5, 20 and 40 MB), measuring peak memory.

Targets (issue 11): ≥ 100 mails/s per worker on PostgreSQL; a 20 MB mail with bounded memory.

Throughput: one warm-up pass over the whole corpus first (every fixture once: imports, template
and regex caches, the node classifier), then ``BENCH_MAILS`` mails. Each phase is timed in wall
and CPU time of this process (``ms_per_mail``, ``cpu_ms_per_mail``): ``store`` (raw storage,
committed), ``parse``, ``uploads``, ``hints`` (threading lookups), ``intake_service`` (tickets'
intake, the acknowledgement excluded), ``ack`` (the acknowledgement: loop protection, rendering,
its outbox row), ``ack_delivery`` (the outbox handler after commit: inline here as in the
embedded default, a Celery worker's job in production), ``finish`` (the outcome on the raw mail).
``email_side`` = everything but the intake service; ``email_side_without_delivery`` leaves the
outbox delivery out too. CPU time is this process only: the database server's own CPU is not in
it. The load average is printed with the figures: wall time on a shared machine means little
without it.

Memory: each big mail is ingested in a fresh process (``raw_mail_receive`` from bytes already in
memory, as the SMTP listener has them), with tracemalloc's peak (Python allocations) and the
growth of the peak RSS (``VmHWM`` after ``/proc/self/clear_refs``). Attachments are 3 MB PDFs
(4 MB once base64-encoded): the largest single part is the same at every size. A small mail
is ingested first in that process (imports, language and node models) and not measured.

Runs against DATABASE_URL (run it under ``bash scripts/services.sh --`` for PostgreSQL); without
it, a throwaway SQLite file. Not part of ``make test``. BENCH_MAILS overrides the count,
BENCH_BIG_MB the big-mail sizes (comma-separated)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
MAILS = int(os.environ.get("BENCH_MAILS", "1000"))
BIG_MB = [int(x) for x in os.environ.get("BENCH_BIG_MB", "5,20,40").split(",") if x.strip()]

SCRIPT = r"""
import dataclasses, functools, json, os, sys, time, uuid
from pathlib import Path
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from comptoir.taxonomy.seeders import taxonomy_seed
from comptoir.tickets.seeders import _calendar, _policies
taxonomy_seed(); _policies(_calendar())
import comptoir.core.outbox.services as outbox_services
import comptoir.intake.email.services as email_services
from comptoir.intake.email.models import RawMail
from comptoir.tickets.outbound import outbound_channels

fixtures = sorted(Path("comptoir/intake/email/tests/fixtures").glob("*.eml"))
corpus = [p.read_bytes() for p in fixtures]
count = int(sys.argv[1])

def fresh(n, tag):
    data = corpus[n % len(corpus)]
    mid = f"<{tag}-{uuid.uuid4().hex}@bench.example>".encode()
    head, sep, body = data.partition(b"\n\n")
    lines = [l for l in head.split(b"\n") if not l.lower().startswith(b"message-id:")]
    return b"\n".join([b"Message-ID: " + mid, *lines]) + sep + body

spent = {k: 0.0 for k in ("store", "parse", "uploads", "hints", "intake_service", "ack", "ack_delivery", "finish")}
spent_cpu = dict(spent)
def timed(name, fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        t, c = time.perf_counter(), time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[name] += time.perf_counter() - t
            spent_cpu[name] += time.process_time() - c
    return wrapper
for name, attr in (("store", "raw_mail_store"), ("parse", "parse_file"), ("uploads", "_uploads"),
                   ("hints", "thread_hints"), ("intake_service", "intake_receive"), ("finish", "_finish")):
    setattr(email_services, attr, timed(name, getattr(email_services, attr)))
channel = outbound_channels.get("email")
outbound_channels.register("email", dataclasses.replace(channel, acknowledge=timed("ack", channel.acknowledge)), replace=True)
outbox_services.on_enqueue_hooks[:] = [timed("ack_delivery", h) for h in outbox_services.on_enqueue_hooks]

for n in range(len(corpus)):  # warm-up: every fixture once, not counted
    email_services.raw_mail_receive(data=fresh(n, "warm"), source="warmup", envelope_to=["support@comptoir.localhost"])
mails = [fresh(n, "bench") for n in range(count)]
for key in spent:
    spent[key] = spent_cpu[key] = 0.0
start, cpu_start = time.perf_counter(), time.process_time()
for data in mails:
    email_services.raw_mail_receive(data=data, source="bench", envelope_to=["support@comptoir.localhost"])
took = time.perf_counter() - start
cpu = time.process_time() - cpu_start
load = [round(x, 2) for x in os.getloadavg()]
# The acknowledgement runs inside the intake service: the service alone excludes it.
intake = {"wall": spent["intake_service"] - spent["ack"], "cpu": spent_cpu["intake_service"] - spent_cpu["ack"]}
email = {"wall": took - intake["wall"], "cpu": cpu - intake["cpu"]}
statuses = {}
for s in RawMail.objects.filter(source="bench").values_list("status", flat=True):
    statuses[s] = statuses.get(s, 0) + 1
ms = lambda v: round(v * 1000 / count, 2)
per_s = lambda v: round(count / v, 1) if v > 0 else None
print("RESULT=" + json.dumps({
    "database": django.db.connection.vendor,
    "mails": count,
    "load_average": load,
    "mails_per_second": per_s(took),
    "mails_per_cpu_second": per_s(cpu),
    "email_side_mails_per_second": per_s(email["wall"]),
    "email_side_mails_per_cpu_second": per_s(email["cpu"]),
    "intake_side_mails_per_second": per_s(intake["wall"]),
    "intake_side_mails_per_cpu_second": per_s(intake["cpu"]),
    "ms_per_mail": {**{k: ms(v) for k, v in spent.items()}, "intake_service": ms(intake["wall"]),
                    "email_side": ms(email["wall"]), "email_side_without_delivery": ms(email["wall"] - spent["ack_delivery"]), "total": ms(took)},
    "cpu_ms_per_mail": {**{k: ms(v) for k, v in spent_cpu.items()}, "intake_service": ms(intake["cpu"]),
                        "email_side": ms(email["cpu"]), "email_side_without_delivery": ms(email["cpu"] - spent_cpu["ack_delivery"]), "total": ms(cpu)},
    "statuses": statuses,
}))
"""

BIG = r"""
import base64, json, os, sys, time, tracemalloc, uuid
import django
django.setup()
from comptoir.intake.email.models import RawMail
from comptoir.intake.email.services import raw_mail_receive
from pathlib import Path
mb = int(sys.argv[1])
# Warm-up with a small mail (imports, the language and node models) before measuring.
small = sorted(Path("comptoir/intake/email/tests/fixtures").glob("*.eml"))[0].read_bytes()
small = b"Message-ID: <warm-%s@bench.example>\n" % uuid.uuid4().hex.encode() + b"\n".join(
    l for l in small.split(b"\n") if not l.lower().startswith(b"message-id:"))
raw_mail_receive(data=small, source="warmup", envelope_to=["support@comptoir.localhost"])
PART = 3 * 1024 * 1024
encoded_part = 4 * PART // 3
parts = max(1, round(mb * 1_000_000 / encoded_part))
pdf = b"%PDF-1.4\n" + os.urandom(PART - 16) + b"\n%%EOF\n"
body = base64.encodebytes(pdf).decode()
chunks = ["Message-ID: <big-%s@bench.example>\nFrom: Big Sender <big@example.org>\nTo: support@comptoir.localhost\nSubject: Scans\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"B\"\n\n--B\nContent-Type: text/plain; charset=utf-8\n\nVoici les scans.\n" % uuid.uuid4().hex]
for i in range(parts):
    chunks.append("--B\nContent-Type: application/pdf; name=\"scan%d.pdf\"\nContent-Disposition: attachment; filename=\"scan%d.pdf\"\nContent-Transfer-Encoding: base64\n\n%s" % (i, i, body))
chunks.append("--B--\n")
big = "".join(chunks).encode()
del chunks, body, pdf

def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset the peak RSS to the current RSS
rss_before = status("VmRSS")
tracemalloc.start()
t0, c0 = time.perf_counter(), time.process_time()
result = raw_mail_receive(data=big, source="bench-big", envelope_to=["support@comptoir.localhost"])
took, cpu = time.perf_counter() - t0, time.process_time() - c0
_current, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
rss_peak = status("VmHWM")
raw = RawMail.objects.get(pk=result.raw.pk)
print("RESULT=" + json.dumps({
    "mail_mb": round(len(big) / 1e6, 1),
    "attachments": parts,
    "largest_part_encoded_mb": round(len(base64.encodebytes(b"x" * PART)) / 1e6, 1),
    "status": raw.status + (":" + raw.reason if raw.reason else ""),
    "seconds": round(took, 2),
    "cpu_seconds": round(cpu, 2),
    "peak_python_mb": round(peak / 1e6, 1),
    "peak_rss_growth_mb": round((rss_peak - rss_before) / 1e6, 1),
    "peak_python_per_mail_size": round(peak / len(big), 2),
    "load_average": [round(x, 2) for x in os.getloadavg()],
}))
"""


def _result(out: subprocess.CompletedProcess[str], what: str) -> dict[str, Any]:
    for line in out.stdout.splitlines():
        if line.startswith("RESULT="):
            return dict(json.loads(line[len("RESULT=") :]))
    sys.stderr.write(out.stdout[-3000:] + out.stderr[-5000:])
    raise RuntimeError(f"email_ingest benchmark failed ({what})")


def run() -> dict[str, Any]:
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as tmp:
        env.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings.embedded")
        if not env.get("DATABASE_URL"):
            env["DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
        env["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
        env["MEDIA_ROOT"] = f"{tmp}/media"
        env["COMPTOIR_VAR_DIR"] = tmp

        def python(script: str, arg: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [PYTHON, "-c", script, arg],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=1800,
            )

        results = _result(python(SCRIPT, str(MAILS)), "throughput")
        results["big_mails"] = [_result(python(BIG, str(mb)), f"{mb} MB mail") for mb in BIG_MB]
    return results
