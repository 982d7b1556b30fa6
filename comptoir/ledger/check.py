"""``ledger_check``: the invariants, verified from the postings themselves."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum

from comptoir.core import clock
from comptoir.core.money import Money
from comptoir.core.outbox import OutboxMessage, OutboxState

from .enums import NON_NEGATIVE_KINDS, AccountKind, HoldKind, TransferState
from .models import Account, EscrowHold, JournalEntry, Payout, Posting, Refund
from .services.transfers import LEDGER_OUTBOX_KINDS

STUCK_AFTER = dt.timedelta(hours=6)


@dataclass
class CheckReport:
    entries: int = 0
    held: dict[str, int] = field(default_factory=dict)
    released: dict[str, int] = field(default_factory=dict)
    refunded: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @staticmethod
    def _fmt(amounts: dict[str, int]) -> str:
        if not amounts:
            return "EUR:0.00"
        return ",".join(
            f"{c}:{Money.from_minor(m, c).quantize().amount}" for c, m in sorted(amounts.items())
        )

    def summary(self) -> str:
        return (
            f"entries={self.entries} held={self._fmt(self.held)} "
            f"released={self._fmt(self.released)} refunded={self._fmt(self.refunded)}"
        )


def ledger_check(*, limit: int = 50) -> CheckReport:
    report = CheckReport(entries=JournalEntry.objects.count())
    problems = report.problems
    # 1. Every entry balances per currency, and has postings.
    for row in (
        Posting.objects.values("entry_id", "currency")
        .annotate(total=Sum("amount_minor"))
        .exclude(total=0)[:limit]
    ):
        problems.append(
            f"entry {row['entry_id']} does not balance in {row['currency']}: {row['total']}"
        )
    empty = JournalEntry.objects.annotate(n=Count("postings")).filter(n__lt=2).count()
    if empty:
        problems.append(f"{empty} entries have fewer than two postings")
    # 2. Cached balances are the sums of postings; no account where it must not be.
    sums = dict(
        Posting.objects.values("account_id")
        .annotate(t=Sum("amount_minor"))
        .values_list("account_id", "t")
    )
    for pk, key, kind, balance in Account.objects.values_list("pk", "key", "kind", "balance_minor"):
        actual = sums.get(pk, 0) or 0
        if actual != balance:
            problems.append(f"account {key}: cached balance {balance} != sum of postings {actual}")
        if kind in NON_NEGATIVE_KINDS and actual < 0:
            problems.append(f"account {key} is negative: {actual}")
        if kind == AccountKind.PROVIDER_CLEARING and actual > 0:
            problems.append(f"account {key}: more paid out than captured ({actual})")
        if kind == AccountKind.SELLER_RECEIVABLE and actual > 0:
            problems.append(f"account {key}: the platform owes it ({actual}), it should not")
        if len(problems) > limit:
            break
    # 3. Every hold's escrow postings = captured - released - refunded.
    by_hold = dict(
        Posting.objects.filter(hold__isnull=False)
        .values("hold_id")
        .annotate(t=Sum("amount_minor"))
        .values_list("hold_id", "t")
    )
    held: dict[str, int] = defaultdict(int)
    released: dict[str, int] = defaultdict(int)
    refunded: dict[str, int] = defaultdict(int)
    for pk, currency, amount, rel, ref in EscrowHold.objects.values_list(
        "pk", "currency", "amount_minor", "released_minor", "refunded_minor"
    ).iterator(chunk_size=5000):
        remaining = amount - rel - ref
        if by_hold.get(pk, 0) != remaining and len(problems) <= limit:
            problems.append(f"hold {pk}: escrow postings {by_hold.get(pk, 0)} != held {remaining}")
        held[currency] += remaining
        released[currency] += rel
        refunded[currency] += ref
    # Escrow accounts hold exactly their holds.
    escrow_by_order = dict(
        EscrowHold.objects.values("order_id")
        .annotate(t=Sum(F("amount_minor") - F("released_minor") - F("refunded_minor")))
        .values_list("order_id", "t")
    )
    for order_id, balance in Account.objects.filter(kind=AccountKind.ESCROW).values_list(
        "order_id", "balance_minor"
    ):
        if escrow_by_order.get(order_id, 0) != balance and len(problems) <= limit:
            problems.append(
                f"escrow of order {order_id}: {balance} != its holds {escrow_by_order.get(order_id, 0)}"
            )
    # 4. Nobody refunded more than paid: refunds (less seller-paid postage) = holds' refunds.
    refund_rows = Refund.objects.values("order_id").annotate(
        t=Sum("amount_minor"), p=Sum("postage_minor")
    )
    refunds = {r["order_id"]: r["t"] - r["p"] for r in refund_rows}
    hold_refunds = dict(
        EscrowHold.objects.filter(refunded_minor__gt=0)
        .values("order_id")
        .annotate(t=Sum("refunded_minor"))
        .values_list("order_id", "t")
    )
    if refunds != hold_refunds:
        problems.append("refunds do not match the holds' refunded amounts")
    bad_shipping = EscrowHold.objects.filter(kind=HoldKind.SHIPPING, refunded_minor__gt=0).exclude(
        order_id__in=EscrowHold.objects.filter(kind=HoldKind.LINE)
        .exclude(refunded_minor=F("amount_minor"))
        .values("order_id")
    )
    shipping_wrong = (
        EscrowHold.objects.filter(kind=HoldKind.SHIPPING, refunded_minor__gt=0).count()
        - bad_shipping.count()
    )
    if shipping_wrong:
        problems.append(f"{shipping_wrong} orders had shipping refunded without every line")
    # 5. A seller's debt is recovered before they are credited: never a debt and an available
    # balance at once.
    debtors = Account.objects.filter(kind=AccountKind.SELLER_RECEIVABLE, balance_minor__lt=0)
    both = Account.objects.filter(
        kind=AccountKind.SELLER_PAYABLE,
        balance_minor__gt=0,
        shop_id__in=debtors.values("shop_id"),
        currency__in=debtors.values("currency"),
    ).values_list("key", flat=True)
    for key in both[:limit]:
        problems.append(f"account {key}: available while the seller owes the platform")
    # 6. Nothing stuck: provider calls dead in the outbox, or pending for too long; transfers failed.
    stuck = OutboxMessage.objects.filter(kind__in=LEDGER_OUTBOX_KINDS).filter(
        Q(state=OutboxState.DEAD)
        | Q(
            state=OutboxState.PENDING, created_at__lt=clock.wall_now() - STUCK_AFTER, attempts__gt=0
        )
    )
    for message in stuck[:limit]:
        problems.append(
            f"outbox {message.kind} #{message.pk} stuck ({message.state}): {message.last_error[:120]}"
        )
    for model in (Refund, Payout):
        for public_id, error in model.objects.filter(state=TransferState.FAILED).values_list(
            "public_id", "last_error"
        )[:limit]:
            problems.append(
                f"{model.__name__.lower()} {public_id} failed at the provider: {error[:120]}"
            )
    report.held, report.released, report.refunded = dict(held), dict(released), dict(refunded)
    return report
