"""A Stripe-style adapter: form-encoded POSTs to ``/v1/payment_intents``, ``/v1/refunds`` and
``/v1/payouts`` with ``Authorization: Bearer <secret key>`` and an ``Idempotency-Key`` header on
every write; webhooks signed ``Stripe-Signature: t=…,v1=…``. stdlib HTTP, a timeout on every call."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

from comptoir.core.money import Money

from . import signing
from .base import (
    ProviderDeclined,
    ProviderError,
    ProviderResult,
    ProviderUnavailable,
    WebhookRejected,
)


def _form(params: dict[str, Any]) -> bytes:
    """Stripe's encoding: nested dicts as ``metadata[key]=value``."""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        if isinstance(value, dict):
            for sub, subvalue in value.items():
                pairs.append((f"{key}[{sub}]", str(subvalue)))
        elif isinstance(value, bool):
            pairs.append((key, "true" if value else "false"))
        else:
            pairs.append((key, str(value)))
    return urllib.parse.urlencode(pairs).encode()


class StripeProvider:
    def __init__(
        self,
        *,
        name: str,
        base_url: str,
        secret_key: str,
        webhook_secret: str,
        timeout: float = 10,
        tolerance: int = 300,
    ) -> None:
        self.name = name
        self.base_url = base_url.rstrip("/")
        self.secret_key = secret_key
        self.webhook_secret = webhook_secret
        self.timeout = timeout
        self.tolerance = tolerance

    # --- HTTP -------------------------------------------------------------------------------
    def _post(self, path: str, params: dict[str, Any], *, idempotency_key: str) -> dict[str, Any]:
        request = urllib.request.Request(
            self.base_url + path,
            data=_form(params),
            method="POST",
            headers={
                "Authorization": f"Bearer {self.secret_key}",
                "Content-Type": "application/x-www-form-urlencoded",
                "Idempotency-Key": idempotency_key,
                "Stripe-Version": "2024-06-20",
                "User-Agent": "Comptoir/1 (+ledger)",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return dict(json.loads(response.read().decode() or "{}"))
        except urllib.error.HTTPError as exc:
            body = exc.read().decode(errors="replace")
            try:
                error = json.loads(body).get("error", {})
            except ValueError:
                error = {}
            message = f"{exc.code} {error.get('message') or body[:200]}"
            code = str(error.get("code") or error.get("type") or "http_error")
            if exc.code >= 500 or exc.code == 429:
                raise ProviderUnavailable(message, code=code, status=exc.code) from exc
            if exc.code == 401:
                raise ProviderError(message, code=code, status=exc.code) from exc
            raise ProviderDeclined(message, code=code, status=exc.code) from exc
        except TimeoutError as exc:
            raise ProviderUnavailable("timeout", code="timeout") from exc
        except urllib.error.URLError as exc:
            raise ProviderUnavailable(f"unreachable: {exc.reason}", code="unreachable") from exc

    @staticmethod
    def _result(data: dict[str, Any]) -> ProviderResult:
        return ProviderResult(
            id=str(data.get("id", "")),
            object_type=str(data.get("object", "")),
            status=str(data.get("status", "")),
            data=data,
        )

    # --- calls ------------------------------------------------------------------------------
    def create_payment_intent(
        self, *, amount: Money, idempotency_key: str, metadata: dict[str, str]
    ) -> ProviderResult:
        params = {
            "amount": amount.minor_units,
            "currency": amount.currency.lower(),
            "confirm": True,
            "payment_method": "pm_card_visa",
            "metadata": metadata,
        }
        return self._result(
            self._post("/v1/payment_intents", params, idempotency_key=idempotency_key)
        )

    def create_refund(
        self,
        *,
        payment_intent: str,
        amount: Money,
        idempotency_key: str,
        metadata: dict[str, str],
    ) -> ProviderResult:
        params = {
            "payment_intent": payment_intent,
            "amount": amount.minor_units,
            "metadata": metadata,
        }
        return self._result(self._post("/v1/refunds", params, idempotency_key=idempotency_key))

    def create_payout(
        self, *, amount: Money, destination: str, idempotency_key: str, metadata: dict[str, str]
    ) -> ProviderResult:
        params = {
            "amount": amount.minor_units,
            "currency": amount.currency.lower(),
            "destination": destination,
            "metadata": metadata,
        }
        return self._result(self._post("/v1/payouts", params, idempotency_key=idempotency_key))

    def parse_webhook(self, *, payload: bytes, signature_header: str) -> dict[str, Any]:
        signing.verify(
            payload, signature_header, secret=self.webhook_secret, tolerance=self.tolerance
        )
        try:
            event = json.loads(payload.decode())
        except (ValueError, UnicodeDecodeError) as exc:
            raise WebhookRejected("invalid_payload", "The payload is not JSON.") from exc
        if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
            raise WebhookRejected("invalid_payload", "Not an event.")
        return event
