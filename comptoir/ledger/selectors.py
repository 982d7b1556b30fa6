"""Ledger reads: an order's protection, a seller's balances and statement, transfers for staff."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet, Sum

from comptoir.accounts.models import Shop
from comptoir.core import clock
from comptoir.core.errors import NotFound
from comptoir.core.money import Money
from comptoir.core.pagination import Page, paginate

from . import conf
from .enums import AccountKind, HoldKind, HoldState, TransferState
from .models import Account, EscrowHold, Payout, Posting, Refund


@dataclass(frozen=True)
class LineProtection:
    hold: EscrowHold
    title_fr: str
    title_en: str
    amount: Money
    held: Money
    released: Money
    refunded: Money
    frozen: bool


@dataclass(frozen=True)
class Protection:
    currency: str
    paid: Money
    held: Money
    released: Money
    commission: Money
    refunded: Money
    lines: list[LineProtection]
    ends_at: dt.datetime | None  # when the held money is released (if nothing is frozen)
    days_left: int | None
    hours_left: int | None
    basis: str  # "delivered" / "not_delivered" / "not_shipped" / "settled"
    frozen: bool
    refunds: list[Refund]
    hold_days: int  # the settings' protection rules, for the texts that explain them
    grace_days: int
    promised_date: dt.date | None  # not delivered yet: the seller's promised delivery date
    past_promised: bool  # not delivered and the promised date has passed

    @property
    def state(self) -> str:
        if self.held:
            return "held"
        if self.released and self.refunded:
            return "partly_refunded"
        return "released" if self.released else "refunded"


def protection_ends_at(order: Any) -> tuple[dt.datetime | None, str]:
    if order.delivered_at is not None:
        return order.delivered_at + dt.timedelta(days=conf.hold_days()), "delivered"
    if order.promised_delivery_date is not None:
        day = order.promised_delivery_date + dt.timedelta(days=conf.not_received_grace_days())
        return dt.datetime.combine(day, dt.time(0, 0), tzinfo=dt.UTC), "not_delivered"
    return None, "not_shipped"


def order_protection(*, order: Any) -> Protection | None:
    """The protection of an order the caller may already see (None when nothing was captured)."""
    holds = list(EscrowHold.objects.filter(order_id=order.pk).order_by("kind", "pk"))
    if not holds:
        return None
    currency = holds[0].currency
    titles = {line.pk: line for line in order.lines.all()}

    def total(attr: str) -> Money:
        return Money.from_minor(sum(getattr(h, attr) for h in holds), currency)

    lines = []
    for hold in holds:
        if hold.kind != HoldKind.LINE:
            continue
        line = titles.get(hold.order_line_id)
        lines.append(
            LineProtection(
                hold=hold,
                title_fr=line.title_fr if line else "",
                title_en=line.title_en if line else "",
                amount=hold.money(hold.amount_minor),
                held=hold.remaining,
                released=hold.money(hold.released_minor),
                refunded=hold.money(hold.refunded_minor),
                frozen=bool(hold.frozen_by) and hold.state == HoldState.HELD,
            )
        )
    held = Money.from_minor(sum(h.remaining_minor for h in holds), currency)
    ends_at, basis = protection_ends_at(order)
    promised = order.promised_delivery_date if order.delivered_at is None else None
    if not held:
        basis = "settled"
    days_left = hours_left = None
    if ends_at is not None and held:
        left = ends_at - clock.now()
        seconds = max(0, int(left.total_seconds()))
        days_left, hours_left = seconds // 86400, (seconds % 86400) // 3600
    return Protection(
        currency=currency,
        paid=total("amount_minor"),
        held=held,
        released=total("released_minor"),
        commission=total("commission_minor"),
        refunded=total("refunded_minor"),
        lines=lines,
        ends_at=ends_at,
        days_left=days_left,
        hours_left=hours_left,
        basis=basis,
        frozen=any(line.frozen for line in lines),
        refunds=list(Refund.objects.filter(order_id=order.pk).order_by("created_at", "pk")),
        hold_days=conf.hold_days(),
        grace_days=conf.not_received_grace_days(),
        promised_date=promised,
        past_promised=promised is not None and promised < clock.now().astimezone(dt.UTC).date(),
    )


# --- sellers ----------------------------------------------------------------------------------


def seller_shop(*, user: Any, slug: str | None = None) -> Shop:
    """The shop whose money ``user`` may see (their first shop, or ``slug``); else NotFound."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotFound()
    shops = Shop.objects.filter(memberships__user=user).order_by("pk")
    if slug:
        shops = shops.filter(slug=slug)
    shop = shops.first()
    if shop is None:
        raise NotFound()
    return shop


