"""Escrow: capture at checkout, freeze/unfreeze of lines, and release to the seller minus commission."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from comptoir.core import clock
from comptoir.core.clock import wall_now
from comptoir.core.errors import Conflict, NotFound
from comptoir.core.money import Money
from comptoir.core.outbox import outbox_enqueue
from comptoir.ledger import conf
from comptoir.ledger.enums import AccountKind, EntryKind, HoldKind, HoldState
from comptoir.ledger.models import Account, EscrowHold, JournalEntry

from ._sql import update_by_id
from .posting import (
    EntrySpec,
    Leg,
    account_get_or_create,
    entries_write,
    entry_post,
    platform_account,
)

PAYMENT_INTENT_KIND = "ledger.payment_intent"


def lock_holds(*, order_id: int, kinds: Sequence[str] | None = None) -> list[EscrowHold]:
    """The order's holds, locked in pk order (the ledger's lock order: holds, then accounts)."""
    holds = EscrowHold.objects.select_for_update().filter(order_id=order_id)
    if kinds:
        holds = holds.filter(kind__in=list(kinds))
    return list(holds.order_by("pk"))


def escrow_account(order: Any) -> Account:
    return account_get_or_create(
        kind=AccountKind.ESCROW, currency=order.currency, order_id=order.pk, shop_id=order.shop_id
    )


# --- capture ----------------------------------------------------------------------------------


@transaction.atomic
def escrow_capture(*, order: Any, payment: Any) -> JournalEntry:
    """Credit the order's escrow with the payment, one hold per line plus one for shipping.

    Idempotent on the payment's idempotency key. Called by the checkout (payment hook), inside
    its transaction; asks the provider to confirm the payment intent after commit (outbox)."""
    key = f"capture:{payment.idempotency_key}"
    existing = JournalEntry.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    if payment.currency != order.currency or payment.amount_minor != order.total_minor:
        raise Conflict(
            "payment_mismatch",
            _("The payment does not match the order's total."),
            {"payment_minor": payment.amount_minor, "total_minor": order.total_minor},
        )
    lines = list(order.lines.order_by("position", "pk"))
    if sum(line.line_total_minor for line in lines) != order.subtotal_minor:
        raise Conflict("order_inconsistent", _("The order's lines do not add up to its subtotal."))
    now = clock.now()
    due_at = release_due_at_for(
        delivered_at=order.delivered_at, promised_delivery_date=order.promised_delivery_date
    )
    holds = [
        EscrowHold(
            order_id=order.pk,
            order_line_id=line.pk,
            shop_id=order.shop_id,
            kind=HoldKind.LINE,
            currency=order.currency,
            amount_minor=line.line_total_minor,
            created_at=now,
            release_due_at=due_at,
        )
        for line in lines
    ]
    if order.shipping_minor > 0:
        holds.append(
            EscrowHold(
                order_id=order.pk,
                shop_id=order.shop_id,
                kind=HoldKind.SHIPPING,
                currency=order.currency,
                amount_minor=order.shipping_minor,
                created_at=now,
                release_due_at=due_at,
            )
        )
    holds = EscrowHold.objects.bulk_create(holds)
    escrow = escrow_account(order)
    clearing = platform_account(AccountKind.PROVIDER_CLEARING, order.currency)
    legs = [Leg(clearing, -order.total_minor)]
    legs += [Leg(escrow, h.amount_minor, h.pk) for h in holds]
    entry, _created = entry_post(
        EntrySpec(
            kind=EntryKind.CAPTURE,
            idempotency_key=key,
            legs=tuple(legs),
            order_id=order.pk,
            shop_id=order.shop_id,
            memo=f"payment {payment.provider} {payment.reference}",
        )
    )
    outbox_enqueue(
        kind=PAYMENT_INTENT_KIND,
        payload={"payment_id": payment.pk},
        idempotency_key=f"ledger:payment_intent:{payment.idempotency_key}",
    )
    return entry


def ledger_capture_for_order(*, order: Any, payment: Any) -> None:
    """The ``payment_capture_hooks`` entry (orders.payments)."""
    escrow_capture(order=order, payment=payment)


# --- when protection ends ---------------------------------------------------------------------


def release_due_at_for(
    *, delivered_at: dt.datetime | None, promised_delivery_date: dt.date | None
) -> dt.datetime | None:
    """When an order's holds become due (the stored form of ``due_orders``): delivered +
    ``hold_days``; never delivered: midnight UTC of promised date + ``not_received_grace_days``
    (``due_orders`` compares the promised date with the UTC date); neither known: never."""
    if delivered_at is not None:
        return delivered_at + dt.timedelta(days=conf.hold_days())
    if promised_delivery_date is not None:
        day = promised_delivery_date + dt.timedelta(days=conf.not_received_grace_days())
        return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)
    return None


def holds_redate(*, order_ids: Iterable[int]) -> int:
    """Recompute ``release_due_at`` of these orders' held holds from the orders' dates."""
    from comptoir.orders.models import Order

    ids = sorted(set(order_ids))
    by_due: dict[dt.datetime | None, list[int]] = defaultdict(list)
    for start in range(0, len(ids), 500):
        for pk, delivered_at, promised in Order.objects.filter(
            pk__in=ids[start : start + 500]
        ).values_list("pk", "delivered_at", "promised_delivery_date"):
            due = release_due_at_for(delivered_at=delivered_at, promised_delivery_date=promised)
            by_due[due].append(pk)
    changed = 0
    for due, pks in by_due.items():
        for start in range(0, len(pks), 500):
            changed += EscrowHold.objects.filter(
                order_id__in=pks[start : start + 500], state=HoldState.HELD
            ).update(release_due_at=due)
    return changed


def ledger_order_dates_changed(*, order: Any) -> None:
    """The ``order_dates_hooks`` entry (orders.services._events): the order was shipped with a
    promised date or delivered, inside the order's transaction: re-date its held holds."""
    holds_redate(order_ids=[order.pk])


