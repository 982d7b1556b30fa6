"""``python -m bench ledger_release``: the release sweep over 100,000 due orders of 1–5 lines
(plus shipping), on SQLite and on PostgreSQL; ten of the 50 shops owe the platform advanced
return postage, which the release nets before crediting them (``debts_left_minor`` must be 0).

Each backend runs in a child process on a throwaway test database: the orders, lines, escrow
holds, accounts and capture entries are written set-based (as the capture hook would have
written them), then ``escrow_release_due`` is timed and ``ledger_check`` must be ok. PostgreSQL
uses DATABASE_URL when it points at PostgreSQL, otherwise scripts/services.sh starts one.
BENCH_ORDERS overrides the count. Not part of ``make test``. Target (issue 4): ≥ 2,000 orders/s on
PostgreSQL on the 2-core machine. Each order's holds are written contiguously (its lines, then
its shipping), as the capture does. Diagnostics: BENCH_PROFILE=path dumps a cProfile of the
release (path.<backend>); BENCH_QUERY_TIMES=1 prints seconds per statement shape on stderr (run
the child directly to see it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = str(ROOT / ".venv" / "bin" / "python")
ORDERS = int(os.environ.get("BENCH_ORDERS", "100000"))

CHILD = r"""
import datetime as dt, json, random, sys, time
import django
django.setup()
from django.db import connection, transaction
from django.test.utils import setup_test_environment
connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
try:
    from comptoir.accounts.models import Shop, User
    from comptoir.catalog.models import Product
    from comptoir.core import clock
    from comptoir.core.money import Money
    from comptoir.core.order_numbers import luhn_check_digit
    from comptoir.ledger.check import ledger_check
    from comptoir.ledger.enums import AccountKind, HoldKind
    from comptoir.ledger.models import Account, EscrowHold, JournalEntry, Posting
    from comptoir.ledger.services.escrow import escrow_release_due, release_due_at_for
    from comptoir.orders.models import Order, OrderLine
    n_orders = int(sys.argv[1])
    rng = random.Random(4)
    now = clock.now()
    delivered = now - dt.timedelta(days=70)
    t0 = time.perf_counter()
    buyer = User.objects.create_user("bench-buyer@example.org", password=None)
    shops = Shop.objects.bulk_create([Shop(slug=f"bench-{i}", name=f"Bench {i}") for i in range(50)])
    products = Product.objects.bulk_create([
        Product(shop=s, title_fr="Article", title_en="Item", price_minor=1000, price_currency="EUR",
                shipping_minor=0) for s in shops])
    clearing = Account.objects.create(key="provider_clearing:EUR", kind=AccountKind.PROVIDER_CLEARING, currency="EUR")
    due_at = release_due_at_for(delivered_at=delivered, promised_delivery_date=None)  # as capture + delivery hook
    B = 5000
    for start in range(0, n_orders, B):
        size = min(B, n_orders - start)
        specs = []
        for i in range(start, start + size):
            prices = [rng.randint(100, 20000) for _ in range(rng.randint(1, 5))]
            shipping = rng.choice([0, 199, 490, 990])
            body = "9" + f"{i:014d}"
            specs.append((body + luhn_check_digit(body), shops[i % 50], prices, shipping))
        with transaction.atomic():
            orders = Order.objects.bulk_create([
                Order(number=num, buyer=buyer, shop=shop, status="delivered", payment_status="captured",
                      currency="EUR", subtotal_minor=sum(p), shipping_minor=s, total_minor=sum(p) + s,
                      ship_name="B", ship_line1="1 rue", ship_postal_code="75001", ship_city="Paris",
                      ship_country="FR", paid_at=delivered, shipped_at=delivered, delivered_at=delivered,
                      created_at=delivered, updated_at=delivered)
                for num, shop, p, s in specs])
            lines = OrderLine.objects.bulk_create([
                OrderLine(order=o, product=products[k % 50], position=j, title_fr="A", title_en="I",
                          unit_price_minor=price, quantity=1, line_total_minor=price)
                for k, (o, (_n, _s, p, _sh)) in enumerate(zip(orders, specs)) for j, price in enumerate(p)])
            escrows = Account.objects.bulk_create([
                Account(key=f"escrow:order:{o.pk}", kind=AccountKind.ESCROW, currency="EUR", order=o,
                        shop_id=o.shop_id, balance_minor=o.total_minor) for o in orders])
            lines_of = {}
            for l in lines:
                lines_of.setdefault(l.order_id, []).append(l)
            holds = []  # per order, its lines then its shipping, as escrow_capture writes them
            for o in orders:
                holds += [EscrowHold(order_id=o.pk, order_line_id=l.pk, shop_id=o.shop_id, kind=HoldKind.LINE,
                                     currency="EUR", amount_minor=l.line_total_minor, release_due_at=due_at)
                          for l in lines_of[o.pk]]
                if o.shipping_minor:
                    holds.append(EscrowHold(order_id=o.pk, shop_id=o.shop_id, kind=HoldKind.SHIPPING, currency="EUR",
                                            amount_minor=o.shipping_minor, release_due_at=due_at))
            holds = EscrowHold.objects.bulk_create(holds, batch_size=2000)
            entries = JournalEntry.objects.bulk_create([
                JournalEntry(kind="capture", idempotency_key=f"capture:checkout:{o.number}", order=o, shop_id=o.shop_id)
                for o in orders])
            entry_of = {e.order_id: e for e in entries}
            escrow_of = {a.order_id: a for a in escrows}
            postings = [Posting(entry=entry_of[o.pk], account=clearing, amount_minor=-o.total_minor, currency="EUR") for o in orders]
            postings += [Posting(entry=entry_of[h.order_id], account=escrow_of[h.order_id], amount_minor=h.amount_minor,
                                 currency="EUR", hold_id=h.pk) for h in holds]
            Posting.objects.bulk_create(postings, batch_size=5000)
            total = sum(o.total_minor for o in orders)
            Account.objects.filter(pk=clearing.pk).update(balance_minor=clearing.balance_minor - total)
            clearing.balance_minor -= total
    # Ten shops owe the platform 25.00 each (return postage it advanced): the release nets it.
    debt_entry = JournalEntry.objects.create(kind="refund", idempotency_key="bench:advanced-postage")
    receivables = Account.objects.bulk_create([
        Account(key=f"seller_receivable:shop:{s.pk}:EUR", kind=AccountKind.SELLER_RECEIVABLE, currency="EUR",
                shop=s, balance_minor=-2500) for s in shops[:10]])
    Posting.objects.bulk_create(
        [Posting(entry=debt_entry, account=a, amount_minor=-2500, currency="EUR") for a in receivables]
        + [Posting(entry=debt_entry, account=clearing, amount_minor=2500 * len(receivables), currency="EUR")])
    Account.objects.filter(pk=clearing.pk).update(balance_minor=clearing.balance_minor + 2500 * len(receivables))
    # A live database has planner statistics (autovacuum keeps them); a freshly bulk-loaded one
    # has none until analysed, and the planner then guesses one row per table.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    built = time.perf_counter() - t0
    n_holds = EscrowHold.objects.count()
    import cProfile, os
    profiler = cProfile.Profile() if os.environ.get("BENCH_PROFILE") else None
    t1 = time.perf_counter()
    timings = {}

    def timed(execute, sql, params, many, context):  # BENCH_QUERY_TIMES: seconds per statement shape
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            shape = " ".join(sql.split())[:90]
            n, t = timings.get(shape, (0, 0.0))
            timings[shape] = (n + 1, t + time.perf_counter() - start)

    import contextlib
    wrapper = connection.execute_wrapper(timed) if os.environ.get("BENCH_QUERY_TIMES") else contextlib.nullcontext()
    if profiler:
        profiler.enable()
    with wrapper:
        released = escrow_release_due(now=now)
    took = time.perf_counter() - t1
    if profiler:
        profiler.disable()
        profiler.dump_stats(os.environ["BENCH_PROFILE"] + "." + connection.vendor)
    for shape, (n, t) in sorted(timings.items(), key=lambda kv: -kv[1][1])[:25]:
        print(f"{t:8.2f}s {n:6d}x  {shape}", file=sys.stderr)
    t2 = time.perf_counter()
    report = ledger_check()
    check_s = time.perf_counter() - t2
    again = escrow_release_due(now=now)
    print("RESULT=" + json.dumps({
        "backend": connection.vendor, "orders": n_orders, "holds": n_holds, "released_holds": released,
        "release_s": round(took, 2), "orders_per_s": round(n_orders / took), "holds_per_s": round(released / took),
        "rerun_released": again, "debts_left_minor": -sum(Account.objects.filter(kind=AccountKind.SELLER_RECEIVABLE).values_list("balance_minor", flat=True)), "release_entries": JournalEntry.objects.filter(kind="release").count(), "ledger_check_ok": report.ok, "ledger_check_s": round(check_s, 1),
        "setup_s": round(built, 1)}))
