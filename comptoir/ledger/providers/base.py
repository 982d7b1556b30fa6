"""The payment-provider interface, its errors, and the factory."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings

from comptoir.core.money import Money


class ProviderError(Exception):
    """Any failure of a provider call. ``retryable`` says whether the same request may succeed later."""

    retryable = True

    def __init__(self, message: str, *, code: str = "provider_error", status: int = 0) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


class ProviderUnavailable(ProviderError):
    """Timeout, connection refused, 5xx, 429: retry the same request (same idempotency key)."""


class ProviderDeclined(ProviderError):
    """The provider refused the request (4xx): this attempt is over; a new one needs a new key."""

    retryable = False


class WebhookRejected(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class ProviderResult:
    id: str
    object_type: str
    status: str  # succeeded / pending / failed (payment intents: succeeded / processing)
    data: dict[str, Any] = field(default_factory=dict)


class PaymentProvider(Protocol):
    name: str

    def create_payment_intent(
        self, *, amount: Money, idempotency_key: str, metadata: dict[str, str]
    ) -> ProviderResult: ...

    def create_refund(
        self,
        *,
        payment_intent: str,
        amount: Money,
        idempotency_key: str,
        metadata: dict[str, str],
    ) -> ProviderResult: ...

    def create_payout(
        self, *, amount: Money, destination: str, idempotency_key: str, metadata: dict[str, str]
    ) -> ProviderResult: ...

    def parse_webhook(self, *, payload: bytes, signature_header: str) -> dict[str, Any]:
        """The verified event, or ``WebhookRejected`` (bad signature, stale timestamp, bad JSON)."""
        ...


_lock = threading.Lock()
_provider: PaymentProvider | None = None


def get_provider() -> PaymentProvider:
    """The configured provider (one per process)."""
    global _provider
    with _lock:
        if _provider is None:
            from .stripe import StripeProvider

            kind = str(getattr(settings, "PAYMENT_PROVIDER", "sandbox"))
            url = str(getattr(settings, "PAYMENT_PROVIDER_URL", "") or "")
            if not url:
                if kind != "sandbox":
                    raise RuntimeError("PAYMENT_PROVIDER_URL is required for a real provider.")
                from .sandbox import ensure_local_sandbox

                url = ensure_local_sandbox().url
            _provider = StripeProvider(
                name=kind,
                base_url=url,
                secret_key=str(settings.PAYMENT_PROVIDER_SECRET_KEY),
                webhook_secret=str(settings.PAYMENT_PROVIDER_WEBHOOK_SECRET),
                timeout=float(settings.PAYMENT_PROVIDER_TIMEOUT),
                tolerance=int(settings.PAYMENT_WEBHOOK_TOLERANCE),
            )
        return _provider


def reset_provider(provider: PaymentProvider | None = None) -> None:
    """Tests: forget (or replace) the process's provider."""
    global _provider
    with _lock:
        _provider = provider
