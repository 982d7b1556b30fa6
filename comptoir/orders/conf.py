"""Order settings with their defaults (PRODUCT.md §3; override any of them in settings)."""

from __future__ import annotations

from django.conf import settings


def promised_delivery_max_days() -> int:
    """The seller's promised delivery date is at most this many days after shipment."""
    return int(getattr(settings, "ORDERS_PROMISED_DELIVERY_MAX_DAYS", 60))


def protection_hold_days() -> int:
    """Buyer protection holds the payment this many days after delivery."""
    return int(getattr(settings, "BUYER_PROTECTION_HOLD_DAYS", 60))


def not_received_release_days() -> int:
    """Undelivered past the promised date: released this many days later if no dispute."""
    return int(getattr(settings, "BUYER_PROTECTION_NOT_RECEIVED_GRACE_DAYS", 15))


def max_quantity() -> int:
    return int(getattr(settings, "ORDERS_MAX_QUANTITY", 99))


def payment_provider() -> str:
    return str(getattr(settings, "ORDERS_PAYMENT_PROVIDER", "sandbox"))