@dataclass(frozen=True)
class Balance:
    shop: Shop
    currency: str
    held: Money
    available: Money
    in_transit: Money
    paid_out: Money
    # Owed to the platform: return postage it advanced while ``available`` was short,
    # recovered from the next releases (``seller_receivable``).
    owed: Money


def seller_balance(*, shop: Shop, currency: str = "EUR") -> Balance:
    def account_sum(kind: str) -> int:
        return int(
            Account.objects.filter(shop=shop, kind=kind, currency=currency).aggregate(
                t=Sum("balance_minor")
            )["t"]
            or 0
        )

    paid = Payout.objects.filter(
        shop=shop, currency=currency, state=TransferState.SUCCEEDED
    ).aggregate(t=Sum("amount_minor"))["t"]
    return Balance(
        shop=shop,
        currency=currency,
        held=Money.from_minor(account_sum(AccountKind.ESCROW), currency),
        available=Money.from_minor(account_sum(AccountKind.SELLER_PAYABLE), currency),
        in_transit=Money.from_minor(account_sum(AccountKind.PAYOUTS_IN_TRANSIT), currency),
        paid_out=Money.from_minor(int(paid or 0), currency),
        owed=Money.from_minor(-account_sum(AccountKind.SELLER_RECEIVABLE), currency),
    )


STATEMENT_ACCOUNTS = {
    "held": (AccountKind.ESCROW,),
    "available": (AccountKind.SELLER_PAYABLE,),
    "paid_out": (AccountKind.PAYOUTS_IN_TRANSIT,),
}


def seller_statement(
    *, shop: Shop, account: str = "available", cursor: str | None = None, limit: int = 20
) -> Page[Posting]:
    """The journal lines behind one balance, newest first (keyset-paginated)."""
    kinds = STATEMENT_ACCOUNTS.get(account)
    if kinds is None:
        raise NotFound()
    postings: QuerySet[Posting] = Posting.objects.filter(
        account__shop=shop, account__kind__in=kinds
    ).select_related("entry", "entry__order", "hold")
    return paginate(postings, order=("-created_at", "-pk"), cursor=cursor, limit=limit)


def seller_payouts(*, shop: Shop, cursor: str | None = None, limit: int = 20) -> Page[Payout]:
    return paginate(
        Payout.objects.filter(shop=shop), order=("-created_at", "-pk"), cursor=cursor, limit=limit
    )


def transfers_needing_staff() -> tuple[list[Refund], list[Payout]]:
    """Refunds and payouts the provider refused after the last retry (money still in transit)."""
    failed = Q(state=TransferState.FAILED)
    return (
        list(Refund.objects.filter(failed).select_related("order").order_by("created_at")[:200]),
        list(Payout.objects.filter(failed).select_related("shop").order_by("created_at")[:200]),
    )


# --- staff: failed transfers ------------------------------------------------------------------

TRANSFER_KINDS: dict[str, type[Refund] | type[Payout]] = {"refunds": Refund, "payouts": Payout}


def is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_staff_member)


def failed_transfers(
    *, user: Any, kind: str = "refunds", cursor: str | None = None, limit: int = 25
) -> Page[Any]:
    """Staff: refunds or payouts the provider refused after the last retry, oldest first
    (keyset-paginated). NotFound for anyone else."""
    model = TRANSFER_KINDS.get(kind)
    if model is None or not is_staff(user):
        raise NotFound()
    related = "order" if model is Refund else "shop"
    rows = model.objects.filter(state=TransferState.FAILED).select_related(related)  # type: ignore[attr-defined]
    return paginate(rows, order=("created_at", "pk"), cursor=cursor, limit=limit)


def failed_transfer_get(*, user: Any, public_id: str) -> Refund | Payout:
    """Staff: one failed refund or payout by its public id; NotFound otherwise."""
    if not is_staff(user) or not public_id:
        raise NotFound()
    for model in (Refund, Payout):
        row = (
            model.objects.filter(public_id=public_id, state=TransferState.FAILED)  # type: ignore[attr-defined]
            .select_related("order" if model is Refund else "shop")
            .first()
        )
        if row is not None:
            return row  # type: ignore[no-any-return]
    raise NotFound()
