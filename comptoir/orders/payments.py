"""Payment at checkout, and the hook Buyer protection plugs its escrow capture into.

The interface
=============

``payment_capture_hooks`` is a ``core.registry.Registry[PaymentCaptureHook]``. A hook is::

    def hook(*, order: Order, payment: Payment) -> None: ...

``services.order_checkout`` calls every registered hook, in key order, **inside the checkout
transaction**, after it has written the ``Payment`` row (amount = order total, shipping
included; ``provider``; ``reference``; ``idempotency_key`` = ``"checkout:<order number>"``,
unique) and before the order moves ``awaiting_payment → paid``. The order row is locked.

* A hook that raises aborts the checkout: the whole transaction rolls back (no order, no
  payment row) and the error reaches the buyer (raise an ``ApplicationError`` for a clean one).
* A hook must not call a provider synchronously over the network without a timeout; provider
  calls belong in the outbox, written in the same transaction.
* ``payment.idempotency_key`` is unique per checkout: use it as the ledger entry's key.

By default no hook is registered: checkout only records the ``Payment`` row (provider
``"sandbox"``, reference ``"sbx_…"``). The Buyer-protection app registers its escrow capture in
its ``AppConfig.ready``::

    from comptoir.orders.payments import payment_capture_hooks
    payment_capture_hooks.register("ledger", ledger_capture_for_order)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from comptoir.core import clock
from comptoir.core.ids import new_token
from comptoir.core.registry import Registry

if TYPE_CHECKING:
    from .models import Order, Payment


class PaymentCaptureHook(Protocol):
    def __call__(self, *, order: Order, payment: Payment) -> None: ...


payment_capture_hooks: Registry[PaymentCaptureHook] = Registry("payment capture hooks")


def payment_record(*, order: Order, provider: str, idempotency_key: str) -> Payment:
    """Write the Payment row for the order's total (call inside the checkout transaction)."""
    from .enums import PaymentStatus
    from .models import Payment

    existing = Payment.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        return existing
    payment = Payment(
        order=order,
        provider=provider,
        reference=f"sbx_{new_token(12)}" if provider == "sandbox" else idempotency_key,
        idempotency_key=idempotency_key,
        status=PaymentStatus.CAPTURED,
        created_at=clock.now(),
    )
    payment.amount_minor = order.total_minor
    payment.currency = order.currency
    payment.save()
    return payment


def payment_capture(*, order: Order, provider: str) -> Payment:
    """Record the payment, then run the registered hooks (see the module docstring)."""
    payment = payment_record(
        order=order, provider=provider, idempotency_key=f"checkout:{order.number}"
    )
    for _key, hook in payment_capture_hooks.items():
        hook(order=order, payment=payment)
    return payment


def payment_status_refunded(*, order_id: int, fully: bool) -> None:
    """Buyer protection refunded part of the payment (``fully``: all of it): the order's
    ``payment_status`` becomes ``partially_refunded`` or ``refunded``. Call inside the refund's
    transaction; a fully refunded order is never moved back to partially refunded."""
    from .enums import PaymentStatus
    from .models import Order

    status = PaymentStatus.REFUNDED if fully else PaymentStatus.PARTIALLY_REFUNDED
    rows = Order.objects.filter(pk=order_id).exclude(payment_status=status)
    if not fully:
        rows = rows.exclude(payment_status=PaymentStatus.REFUNDED)
    rows.update(payment_status=status, updated_at=clock.now())
