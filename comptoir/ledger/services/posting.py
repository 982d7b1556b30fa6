"""The one writer of journal entries: balanced per currency, idempotent by key, never overdrawn.

Lock order everywhere in the ledger: escrow holds (by pk), then accounts (by pk)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from comptoir.core import clock
from comptoir.core.errors import Conflict
from comptoir.core.ids import new_public_id
from comptoir.ledger.enums import NON_NEGATIVE_KINDS, AccountKind
from comptoir.ledger.models import Account, JournalEntry, Posting

from ._sql import insert_rows, update_by_id


class Unbalanced(ValueError):
    pass


@dataclass(frozen=True)
class Leg:
    account: Account
    amount_minor: int
    hold_id: int | None = None


@dataclass(frozen=True)
class EntrySpec:
    kind: str
    idempotency_key: str
    legs: tuple[Leg, ...]
    order_id: int | None = None
    shop_id: int | None = None
    memo: str = ""


def _check_balanced(spec: EntrySpec) -> None:
    if not spec.legs:
        raise Unbalanced(f"{spec.idempotency_key}: an entry needs postings.")
    totals: dict[str, int] = defaultdict(int)
    for leg in spec.legs:
        if not isinstance(leg.amount_minor, int) or isinstance(leg.amount_minor, bool):
            raise Unbalanced("Amounts are integer minor units.")
        if leg.amount_minor == 0:
            raise Unbalanced(f"{spec.idempotency_key}: a posting of 0.")
        totals[leg.account.currency] += leg.amount_minor
    if any(totals.values()):
        raise Unbalanced(f"{spec.idempotency_key}: postings do not balance: {dict(totals)}.")


# --- accounts ---------------------------------------------------------------------------------


def account_get_or_create(
    *,
    kind: str,
    currency: str,
    order_id: int | None = None,
    shop_id: int | None = None,
) -> Account:
    key = account_key(kind=kind, currency=currency, order_id=order_id, shop_id=shop_id)
    account = Account.objects.filter(key=key).first()
    if account is not None:
        return account
    try:
        with transaction.atomic():
            return Account.objects.create(
                key=key, kind=kind, currency=currency, order_id=order_id, shop_id=shop_id
            )
    except IntegrityError:
        return Account.objects.get(key=key)


def account_key(
    *, kind: str, currency: str, order_id: int | None = None, shop_id: int | None = None
) -> str:
    if kind == AccountKind.ESCROW:
        return f"escrow:order:{order_id}"
    if kind in {AccountKind.SELLER_PAYABLE, AccountKind.PAYOUTS_IN_TRANSIT}:
        return f"{kind}:shop:{shop_id}:{currency}"
    return f"{kind}:{currency}"


def platform_account(kind: str, currency: str) -> Account:
    return account_get_or_create(kind=kind, currency=currency)


# --- posting ----------------------------------------------------------------------------------


def _apply_balances(deltas: dict[int, int]) -> None:
    """Lock the accounts in pk order, refuse an overdraw, then add the deltas in one UPDATE
    per chunk. The check constraint on ``balance_minor`` is the database's backstop."""
    ids = sorted(pk for pk, delta in deltas.items() if delta)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        locked = list(
            Account.objects.select_for_update()
            .filter(pk__in=chunk)
            .order_by("pk")
            .values_list("pk", "kind", "balance_minor", "currency")
        )
        for pk, kind, balance, _currency in locked:
            after = balance + deltas[pk]
            if (kind in NON_NEGATIVE_KINDS and after < 0) or (
                kind == AccountKind.PROVIDER_CLEARING and after > 0
            ):
                raise Conflict(
                    "insufficient_funds",
                    _("There is not enough money on this balance for this operation."),
                    {"account": pk, "balance_minor": balance, "needed_minor": -deltas[pk]},
                )
        try:
            with transaction.atomic():  # one UPDATE per chunk, each account its own delta
                update_by_id(
                    Account._meta.db_table,
                    values={pk: deltas[pk] for pk in chunk},
                    set_sql='"balance_minor" = "balance_minor" + {v}',
                )
        except IntegrityError as exc:  # pragma: no cover - the check above comes first
            raise Conflict(
                "insufficient_funds",
                _("There is not enough money on this balance for this operation."),
            ) from exc


def entries_write(specs: Sequence[EntrySpec]) -> list[int]:
    """Write many entries at once (set-based, raw multi-row INSERTs): balanced, new keys only
    (call under your locks; a key already used fails on its unique constraint). Returns the
    entries' pks in the order of ``specs``."""
    for spec in specs:
        _check_balanced(spec)
    if not specs:
        return []
    created_at = connection.ops.adapt_datetimefield_value(clock.now())
    returned = insert_rows(
        JournalEntry._meta.db_table,
        [
            ("public_id", "text"),
            ("kind", "text"),
            ("idempotency_key", "text"),
            ("order_id", "bigint"),
            ("shop_id", "bigint"),
            ("memo", "text"),
        ],
        [
            (new_public_id(), s.kind, s.idempotency_key, s.order_id, s.shop_id, s.memo[:200])
            for s in specs
        ],
        consts={"created_at": created_at},
        returning=("id", "idempotency_key"),
    )
    pk_of = {key: pk for pk, key in returned}
    entry_ids = [pk_of[s.idempotency_key] for s in specs]
    rows = []
    deltas: dict[int, int] = defaultdict(int)
    for entry_id, spec in zip(entry_ids, specs, strict=True):
        for leg in spec.legs:
            account = leg.account
            rows.append((entry_id, account.pk, leg.amount_minor, account.currency, leg.hold_id))
            deltas[account.pk] += leg.amount_minor
    insert_rows(
        Posting._meta.db_table,
        [
            ("entry_id", "bigint"),
            ("account_id", "bigint"),
            ("amount_minor", "bigint"),
            ("currency", "text"),
            ("hold_id", "bigint"),
        ],
        rows,
        consts={"created_at": created_at},
    )
    _apply_balances(deltas)
    return entry_ids


def entries_post(specs: Sequence[EntrySpec]) -> list[JournalEntry]:
    """``entries_write``, returning the entries."""
    ids = entries_write(specs)
    return list(JournalEntry.objects.filter(pk__in=ids).order_by("pk")) if ids else []


def entry_post(spec: EntrySpec) -> tuple[JournalEntry, bool]:
    """Write one entry; the same idempotency key again returns ``(existing, False)``."""
    existing = JournalEntry.objects.filter(idempotency_key=spec.idempotency_key).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            (entry,) = entries_post([spec])
    except IntegrityError:
        existing = JournalEntry.objects.filter(idempotency_key=spec.idempotency_key).first()
        if existing is None:
            raise
        return existing, False
    return entry, True


def legs_sum(legs: Iterable[Leg]) -> int:
    return sum(leg.amount_minor for leg in legs)


def as_dict(entry: JournalEntry) -> dict[str, Any]:
    return {"kind": entry.kind, "key": entry.idempotency_key}
