"""Payment providers behind one interface (base.PaymentProvider).

``get_provider()`` returns the configured adapter: the Stripe-style HTTP adapter, pointed either
at ``PAYMENT_PROVIDER_URL`` or, in the embedded default, at the loopback sandbox server started
in this process on a free port (see docs/adr/0005-payment-provider-sandbox.md)."""

from .base import (
    PaymentProvider,
    ProviderDeclined,
    ProviderError,
    ProviderResult,
    ProviderUnavailable,
    WebhookRejected,
    get_provider,
    reset_provider,
)

__all__ = [
    "PaymentProvider",
    "ProviderDeclined",
    "ProviderError",
    "ProviderResult",
    "ProviderUnavailable",
    "WebhookRejected",
    "get_provider",
    "reset_provider",
]
