"""Seller payouts: available balance (seller payable) → payouts in transit → the seller's bank."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.core import clock
from comptoir.core.errors import Conflict, ValidationFailed
from comptoir.core.money import Money
from comptoir.ledger.enums import AccountKind, EntryKind
from comptoir.ledger.models import Payout

from .posting import EntrySpec, Leg, account_get_or_create, entry_post
from .transfers import enqueue_payout


def payout_destination(shop: Any) -> str:
    """The shop's bank account at the provider (the sandbox accepts any ``ba_…``)."""
    return f"ba_sbx_shop_{shop.pk}"


@transaction.atomic
def payout_request(
    *, shop: Any, amount: Money, idempotency_key: str, requested_by: Any = None
) -> Payout:
    """Pay ``amount`` of the shop's available balance to its bank account through the provider.

    Refuses more than is available (``insufficient_funds``); the same key again returns the
    first payout (and refuses a different amount: ``idempotency_key_reused``)."""
    if not idempotency_key or len(idempotency_key) > 200:
        raise ValidationFailed(_("An idempotency key of 1 to 200 characters is required."))
    minor = amount.quantize().minor_units
    existing = Payout.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        if existing.shop_id != shop.pk or existing.amount_minor != minor:
            raise Conflict(
                "idempotency_key_reused",
                _("This idempotency key was already used for another payout."),
            )
        return existing
    if minor <= 0:
        raise ValidationFailed(
            _("The amount must be more than zero."), {"fields": {"amount": [_("More than zero.")]}}
        )
    payable = account_get_or_create(
        kind=AccountKind.SELLER_PAYABLE, currency=amount.currency, shop_id=shop.pk
    )
    transit = account_get_or_create(
        kind=AccountKind.PAYOUTS_IN_TRANSIT, currency=amount.currency, shop_id=shop.pk
    )
    from django.conf import settings

    entry, _created = entry_post(
        EntrySpec(
            kind=EntryKind.PAYOUT,
            idempotency_key=f"payout:{shop.pk}:{idempotency_key}",
            legs=(Leg(payable, -minor), Leg(transit, minor)),
            shop_id=shop.pk,
        )
    )
    payout = Payout.objects.create(
        shop_id=shop.pk,
        idempotency_key=idempotency_key,
        amount_minor=minor,
        currency=amount.currency,
        destination=payout_destination(shop),
        requested_by=requested_by,
        provider=str(getattr(settings, "PAYMENT_PROVIDER", "sandbox")),
        entry=entry,
        created_at=clock.now(),
    )
    enqueue_payout(payout)
    return payout
