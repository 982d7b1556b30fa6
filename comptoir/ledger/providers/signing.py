"""Webhook signatures: ``Stripe-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "t.payload">``."""

from __future__ import annotations

import hashlib
import hmac
import time  # noqa: F401

from .base import WebhookRejected

SIGNATURE_HEADER = "Stripe-Signature"


def _unix_now() -> float:
    """Webhook timestamps are real Unix time (the provider's clock, not the movable one)."""
    from comptoir.core.clock import wall_now

    return wall_now().timestamp()


def compute_signature(payload: bytes, *, secret: str, timestamp: int) -> str:
    signed = f"{timestamp}.".encode() + payload
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def sign(payload: bytes, *, secret: str, timestamp: int | None = None) -> str:
    """The header value for ``payload``."""
    ts = int(_unix_now()) if timestamp is None else int(timestamp)
    return f"t={ts},v1={compute_signature(payload, secret=secret, timestamp=ts)}"


def verify(
    payload: bytes, header: str, *, secret: str, tolerance: int, now: float | None = None
) -> int:
    """Check the header against ``payload``; returns the timestamp or raises WebhookRejected.

    Any ``v1`` may match (secrets being rolled); the timestamp must be within ``tolerance``
    seconds of now, so a captured request cannot be replayed later."""
    timestamp: int | None = None
    candidates: list[str] = []
    for part in (header or "").split(","):
        name, _sep, value = part.strip().partition("=")
        if name == "t":
            try:
                timestamp = int(value)
            except ValueError:
                timestamp = None
        elif name == "v1" and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        raise WebhookRejected("invalid_signature", "Malformed signature header.")
    expected = compute_signature(payload, secret=secret, timestamp=timestamp)
    if not any(hmac.compare_digest(expected, c) for c in candidates):
        raise WebhookRejected("invalid_signature", "The signature does not match.")
    current = _unix_now() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise WebhookRejected("stale_signature", "The signature timestamp is too old.")
    return timestamp
