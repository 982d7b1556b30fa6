"""Release when protection ends: the sweep's claims and batches, and the one writer of
releases (escrow → seller payable minus the commission → platform revenue).

The sweep works on values, not model instances: a batch is a claim (one statement,
``core.leases.claim_pks``), then one transaction that re-reads the claimed holds under lock
with their orders' dates, and writes entries, postings, balances and holds set-based."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any, NamedTuple

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from comptoir.core.errors import Conflict
from comptoir.core.leases import claim_pks
from comptoir.core.money import Money
from comptoir.ledger import conf
from comptoir.ledger.enums import AccountKind, EntryKind, HoldKind, HoldState
from comptoir.ledger.models import Account, EscrowHold

from ._sql import ids_where, update_by_id
from .posting import (
    RawEntry,
    platform_account,
    raw_entries_write,
    seller_accounts_lock,
)


class HoldRow(NamedTuple):
    """A held hold, as the release needs it."""

    pk: int
    order_id: int
    shop_id: int
    kind: str
    currency: str
    remaining_minor: int

    @classmethod
    def of(cls, hold: EscrowHold) -> HoldRow:
        return cls(
            hold.pk, hold.order_id, hold.shop_id, hold.kind, hold.currency, hold.remaining_minor
        )


Writer = Callable[..., int]


# --- what is due ------------------------------------------------------------------------------


def due_orders(now: dt.datetime) -> QuerySet[Any]:
    """Orders whose protection has ended: delivered ``hold_days`` ago, or never delivered and
    ``not_received_grace_days`` past the promised date."""
    from comptoir.orders.models import Order

    hold_cut = now - dt.timedelta(days=conf.hold_days())
    grace_cut = (now - dt.timedelta(days=conf.not_received_grace_days())).date()
    return Order.objects.filter(
        Q(delivered_at__lte=hold_cut)
        | Q(delivered_at__isnull=True, promised_delivery_date__lte=grace_cut)
    )


def _is_due(delivered_at: dt.datetime | None, promised: dt.date | None, now: dt.datetime) -> bool:
    """``due_orders`` for one order's dates, in Python."""
    if delivered_at is not None:
        return delivered_at <= now - dt.timedelta(days=conf.hold_days())
    if promised is not None:
        return promised <= (now - dt.timedelta(days=conf.not_received_grace_days())).date()
    return False


def due_holds(now: dt.datetime) -> QuerySet[EscrowHold]:
    """Held, unfrozen holds whose stored due date has passed (index ``ledger_hold_due``). The
    literal conditions repeat the partial index's own so SQLite can use it (it cannot match a
    bound parameter against an index condition)."""
    table = EscrowHold._meta.db_table
    return EscrowHold.objects.filter(
        state=HoldState.HELD, frozen_by="", release_due_at__lte=now
    ).extra(
        where=[
            f'"{table}"."state" = \'{HoldState.HELD}\'',
            f'"{table}"."frozen_by" = \'\'',
            f'"{table}"."release_due_at" IS NOT NULL',
        ]
    )


def claim_due_holds(
    now: dt.datetime, *, lease_for: dt.timedelta, limit: int, exclude: Sequence[int] = ()
) -> tuple[str, list[int]]:
    """Claim up to ``limit`` due holds (``core.leases.claim_pks``, in due-date order so the
    claim is an index range scan). Returns (token, claimed pks)."""
    candidates = due_holds(now)
    if exclude:
        candidates = candidates.exclude(pk__in=list(exclude))
    return claim_pks(
        candidates, lease_for=lease_for, limit=limit, order_by=("release_due_at", "pk")
    )


# --- which holds may go -----------------------------------------------------------------------


def releasable(rows: Sequence[HoldRow]) -> list[HoldRow]:
    """Of these held, unfrozen holds: every line hold; a shipping hold only once every line of
    its order is closed (or closing in this same batch). A shipping hold still held when every
    line was refunded stays with the seller (a refund of every line takes the shipping with
    it, except a change-of-mind return's: ``refunds._with_shipping``)."""
    shipping_orders = sorted({r.order_id for r in rows if r.kind == HoldKind.SHIPPING})
    if not shipping_orders:
        return list(rows)
    releasing = {r.pk for r in rows}
    blocked: set[int] = set()
    where, params = ids_where(f'"{EscrowHold._meta.db_table}"."order_id"', shipping_orders)
    lines = (
        EscrowHold.objects.filter(kind=HoldKind.LINE, state=HoldState.HELD)
        .extra(where=[where], params=params)
        .values_list("order_id", "pk")
    )
    for order_id, pk in lines:
        if pk not in releasing:
            blocked.add(order_id)
    return [r for r in rows if r.kind == HoldKind.LINE or r.order_id not in blocked]