def holds_redate_undated(*, limit: int = 5000) -> int:
    """Safety net for dates written without the hook (imports, direct updates): held holds
    without a due date whose order now has a delivery or promised date get one."""
    order_ids = list(
        EscrowHold.objects.filter(state=HoldState.HELD, release_due_at__isnull=True)
        .filter(
            Q(order__delivered_at__isnull=False) | Q(order__promised_delivery_date__isnull=False)
        )
        .values_list("order_id", flat=True)
        .distinct()[:limit]
    )
    return holds_redate(order_ids=order_ids) if order_ids else 0


# --- freeze -----------------------------------------------------------------------------------


def _line_holds(order: Any, line_ids: Sequence[int]) -> list[EscrowHold]:
    wanted = set(line_ids)
    if not wanted:
        raise NotFound()
    holds = [
        h for h in lock_holds(order_id=order.pk, kinds=[HoldKind.LINE]) if h.order_line_id in wanted
    ]
    if len(holds) != len(wanted):
        raise NotFound(_("No money is held for one of these lines."))
    return holds


@transaction.atomic
def escrow_freeze(*, order: Any, line_ids: Sequence[int], reference: str) -> list[EscrowHold]:
    """Keep these lines' money held while ``reference`` (a dispute, a return request) is active.

    The same reference again is a no-op; a line frozen by another reference, or no longer held,
    is refused (``hold_frozen``, ``hold_closed``)."""
    if not reference or len(reference) > 100:
        raise ValueError("A freeze needs a reference of 1 to 100 characters.")
    holds = _line_holds(order, line_ids)
    for hold in holds:
        if hold.state != HoldState.HELD:
            raise Conflict(
                "hold_closed",
                _("The money of this line has already been released or refunded."),
                {"line": hold.order_line_id, "state": hold.state},
            )
        if hold.frozen_by and hold.frozen_by != reference:
            raise Conflict(
                "hold_frozen",
                _("This line is already in another dispute or return request."),
                {"line": hold.order_line_id},
            )
    EscrowHold.objects.filter(pk__in=[h.pk for h in holds]).update(frozen_by=reference)
    for hold in holds:
        hold.frozen_by = reference
    return holds


@transaction.atomic
def escrow_unfreeze(*, order: Any, line_ids: Sequence[int], reference: str) -> list[EscrowHold]:
    """The dispute or return is over: the lines follow the normal release rules again."""
    holds = _line_holds(order, line_ids)
    mine = [h for h in holds if h.frozen_by == reference]
    EscrowHold.objects.filter(pk__in=[h.pk for h in mine]).update(frozen_by="")
    for hold in mine:
        hold.frozen_by = ""
    return holds