finally:
    connection.creation.destroy_test_db(connection.settings_dict["NAME"], verbosity=0)
"""


def _child(env: dict[str, str]) -> dict[str, Any]:
    proc = subprocess.run(
        [PYTHON, "-c", CHILD, str(ORDERS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT="):
            return dict(json.loads(line[7:]))
    return {"error": (proc.stderr or proc.stdout)[-2000:]}


def run() -> dict[str, Any]:
    base = dict(os.environ)
    base.update(DJANGO_SETTINGS_MODULE="comptoir.settings.test", LOG_LEVEL="WARNING")
    results: dict[str, Any] = {}
    sqlite_env = {k: v for k, v in base.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    results["sqlite"] = _child(sqlite_env)
    if base.get("DATABASE_URL", "").startswith("postgres"):
        results["postgresql"] = _child(base)
    else:
        proc = subprocess.run(
            ["bash", "scripts/services.sh", "--", PYTHON, "-m", "bench", "ledger_release"],
            cwd=ROOT,
            env={**sqlite_env, "BENCH_LEDGER_PG_ONLY": "1"},
            capture_output=True,
            text=True,
            check=False,
        )
        found = [line for line in proc.stdout.splitlines() if line.startswith("ledger_release: ")]
        if found:
            inner = json.loads(found[-1].split(": ", 1)[1].rsplit(" (", 1)[0])
            results["postgresql"] = inner.get("postgresql", inner)
        else:
            results["postgresql"] = {"error": proc.stderr[-2000:]}
    return results


if os.environ.get("BENCH_LEDGER_PG_ONLY"):

    def run() -> dict[str, Any]:  # type: ignore[no-redef]
        env = dict(os.environ)
        env.update(DJANGO_SETTINGS_MODULE="comptoir.settings.test", LOG_LEVEL="WARNING")
        env.pop("BENCH_LEDGER_PG_ONLY", None)
        return {"postgresql": _child(env)}


if __name__ == "__main__":  # pragma: no cover
    print(json.dumps(run()))
    sys.exit(0)
