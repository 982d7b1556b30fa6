"""Escrow: capture at checkout, freeze/unfreeze of lines, and release to the seller minus commission."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from comptoir.core import clock
from comptoir.core.errors import Conflict, NotFound
from comptoir.core.outbox import outbox_enqueue
from comptoir.ledger import conf
from comptoir.ledger.enums import AccountKind, EntryKind, HoldKind, HoldState
from comptoir.ledger.models import Account, EscrowHold, JournalEntry

from ._sql import ids_where
from .posting import EntrySpec, Leg, account_get_or_create, entry_post, platform_account
from .release import (  # noqa: F401 - re-exported: the sweep's pieces
    due_holds,
    due_orders,
    orders_complete_released,
    releasable,
    release_due,
    release_holds,
    rows_of,
)

PAYMENT_INTENT_KIND = "ledger.payment_intent"


def orders_lock(order_ids: Iterable[int]) -> None:
    """Lock these order rows in pk order, ``FOR NO KEY UPDATE``: the first lock of every write
    to an order's money (the lock order of ``posting``: order, holds, accounts). Carrier
    tracking and receipt confirmation lock the order before re-dating its holds; a refund or a
    release that took the holds first and the order second (the refund's payment status, the
    postings' foreign keys) would deadlock against them. NO KEY UPDATE lets the postings' KEY
    SHARE through. (SQLite serialises writers: nothing to lock.)"""
    from comptoir.orders.models import Order

    ids = sorted(set(order_ids))
    if not ids or not connection.features.has_select_for_update:
        return
    where, params = ids_where(f'"{Order._meta.db_table}"."id"', ids)
    list(
        Order.objects.select_for_update(no_key=True)
        .extra(where=[where], params=params)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def lock_holds(*, order_id: int, kinds: Sequence[str] | None = None) -> list[EscrowHold]:
    """The order's holds, locked in pk order, after the order row (``orders_lock``)."""
    orders_lock([order_id])
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
    return release_holds(releasable(rows_of(chosen)), now=clock.now())


def escrow_release_due(*, now: dt.datetime, limit: int | None = None) -> int:
    """The release sweep's work: claim due holds in batches (one leased conditional UPDATE;
    SKIP LOCKED on PostgreSQL) and release them. Safe on several workers and to re-run."""
    holds_redate_undated()
    return release_due(now=now, limit=limit, write=release_holds)