# --- release ----------------------------------------------------------------------------------


def _releasable(holds: list[EscrowHold]) -> list[EscrowHold]:
    """Held, unfrozen line holds; a shipping hold only once every line of its order is closed
    (or closing in this same batch) and not every line was fully refunded."""
    candidates = [h for h in holds if h.state == HoldState.HELD and not h.frozen_by]
    shipping_orders = {h.order_id for h in candidates if h.kind == HoldKind.SHIPPING}
    if not shipping_orders:
        return candidates
    releasing = {h.pk for h in candidates}
    blocked: set[int] = set()
    refunded_all: dict[int, bool] = {}
    lines = EscrowHold.objects.filter(order_id__in=shipping_orders, kind=HoldKind.LINE).values_list(
        "order_id", "pk", "state"
    )
    for order_id, pk, state in lines:
        if state == HoldState.HELD and pk not in releasing:
            blocked.add(order_id)
        refunded_all[order_id] = refunded_all.get(order_id, True) and state == HoldState.REFUNDED
    return [
        h
        for h in candidates
        if h.kind == HoldKind.LINE
        or (h.order_id not in blocked and not refunded_all.get(h.order_id, False))
    ]


def release_holds(holds: list[EscrowHold], *, now: dt.datetime) -> int:
    """Release these (locked, releasable) holds set-based: one entry per order, escrow → seller
    payable minus the commission → platform revenue. Returns how many holds were released."""
    if not holds:
        return 0
    rate = conf.commission_rate()
    by_order: dict[int, list[EscrowHold]] = defaultdict(list)
    for hold in holds:
        by_order[hold.order_id].append(hold)
    escrows = {
        a.order_id: a
        for a in Account.objects.filter(kind=AccountKind.ESCROW, order_id__in=list(by_order))
    }
    payables: dict[tuple[int, str], Account] = {}
    revenue: dict[str, Account] = {}
    pairs = {(h.shop_id, h.currency) for h in holds}
    for account in Account.objects.filter(
        kind=AccountKind.SELLER_PAYABLE, shop_id__in=[s for s, _c in pairs]
    ):
        payables[(account.shop_id, account.currency)] = account  # type: ignore[index]
    for shop_id, currency in sorted(pairs):
        if (shop_id, currency) not in payables:
            payables[(shop_id, currency)] = account_get_or_create(
                kind=AccountKind.SELLER_PAYABLE, currency=currency, shop_id=shop_id
            )
        if currency not in revenue:
            revenue[currency] = platform_account(AccountKind.PLATFORM_REVENUE, currency)
    specs = []
    for order_id, order_holds in sorted(by_order.items()):
        first = order_holds[0]
        legs = []
        gross = commission_total = 0
        for hold in order_holds:
            amount = hold.remaining_minor
            commission = Money.from_minor(amount, hold.currency).percent(rate).minor_units
            hold.commission_minor = commission
            hold.released_minor = amount
            hold.state = HoldState.RELEASED
            hold.released_at = now
            gross += amount
            commission_total += commission
            legs.append(Leg(escrows[order_id], -amount, hold.pk))
        if gross - commission_total:
            legs.append(Leg(payables[(first.shop_id, first.currency)], gross - commission_total))
        if commission_total:
            legs.append(Leg(revenue[first.currency], commission_total))
        specs.append(
            EntrySpec(
                kind=EntryKind.RELEASE,
                idempotency_key=f"release:{order_id}:" + "-".join(str(h.pk) for h in order_holds),
                legs=tuple(legs),
                order_id=order_id,
                shop_id=first.shop_id,
            )
        )
    entries_write(specs)
    updated = update_by_id(  # one UPDATE for the batch, each hold its own commission
        EscrowHold._meta.db_table,
        values={h.pk: h.commission_minor for h in holds},
        set_sql='"state" = %s, "released_minor" = "amount_minor" - "refunded_minor", '
        '"commission_minor" = {v}, "released_at" = %s',
        set_params=[HoldState.RELEASED.value, connection.ops.adapt_datetimefield_value(now)],
        where_sql='"state" = %s',
        where_params=[HoldState.HELD.value],
    )
    if updated != len(holds):  # pragma: no cover - only when the row lock was not honoured
        raise Conflict("hold_changed", _("The order's money changed meanwhile; try again."))
    return len(holds)