# --- the writer -------------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def commission_minor(amount_minor: int, currency: str, rate: Any) -> int:
    """``rate`` per cent of the amount, half-even to the minor unit (``Money.percent``)."""
    return Money.from_minor(amount_minor, currency).percent(rate).minor_units


Debts = dict[tuple[int, str], list[int]]  # (shop, currency) -> [receivable pk, owed minor]


def _accounts(
    rows: Sequence[HoldRow],
) -> tuple[dict[int, int], dict[tuple[int, str], int], Debts]:
    """Escrow account pk per order; the seller payable pk per (shop, currency), created when
    missing; and the sellers' debts to the platform (``seller_receivable`` below 0), read under
    the lock of the sellers' payables so a concurrent postage charge is netted, never missed."""
    table = Account._meta.db_table
    where, params = ids_where(f'"{table}"."order_id"', sorted({r.order_id for r in rows}))
    escrows = dict(
        Account.objects.filter(kind=AccountKind.ESCROW)
        .extra(where=[where], params=params)
        .values_list("order_id", "pk")
    )
    payables: dict[tuple[int, str], int] = {}
    debts: Debts = {}
    locked = seller_accounts_lock({(r.shop_id, r.currency) for r in rows})
    for (shop_id, currency, kind), (pk, balance) in locked.items():
        if kind == AccountKind.SELLER_PAYABLE:
            payables[(shop_id, currency)] = pk
        elif balance < 0:
            debts[(shop_id, currency)] = [pk, -balance]
    return escrows, payables, debts


def release_holds(rows: Sequence[HoldRow], *, now: dt.datetime) -> int:
    """Release these (locked, releasable) holds set-based: one entry per order, escrow → seller
    payable minus the commission → platform revenue; each hold records its commission. What the
    seller owes the platform (advanced return postage) is recovered first: that part of the net
    goes to their receivable instead of their payable. Returns how many holds were released."""
    if not rows:
        return 0
    rate = conf.commission_rate()
    by_order: dict[int, list[HoldRow]] = defaultdict(list)
    for row in rows:
        by_order[row.order_id].append(row)
    escrows, payables, debts = _accounts(rows)
    revenue = {
        c: platform_account(AccountKind.PLATFORM_REVENUE, c).pk for c in {r.currency for r in rows}
    }
    commissions: dict[int, int] = {}
    entries = []
    for order_id in sorted(by_order):
        order_rows = by_order[order_id]
        first = order_rows[0]
        currency = first.currency
        escrow = escrows[order_id]
        legs: list[tuple[int, int, str, int | None]] = []
        gross = total_commission = 0
        for row in order_rows:
            amount = row.remaining_minor
            commission = commission_minor(amount, currency, rate)
            commissions[row.pk] = commission
            gross += amount
            total_commission += commission
            legs.append((escrow, -amount, currency, row.pk))
        net = gross - total_commission
        debt = debts.get((first.shop_id, currency))
        if debt is not None and debt[1] > 0 and net > 0:
            recovered = min(debt[1], net)
            debt[1] -= recovered
            net -= recovered
            legs.append((debt[0], recovered, currency, None))
        if net:
            legs.append((payables[(first.shop_id, currency)], net, currency, None))
        if total_commission:
            legs.append((revenue[currency], total_commission, currency, None))
        entries.append(
            RawEntry(
                kind=EntryKind.RELEASE,
                idempotency_key=f"release:{order_id}:" + "-".join(str(r.pk) for r in order_rows),
                legs=legs,
                order_id=order_id,
                shop_id=first.shop_id,
            )
        )
    raw_entries_write(entries)
    updated = update_by_id(  # one UPDATE for the batch, each hold its own commission
        EscrowHold._meta.db_table,
        values=commissions,
        set_sql='"state" = %s, "released_minor" = "amount_minor" - "refunded_minor", '
        '"commission_minor" = {v}, "released_at" = %s, "claimed_until" = NULL, '
        "\"claim_token\" = ''",
        set_params=[HoldState.RELEASED.value, connection.ops.adapt_datetimefield_value(now)],
        where_sql='"state" = %s AND "released_minor" = 0',
        where_params=[HoldState.HELD.value],
    )
    if updated != len(rows):  # pragma: no cover - only when the row lock was not honoured
        raise Conflict("hold_changed", _("The order's money changed meanwhile; try again."))
    return len(rows)


# --- one batch of the sweep -------------------------------------------------------------------


