"""The double-entry ledger: accounts, immutable journal entries and their postings, escrow holds
per order line, refunds, payouts, provider objects and webhook events.

Invariants held by the database: postings are never zero; every entry has a unique idempotency
key; an account that must not go negative has a cached balance with a check constraint (the
cached balance equals the sum of its postings, which ``ledger_check`` verifies); a hold never
gives back more than was captured. Entries balancing per currency is enforced by the one
writer (``services.posting.entry_post``) and verified by ``ledger_check``."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q

from comptoir.core import clock
from comptoir.core.ids import new_public_id
from comptoir.core.money import Money

from .enums import (
    NON_NEGATIVE_KINDS,
    NON_POSITIVE_KINDS,
    AccountKind,
    EntryKind,
    HoldKind,
    HoldState,
    TransferState,
)


class ImmutableError(RuntimeError):
    pass


class Account(models.Model):
    """``key`` is the natural key: ``escrow:order:<id>``, ``payable:shop:<id>:EUR``, ``clearing:EUR``…"""

    key = models.CharField(max_length=80, unique=True)
    kind = models.CharField(max_length=20, choices=AccountKind.choices)
    currency = models.CharField(max_length=3)
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    shop = models.ForeignKey(
        "accounts.Shop", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Sum of this account's postings, maintained in the posting's transaction (checked by
    # ledger_check); the check constraint below is what refuses an overdraw.
    balance_minor = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        indexes = [models.Index(fields=["shop", "kind"], name="ledger_account_shop_kind")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=AccountKind.values), name="ledger_account_kind_valid"
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=sorted(NON_NEGATIVE_KINDS)) | Q(balance_minor__gte=0),
                name="ledger_account_not_overdrawn",
            ),
            models.CheckConstraint(
                condition=~Q(kind=AccountKind.PROVIDER_CLEARING) | Q(balance_minor__lte=0),
                name="ledger_clearing_not_positive",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=sorted(NON_POSITIVE_KINDS)) | Q(balance_minor__lte=0),
                name="ledger_asset_not_positive",
            ),
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(kind=AccountKind.ESCROW),
                name="ledger_one_escrow_per_order",
            ),
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def balance(self) -> Money:
        return Money.from_minor(self.balance_minor, self.currency)


class JournalEntry(models.Model):
    """One balanced movement. Never updated, never deleted."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    idempotency_key = models.CharField(max_length=255, unique=True)
    # Indexed by ``ledger_entry_order`` (order, created_at): no second index on order alone.
    order = models.ForeignKey(
        "orders.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    shop = models.ForeignKey(
        "accounts.Shop", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    memo = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        verbose_name_plural = "journal entries"
        indexes = [models.Index(fields=["order", "created_at"], name="ledger_entry_order")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=EntryKind.values), name="ledger_entry_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.idempotency_key}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None and not self._state.adding:
            raise ImmutableError("Journal entries are immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ImmutableError("Journal entries are immutable.")


class Posting(models.Model):
    """One side of an entry: a signed amount on one account (sum per entry and currency = 0)."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    # Indexed by ``ledger_posting_account`` (account, -created_at, -id) and ``ledger_posting_hold``:
    # no second, single-column index on either (every release writes several postings per order).
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="postings", db_index=False
    )
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    # The escrow hold this posting moves (escrow postings only): escrow per line is auditable.
    hold = models.ForeignKey(
        "ledger.EscrowHold",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["account", "-created_at", "-id"], name="ledger_posting_account"),
            models.Index(
                fields=["hold"], condition=Q(hold__isnull=False), name="ledger_posting_hold"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(amount_minor=0), name="ledger_posting_not_zero"),
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount_minor} {self.currency}"

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.pk is not None and not self._state.adding:
            raise ImmutableError("Postings are immutable.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ImmutableError("Postings are immutable.")

    @property
    def amount(self) -> Money:
        return Money.from_minor(self.amount_minor, self.currency)


class EscrowHold(models.Model):
    """What the platform holds for one order line (or the order's shipping), and what became of it.

    ``amount`` was captured; ``released`` went to the seller (``commission`` of it to the
    platform); ``refunded`` went back to the buyer; the rest is still held."""

    # Indexed by ``ledger_hold_order`` (order, kind).
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    order_line = models.OneToOneField(
        "orders.OrderLine", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Not indexed: holds are never looked up by shop (sellers' balances are accounts).
    shop = models.ForeignKey(
        "accounts.Shop", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=10, choices=HoldKind.choices)
    currency = models.CharField(max_length=3)
    amount_minor = models.BigIntegerField()
    released_minor = models.BigIntegerField(default=0)
    commission_minor = models.BigIntegerField(default=0)
    refunded_minor = models.BigIntegerField(default=0)
    state = models.CharField(max_length=10, choices=HoldState.choices, default=HoldState.HELD)
    # Frozen while a dispute or a return request is active: the release sweep leaves it alone.
    frozen_by = models.CharField(max_length=100, blank=True, default="")
    released_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    # Row claims of the release sweep (core.leases.claim_rows).
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, default="")
    # When protection ends for this hold (``services.escrow.release_due_at_for``): delivered +
    # PROTECTION_HOLD_DAYS, or never delivered and promised date + NOT_RECEIVED_GRACE_DAYS; null
    # while neither is known. Set at capture and kept current by the orders' date hook; the
    # release sweep claims on it (index below) and re-checks the order's own dates before paying.
    release_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # (No index on held holds by order: ``ledger_hold_order`` serves those lookups, and
            # every index here is rewritten twice per hold by the release sweep.)
            models.Index(
                fields=["release_due_at", "id"],
                condition=Q(state=HoldState.HELD, frozen_by="", release_due_at__isnull=False),
                name="ledger_hold_due",
            ),
            models.Index(
                fields=["order"],
                condition=Q(state=HoldState.HELD, release_due_at__isnull=True),
                name="ledger_hold_undated",
            ),
            models.Index(fields=["order", "kind"], name="ledger_hold_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=HoldState.values), name="ledger_hold_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=HoldKind.values), name="ledger_hold_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(amount_minor__gt=0, released_minor__gte=0, refunded_minor__gte=0)
                & Q(amount_minor__gte=F("released_minor") + F("refunded_minor"))
                & Q(commission_minor__gte=0, commission_minor__lte=F("released_minor")),
                name="ledger_hold_never_overdrawn",
            ),
            models.CheckConstraint(
                condition=(
                    Q(state=HoldState.HELD)
                    & Q(amount_minor__gt=F("released_minor") + F("refunded_minor"))
                )
                | (
                    ~Q(state=HoldState.HELD)
                    & Q(amount_minor=F("released_minor") + F("refunded_minor"))
                ),
                name="ledger_hold_state_matches_amounts",
            ),
            models.CheckConstraint(
                condition=Q(kind=HoldKind.SHIPPING, order_line__isnull=True)
                | Q(kind=HoldKind.LINE, order_line__isnull=False),
                name="ledger_hold_kind_line",
            ),
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(kind=HoldKind.SHIPPING),
                name="ledger_one_shipping_hold_per_order",
            ),
        ]

    def __str__(self) -> str:
        return f"hold {self.pk} ({self.kind}, {self.state})"

    @property
    def remaining_minor(self) -> int:
        return self.amount_minor - self.released_minor - self.refunded_minor

    def money(self, minor: int) -> Money:
        return Money.from_minor(minor, self.currency)

    @property
    def remaining(self) -> Money:
        return self.money(self.remaining_minor)


class _Transfer(models.Model):
    """Money leaving through the provider: a refund or a payout."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    idempotency_key = models.CharField(max_length=255, unique=True)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    state = models.CharField(
        max_length=12, choices=TransferState.choices, default=TransferState.IN_TRANSIT
    )
    # One provider request per attempt, each with its own idempotency key (``<public_id>:<n>``).
    attempt = models.PositiveSmallIntegerField(default=1)
    provider = models.CharField(max_length=30)
    provider_id = models.CharField(max_length=100, blank=True, default="")
    last_error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=clock.now, editable=False)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def amount(self) -> Money:
        return Money.from_minor(self.amount_minor, self.currency)

    def provider_key(self) -> str:
        return f"{self.public_id}:{self.attempt}"


class Refund(_Transfer):
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=40)
    # Of the amount: return postage charged to the seller (seller-paid returns)…
    postage_minor = models.BigIntegerField(default=0)
    # …of which the platform advanced this much because the seller's available balance was short
    # (the seller's receivable, recovered from their next releases).
    postage_advanced_minor = models.BigIntegerField(default=0)
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["order", "created_at"], name="ledger_refund_order")]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_minor__gt=0, postage_minor__gte=0)
                & Q(amount_minor__gte=F("postage_minor"))
                & Q(postage_advanced_minor__gte=0)
                & Q(postage_minor__gte=F("postage_advanced_minor")),
                name="ledger_refund_positive",
            ),
            models.CheckConstraint(
                condition=Q(state__in=TransferState.values), name="ledger_refund_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"refund {self.public_id}"


class Payout(_Transfer):
    shop = models.ForeignKey("accounts.Shop", on_delete=models.PROTECT, related_name="+")
    destination = models.CharField(max_length=100)
    requested_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["shop", "-created_at", "-id"], name="ledger_payout_shop")]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="ledger_payout_positive"),
            models.CheckConstraint(
                condition=Q(state__in=TransferState.values), name="ledger_payout_state_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"payout {self.public_id}"


class ProviderObject(models.Model):
    """What the provider answered for one request: a payment intent, a refund or a payout."""

    provider = models.CharField(max_length=30)
    object_type = models.CharField(max_length=30)  # payment_intent / refund / payout
    external_id = models.CharField(max_length=100)
    idempotency_key = models.CharField(max_length=255)
    status = models.CharField(max_length=30)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "external_id"], name="ledger_provider_object_unique"
            ),
            models.UniqueConstraint(
                fields=["provider", "idempotency_key"], name="ledger_provider_object_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.object_type} {self.external_id}"


class WebhookEvent(models.Model):
    """A verified provider event, stored once per event id (replays are no-ops)."""

    provider = models.CharField(max_length=30)
    event_id = models.CharField(max_length=100)
    event_type = models.CharField(max_length=60)
    payload = models.JSONField(default=dict)
    received_at = models.DateTimeField(default=clock.now)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="ledger_webhook_once"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.event_type} {self.event_id}"