@transaction.atomic
def escrow_release(*, order: Any, line_ids: Sequence[int] | None = None) -> int:
    """Release these lines of the order now (all its releasable lines when ``line_ids`` is None),
    whatever the date: for staff and for a dispute's final outcome. Frozen lines are refused;
    lines already closed are skipped (idempotent). Returns how many holds were released."""
    holds = lock_holds(order_id=order.pk)
    if line_ids is not None:
        wanted = set(line_ids)
        chosen = [h for h in holds if h.kind == HoldKind.LINE and h.order_line_id in wanted]
        if len(chosen) != len(wanted):
            raise NotFound(_("No money is held for one of these lines."))
        frozen = [h for h in chosen if h.frozen_by and h.state == HoldState.HELD]
        if frozen:
            raise Conflict(
                "hold_frozen",
                _("This line is in an active dispute or return request."),
                {"line": frozen[0].order_line_id},
            )
        chosen += [h for h in holds if h.kind == HoldKind.SHIPPING]
    else:
        chosen = holds
    return release_holds(_releasable(chosen), now=clock.now())


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
    """Claim up to ``limit`` due holds whose claim is free or expired (the protocol of
    ``core.leases.claim_rows``, in due-date order so the claim is an index range scan): one
    conditional UPDATE marks them with a new token; SKIP LOCKED on PostgreSQL is a speed-up,
    the conditional UPDATE the guarantee. Returns (token, claimed pks)."""
    wall = wall_now()
    free = Q(claimed_until__isnull=True) | Q(claimed_until__lt=wall)
    token = uuid.uuid4().hex
    with transaction.atomic():
        candidates = due_holds(now).filter(free)
        if exclude:
            candidates = candidates.exclude(pk__in=list(exclude))
        candidates = candidates.order_by("release_due_at", "pk")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        pks = list(candidates.values_list("pk", flat=True)[:limit])
        if not pks:
            return token, []
        EscrowHold.objects.filter(pk__in=pks).filter(free).update(
            claimed_until=wall + lease_for, claim_token=token
        )
    return token, pks


def release_claimed(*, hold_ids: list[int], token: str, now: dt.datetime) -> tuple[int, list[int]]:
    """One batch of the sweep, in one transaction: re-read the claimed rows under lock (still
    ours, still held, still unfrozen), re-check against the orders' own dates that protection
    has ended (a stale stored date is corrected, never trusted), and release them. Returns
    (released, skipped pks); skipped rows (not due after all, or a shipping hold whose lines are
    not all settled) get their claim back."""
    with transaction.atomic():
        holds = list(
            EscrowHold.objects.select_for_update()
            .filter(pk__in=hold_ids, claim_token=token, state=HoldState.HELD, frozen_by="")
            .order_by("pk")
        )
        order_ids = sorted({h.order_id for h in holds})
        due: set[int] = set()
        for start in range(0, len(order_ids), 500):
            due.update(
                due_orders(now)
                .filter(pk__in=order_ids[start : start + 500])
                .values_list("pk", flat=True)
            )
        not_due = {h.order_id for h in holds if h.order_id not in due}
        if not_due:
            holds_redate(order_ids=not_due)
        releasable = _releasable([h for h in holds if h.order_id in due])
        chosen = {h.pk for h in releasable}
        skipped = [h.pk for h in holds if h.pk not in chosen]
        if skipped:
            EscrowHold.objects.filter(pk__in=skipped, claim_token=token).update(
                claimed_until=None, claim_token=""
            )
        return release_holds(releasable, now=now), skipped


def escrow_release_due(*, now: dt.datetime, limit: int | None = None) -> int:
    """The release sweep's work: claim due holds in batches (leased conditional UPDATE; SKIP
    LOCKED on PostgreSQL) and release them. Safe on several workers and to re-run."""
    batch = conf.release_batch_size()
    lease = dt.timedelta(seconds=conf.release_lease_seconds())
    holds_redate_undated()
    released = 0
    skipped: list[int] = []  # not releasable yet: not claimed again in this run
    while limit is None or released < limit:
        token, claimed = claim_due_holds(now, lease_for=lease, limit=batch, exclude=skipped)
        if not claimed:
            break
        done, left = release_claimed(hold_ids=claimed, token=token, now=now)
        released += done
        skipped += left
    return released


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