def _orders_lock(where: str, params: list[Any]) -> None:
    """Lock the orders of these claimed holds in pk order, ``FOR NO KEY UPDATE``, before the
    holds (``escrow.orders_lock``): one statement for the batch. SQLite: nothing to lock."""
    if not connection.features.has_select_for_update:
        return
    from comptoir.orders.models import Order

    holds = EscrowHold._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT "id" FROM "{Order._meta.db_table}" WHERE "id" IN '
            f'(SELECT "order_id" FROM "{holds}" WHERE {where}) ORDER BY "id" FOR NO KEY UPDATE',
            params,
        )
        cursor.fetchall()


def release_claimed(
    *, hold_ids: list[int], token: str, now: dt.datetime, write: Writer = release_holds
) -> tuple[int, list[int]]:
    """One batch of the sweep, in one transaction: re-read the claimed rows under lock (still
    ours, still held, still unfrozen) with their orders' dates, re-check that protection has
    ended (a stale stored date is corrected, never trusted), and release them with ``write``.
    Returns (released, skipped pks); skipped rows (not due after all, or a shipping hold whose
    lines are not all settled) get their claim back."""
    from .escrow import holds_redate

    where, params = ids_where(f'"{EscrowHold._meta.db_table}"."id"', hold_ids)
    with transaction.atomic():
        _orders_lock(where, params)  # the lock order: orders, holds, accounts
        found = list(
            EscrowHold.objects.select_for_update(of=("self",))
            .filter(claim_token=token, state=HoldState.HELD, frozen_by="", released_minor=0)
            .extra(where=[where], params=params)
            .order_by("pk")
            .values_list(
                "pk",
                "order_id",
                "shop_id",
                "kind",
                "currency",
                "amount_minor",
                "refunded_minor",
                "order__delivered_at",
                "order__promised_delivery_date",
            )
        )
        rows: list[HoldRow] = []
        not_due: set[int] = set()
        skipped: list[int] = []
        for pk, order_id, shop_id, kind, currency, amount, refunded, delivered, promised in found:
            if _is_due(delivered, promised, now):
                rows.append(HoldRow(pk, order_id, shop_id, kind, currency, amount - refunded))
            else:
                not_due.add(order_id)
                skipped.append(pk)
        if not_due:
            holds_redate(order_ids=not_due)
        chosen = releasable(rows)
        if len(chosen) != len(rows):
            keep = {r.pk for r in chosen}
            skipped += [r.pk for r in rows if r.pk not in keep]
        if skipped:
            EscrowHold.objects.filter(pk__in=skipped, claim_token=token).update(
                claimed_until=None, claim_token=""
            )
        return write(chosen, now=now), skipped


def release_due(*, now: dt.datetime, limit: int | None, write: Writer = release_holds) -> int:
    """Claim due holds in batches and release them (see ``escrow.escrow_release_due``)."""
    batch = conf.release_batch_size()
    lease = dt.timedelta(seconds=conf.release_lease_seconds())
    released = 0
    skipped: list[int] = []  # not releasable yet: not claimed again in this run
    while limit is None or released < limit:
        size = batch if limit is None else min(batch, limit - released)
        token, claimed = claim_due_holds(now, lease_for=lease, limit=size, exclude=skipped)
        if not claimed:
            break
        done, left = release_claimed(hold_ids=claimed, token=token, now=now, write=write)
        released += done
        skipped += left
    return released


# --- completing orders ------------------------------------------------------------------------


def orders_to_complete(now: dt.datetime, *, limit: int = 200) -> list[str]:
    """Delivered orders past protection whose money is all settled and partly released."""
    from comptoir.orders.enums import OrderStatus

    held = EscrowHold.objects.filter(order_id=OuterRef("pk"), state=HoldState.HELD)
    released = EscrowHold.objects.filter(order_id=OuterRef("pk"), released_minor__gt=0)
    return list(
        due_orders(now)
        .filter(status=OrderStatus.DELIVERED)
        .filter(Exists(released))
        .exclude(Exists(held))
        .order_by("pk")
        .values_list("number", flat=True)[:limit]
    )


def orders_complete_released(*, now: dt.datetime) -> int:
    """Move delivered orders whose money was released to "completed" (orders.order_complete)."""
    from comptoir.orders.services import order_complete

    done = 0
    while numbers := orders_to_complete(now):
        progressed = 0
        for number in numbers:
            try:
                with transaction.atomic():
                    order_complete(number=number)
                done += 1
                progressed += 1
            except Conflict:  # completed meanwhile by another worker
                continue
        if not progressed:
            break
    return done


def rows_of(holds: Iterable[EscrowHold]) -> list[HoldRow]:
    """The held, unfrozen ones of these (locked) holds, as rows."""
    return [HoldRow.of(h) for h in holds if h.state == HoldState.HELD and not h.frozen_by]
