"""The one writer of journal entries: balanced per currency, idempotent by key, never overdrawn.

Lock order everywhere in the ledger (and for its callers): the order row (``select_for_update(
no_key=True)``: the postings' foreign keys only take KEY SHARE on it, which NO KEY UPDATE lets
through), then its escrow holds (by pk), then accounts (by pk; a shop's payable and receivable
together first when a service must read them before writing, ``seller_accounts_lock``)."""

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
from comptoir.ledger.enums import NON_NEGATIVE_KINDS, NON_POSITIVE_KINDS, AccountKind
from comptoir.ledger.models import Account, JournalEntry, Posting

from ._sql import ids_where, insert_rows, update_by_id


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


@dataclass(frozen=True)
class RawEntry:
    """An entry as the writer needs it: legs are ``(account pk, amount, currency, hold pk)``."""

    kind: str
    idempotency_key: str
    legs: Sequence[tuple[int, int, str, int | None]]
    order_id: int | None = None
    shop_id: int | None = None
    memo: str = ""


def _check_balanced(entry: RawEntry) -> None:
    if not entry.legs:
        raise Unbalanced(f"{entry.idempotency_key}: an entry needs postings.")
    totals: dict[str, int] = defaultdict(int)
    for _account, amount, currency, _hold in entry.legs:
        if type(amount) is not int:
            raise Unbalanced("Amounts are integer minor units.")
        if amount == 0:
            raise Unbalanced(f"{entry.idempotency_key}: a posting of 0.")
        totals[currency] += amount
    if any(totals.values()):
        raise Unbalanced(f"{entry.idempotency_key}: postings do not balance: {dict(totals)}.")


def _raw(spec: EntrySpec) -> RawEntry:
    return RawEntry(
        kind=spec.kind,
        idempotency_key=spec.idempotency_key,
        legs=[
            (leg.account.pk, leg.amount_minor, leg.account.currency, leg.hold_id)
            for leg in spec.legs
        ],
        order_id=spec.order_id,
        shop_id=spec.shop_id,
        memo=spec.memo,
    )


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
    if kind in {
        AccountKind.SELLER_PAYABLE,
        AccountKind.PAYOUTS_IN_TRANSIT,
        AccountKind.SELLER_RECEIVABLE,
    }:
        return f"{kind}:shop:{shop_id}:{currency}"
    return f"{kind}:{currency}"


def platform_account(kind: str, currency: str) -> Account:
    return account_get_or_create(kind=kind, currency=currency)


def seller_accounts_lock(
    pairs: Iterable[tuple[int, str]],
) -> dict[tuple[int, str, str], tuple[int, int]]:
    """Lock the sellers' accounts of these (shop, currency) pairs before reading their balances
    to decide a movement (a release nets the seller's debt; a postage charge takes what the
    payable holds, the platform advances the rest). The payable (created when missing) is the
    gate: locked first, in pk order; then, in a second statement that sees everything committed
    while it waited, the receivables (only ever written under their payable's lock, and created
    after it, so pk order holds). Returns ``{(shop, currency, kind): (pk, balance)}``."""
    pairs = set(pairs)
    if not pairs:
        return {}
    table = Account._meta.db_table
    where, params = ids_where('"shop_id"', sorted({shop for shop, _c in pairs}))
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    found: dict[tuple[int, str, str], tuple[int, int]] = {}
    for kind in (AccountKind.SELLER_PAYABLE, AccountKind.SELLER_RECEIVABLE):
        with connection.cursor() as cursor:
            cursor.execute(
                f'SELECT "id", "shop_id", "currency", "balance_minor" FROM "{table}" '
                f'WHERE {where} AND "kind" = %s ORDER BY "id"{lock}',
                [*params, kind],
            )
            for pk, shop, currency, balance in cursor.fetchall():
                if (shop, currency) in pairs:
                    found[(shop, currency, kind)] = (pk, balance)
        if kind == AccountKind.SELLER_PAYABLE:
            missing = sorted((s, c) for s, c in pairs if (s, c, kind) not in found)
            for shop, currency in missing:  # new rows are ours (or a concurrent creator's,
                # committed once get_or_create returns): lock them like the others
                account = account_get_or_create(kind=kind, currency=currency, shop_id=shop)
                with connection.cursor() as cursor:
                    cursor.execute(
                        f'SELECT "balance_minor" FROM "{table}" WHERE "id" = %s{lock}',
                        [account.pk],
                    )
                    (balance,) = cursor.fetchone()
                found[(shop, currency, kind)] = (account.pk, balance)
    return found


# --- posting ----------------------------------------------------------------------------------


def _apply_balances(deltas: dict[int, int]) -> None:
    """Lock the accounts in pk order, refuse an overdraw, then add the deltas in one UPDATE
    per chunk. The check constraint on ``balance_minor`` is the database's backstop."""
    ids = sorted(pk for pk, delta in deltas.items() if delta)
    table = Account._meta.db_table
    # PostgreSQL takes arrays (any size); SQLite's UPDATE … CASE binds 3 parameters per row.
    per = 20000 if connection.vendor == "postgresql" else 9000
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    for start in range(0, len(ids), per):
        chunk = ids[start : start + per]
        where, params = ids_where('"id"', chunk)
        with connection.cursor() as cursor:
            cursor.execute(
                f'SELECT "id", "kind", "balance_minor" FROM "{table}" WHERE {where} '
                f'ORDER BY "id"{lock}',
                params,
            )
            locked = cursor.fetchall()
        for pk, kind, balance in locked:
            after = balance + deltas[pk]
            if (kind in NON_NEGATIVE_KINDS and after < 0) or (
                kind in NON_POSITIVE_KINDS and after > 0
            ):
                raise Conflict(
                    "insufficient_funds",
                    _("There is not enough money on this balance for this operation."),
                    {"account": pk, "balance_minor": balance, "needed_minor": -deltas[pk]},
                )
        try:
            with transaction.atomic():  # one UPDATE per chunk, each account its own delta
                update_by_id(
                    table,
                    values={pk: deltas[pk] for pk in chunk},
                    set_sql='"balance_minor" = "balance_minor" + {v}',
                )
        except IntegrityError as exc:  # pragma: no cover - the check above comes first
            raise Conflict(
                "insufficient_funds",
                _("There is not enough money on this balance for this operation."),
            ) from exc


def entries_write(specs: Sequence[EntrySpec]) -> list[int]:
    """Write many entries at once (``raw_entries_write``). Returns the entries' pks in the
    order of ``specs``."""
    return raw_entries_write([_raw(spec) for spec in specs])


def raw_entries_write(entries: Sequence[RawEntry]) -> list[int]:
    """Write many entries at once (set-based, raw multi-row INSERTs): balanced, new keys only
    (call under your locks; a key already used fails on its unique constraint). Returns the
    entries' pks in the order of ``entries``."""
    for entry in entries:
        _check_balanced(entry)
    if not entries:
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
            (new_public_id(), e.kind, e.idempotency_key, e.order_id, e.shop_id, e.memo[:200])
            for e in entries
        ],
        consts={"created_at": created_at},
        returning=("id", "idempotency_key"),
    )
    pk_of = {key: pk for pk, key in returned}
    entry_ids = [pk_of[e.idempotency_key] for e in entries]
    rows = []
    deltas: dict[int, int] = defaultdict(int)
    for entry_id, entry in zip(entry_ids, entries, strict=True):
        for account, amount, currency, hold in entry.legs:
            rows.append((entry_id, account, amount, currency, hold))
            deltas[account] += amount
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
