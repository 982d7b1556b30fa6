"""The "ledger" demo seeders: capture the demo orders (those the orders seeder made before this
app existed), release what protection no longer holds, one partial refund, and a payout still in
transit. Idempotent: captures by payment key, refunds and payouts by demo idempotency keys."""

from __future__ import annotations

from comptoir.core import clock
from comptoir.core.money import Money
from comptoir.core.seeders import register_seeder

from .models import EscrowHold


def _capture_demo_orders() -> int:
    from comptoir.orders.models import Payment

    from .services import escrow_capture

    captured = 0
    held_orders = EscrowHold.objects.values("order_id")
    for payment in Payment.objects.exclude(order_id__in=held_orders).select_related("order"):
        escrow_capture(order=payment.order, payment=payment)
        captured += 1
    return captured


def _partial_refund() -> None:
    from comptoir.orders.models import Order

    from .models import Refund
    from .services import refund_partial

    if Refund.objects.filter(idempotency_key="demo:partial:lea-delivered").exists():
        return
    order = Order.objects.filter(checkout_key="demo:lea-delivered").first()
    if order is None or not EscrowHold.objects.filter(order=order, state="held").exists():
        return
    refund_partial(
        order=order,
        amount=Money.parse("5.00", order.currency),
        idempotency_key="demo:partial:lea-delivered",
        reason="partial",
    )


@register_seeder("ledger", version=1, after=("orders",))
def ledger_seed() -> None:
    from .services import escrow_release_due, orders_complete_released

    _capture_demo_orders()
    now = clock.now()
    escrow_release_due(now=now)
    orders_complete_released(now=now)
    _partial_refund()


@register_seeder("ledger-payout", version=1, after=("ledger",))
def ledger_payout_seed() -> None:
    """A payout the provider has accepted but not confirmed yet (the sandbox answers "pending")."""
    from django.conf import settings

    from .models import Account, Payout
    from .services import payout_request

    if Payout.objects.filter(idempotency_key__startswith="demo:payout:").exists():
        return
    payable = (
        Account.objects.filter(kind="seller_payable", balance_minor__gt=0).order_by("pk").first()
    )
    if payable is None or payable.shop is None:
        return
    if str(getattr(settings, "PAYMENT_PROVIDER", "")) == "sandbox" and not getattr(
        settings, "PAYMENT_PROVIDER_URL", ""
    ):
        from .providers import get_provider
        from .providers.sandbox import ensure_local_sandbox

        get_provider()
        ensure_local_sandbox().state.script.append("pending_success")
        ensure_local_sandbox().state.async_delay = 3600.0
    amount = Money.from_minor(max(1, payable.balance_minor // 2), payable.currency)
    payout_request(
        shop=payable.shop, amount=amount, idempotency_key=f"demo:payout:{payable.shop.slug}"
    )
