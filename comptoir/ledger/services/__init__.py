"""Ledger services: every write that moves money. See each module."""

from .escrow import (
    escrow_capture,
    escrow_freeze,
    escrow_release,
    escrow_release_due,
    escrow_unfreeze,
    ledger_capture_for_order,
    orders_complete_released,
    orders_lock,
)
from .payouts import payout_request
from .posting import EntrySpec, Leg, Unbalanced, entry_post
from .refunds import refund_after_return, refund_full, refund_partial
from .transfers import (
    failed_transfer_retry,
    transfer_attempt_failed,
    transfer_retry,
    transfer_settle,
)
from .webhooks import webhook_receive

__all__ = [
    "EntrySpec",
    "Leg",
    "Unbalanced",
    "entry_post",
    "escrow_capture",
    "failed_transfer_retry",
    "escrow_freeze",
    "escrow_release",
    "escrow_release_due",
    "escrow_unfreeze",
    "ledger_capture_for_order",
    "orders_complete_released",
    "orders_lock",
    "payout_request",
    "refund_after_return",
    "refund_full",
    "refund_partial",
    "transfer_attempt_failed",
    "transfer_retry",
    "transfer_settle",
    "webhook_receive",
]
