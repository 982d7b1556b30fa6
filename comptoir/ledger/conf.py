"""Buyer-protection settings with their defaults (PRODUCT.md §3; all overridable in settings)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from comptoir.core.money import Money


def hold_days() -> int:
    """Money is held this many days after delivery (carrier scan or "confirm receipt")."""
    return int(getattr(settings, "PROTECTION_HOLD_DAYS", 60))


def not_received_grace_days() -> int:
    """Undelivered past the promised date: released this many days later if nothing was opened."""
    return int(getattr(settings, "NOT_RECEIVED_GRACE_DAYS", 15))


def commission_rate() -> Decimal:
    """Per cent of what is released, rounded half-even to the minor unit."""
    rate = getattr(settings, "COMMISSION_RATE", Decimal("5"))
    if isinstance(rate, float):
        raise TypeError("COMMISSION_RATE is a Decimal, never a float.")
    return Decimal(rate)


def return_postage_cap(currency: str) -> Money:
    return Money(
        Decimal(getattr(settings, "RETURN_POSTAGE_CAP", Decimal("25.00"))), currency
    ).quantize()


def provider_max_attempts() -> int:
    return int(getattr(settings, "LEDGER_PROVIDER_MAX_ATTEMPTS", 3))


def release_batch_size() -> int:
    return int(getattr(settings, "LEDGER_RELEASE_BATCH", 2000))


def release_lease_seconds() -> float:
    return float(getattr(settings, "LEDGER_RELEASE_LEASE_SECONDS", 120))
