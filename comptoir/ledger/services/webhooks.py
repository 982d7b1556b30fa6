"""Provider webhooks: verified (timestamped HMAC), stored once per event id, then applied."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from comptoir.core import clock
from comptoir.ledger.models import Payout, ProviderObject, Refund, WebhookEvent
from comptoir.ledger.providers import ProviderResult, get_provider

from .transfers import transfer_attempt_failed, transfer_outcome


def webhook_receive(*, provider_name: str, payload: bytes, signature_header: str) -> WebhookEvent:
    """Verify and apply one event. Raises ``WebhookRejected`` (nothing written) when the
    signature is forged or stale; the same event id twice is applied once."""
    provider = get_provider()
    if provider_name != provider.name:
        from comptoir.ledger.providers import WebhookRejected

        raise WebhookRejected("unknown_provider", "No such provider.")
    event = provider.parse_webhook(payload=payload, signature_header=signature_header)
    try:
        with transaction.atomic():
            stored, created = WebhookEvent.objects.get_or_create(
                provider=provider.name,
                event_id=str(event["id"]),
                defaults={
                    "event_type": str(event["type"])[:60],
                    "payload": event,
                    "received_at": clock.now(),
                },
            )
    except IntegrityError:  # the same event delivered twice at once
        stored, _created = (
            WebhookEvent.objects.get(provider=provider.name, event_id=event["id"]),
            False,
        )
    if stored.processed_at is not None:
        return stored
    _apply(provider.name, event)
    WebhookEvent.objects.filter(pk=stored.pk, processed_at__isnull=True).update(
        processed_at=clock.now()
    )
    stored.refresh_from_db()
    return stored


def _apply(provider: str, event: dict[str, Any]) -> None:
    obj = dict(event.get("data", {}).get("object", {}))
    event_type = str(event.get("type", ""))
    object_type, _dot, outcome = event_type.partition(".")
    external_id = str(obj.get("id", ""))
    ProviderObject.objects.filter(provider=provider, external_id=external_id).update(
        status=str(obj.get("status", "")), data=obj, updated_at=clock.now()
    )
    metadata = obj.get("metadata") or {}
    transfer: Refund | Payout | None = None
    if object_type == "refund" and metadata.get("refund"):
        transfer = Refund.objects.filter(public_id=metadata["refund"]).first()
    elif object_type == "payout" and metadata.get("payout"):
        transfer = Payout.objects.filter(public_id=metadata["payout"]).first()
    if transfer is None:
        return
    try:
        attempt = int(metadata.get("attempt", transfer.attempt))
    except (TypeError, ValueError):
        return
    result = ProviderResult(
        id=external_id, object_type=object_type, status=str(obj.get("status", "")), data=obj
    )
    if outcome in {"failed", "canceled"}:
        transfer_attempt_failed(transfer=transfer, attempt=attempt, error=f"webhook {event_type}")
    else:
        transfer_outcome(transfer=transfer, attempt=attempt, result=result)
