"""Refunds to the buyer: full, partial, after a return. Escrow → refunds in transit now; the
provider is asked after commit (outbox); refunds in transit → clearing when it confirms."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.core import clock
from comptoir.core.errors import Conflict, NotFound, ValidationFailed
from comptoir.core.money import Money
from comptoir.ledger import conf
from comptoir.ledger.enums import AccountKind, EntryKind, HoldKind, HoldState
from comptoir.ledger.models import Account, EscrowHold, Refund
from comptoir.orders.payments import payment_status_refunded

from .escrow import escrow_account, lock_holds
from .posting import (
    EntrySpec,
    Leg,
    account_get_or_create,
    entry_post,
    platform_account,
    seller_accounts_lock,
)
from .transfers import enqueue_refund

REASONS = ("full", "partial", "return", "dispute", "cancelled")


def _existing(idempotency_key: str, order: Any) -> Refund | None:
    refund = Refund.objects.filter(idempotency_key=idempotency_key).first()
    if refund is not None and refund.order_id != order.pk:
        raise Conflict(
            "idempotency_key_reused", _("This idempotency key was used for another order.")
        )
    return refund


def _with_shipping(holds: list[EscrowHold], allocations: dict[int, int]) -> dict[int, int]:
    """Shipping goes back only with a full refund of every line (PRODUCT.md §3) — except after
    a change-of-mind return (``refund_after_return(with_shipping=False)``): the outbound
    shipping then stays with the seller and is released with the order."""
    lines = [h for h in holds if h.kind == HoldKind.LINE]
    shipping = next((h for h in holds if h.kind == HoldKind.SHIPPING), None)
    if shipping is None or shipping.state != HoldState.HELD:
        return allocations
    every_line_refunded = all(
        h.refunded_minor + allocations.get(h.pk, 0) == h.amount_minor for h in lines
    )
    if every_line_refunded:
        allocations = {**allocations, shipping.pk: shipping.remaining_minor}
    return allocations


def _refund_write(
    *,
    order: Any,
    holds: list[EscrowHold],
    allocations: dict[int, int],
    postage_minor: int,
    reason: str,
    idempotency_key: str,
    with_shipping: bool = True,
) -> Refund:
    allocations = {pk: minor for pk, minor in allocations.items() if minor > 0}
    if with_shipping:
        allocations = _with_shipping(holds, allocations)
    total = sum(allocations.values()) + postage_minor
    if total <= 0:
        raise Conflict("nothing_to_refund", _("No money is held for this order any more."))
    by_pk = {h.pk: h for h in holds}
    escrow = escrow_account(order)
    transit = platform_account(AccountKind.REFUNDS_IN_TRANSIT, order.currency)
    legs = [Leg(escrow, -minor, pk) for pk, minor in sorted(allocations.items())]
    advanced = 0
    if postage_minor:
        postage_legs, advanced = _postage_legs(order, postage_minor)
        legs += postage_legs
    legs.append(Leg(transit, total))
    entry, created = entry_post(
        EntrySpec(
            kind=EntryKind.REFUND,
            idempotency_key=f"refund:{idempotency_key}",
            legs=tuple(legs),
            order_id=order.pk,
            shop_id=order.shop_id,
            memo=reason,
        )
    )
    if not created:  # pragma: no cover - the Refund row is looked up first
        raise Conflict("idempotency_key_reused", _("This refund was already made."))
    for pk, minor in allocations.items():
        hold = by_pk[pk]
        after = hold.refunded_minor + minor
        if after > hold.amount_minor - hold.released_minor:
            raise Conflict("refund_exceeds_held", _("This is more than the money still held."))
        state = (
            HoldState.REFUNDED if after + hold.released_minor == hold.amount_minor else hold.state
        )
        updated = EscrowHold.objects.filter(
            pk=pk, state=HoldState.HELD, refunded_minor=hold.refunded_minor
        ).update(refunded_minor=after, state=state)
        if updated != 1:  # pragma: no cover - only when the row lock was not honoured
            raise Conflict("hold_changed", _("The order's money changed meanwhile; try again."))
        hold.refunded_minor = after
        hold.state = state
    refund = Refund.objects.create(
        order_id=order.pk,
        idempotency_key=idempotency_key,
        amount_minor=total,
        postage_minor=postage_minor,
        postage_advanced_minor=advanced,
        currency=order.currency,
        reason=reason,
        provider=str(_provider_name()),
        entry=entry,
        created_at=clock.now(),
    )
    enqueue_refund(refund)
    payment_status_refunded(
        order_id=order.pk,
        fully=all(h.refunded_minor == h.amount_minor for h in holds),
    )
    return refund


RECEIVABLE = AccountKind.SELLER_RECEIVABLE


def _postage_legs(order: Any, postage_minor: int) -> tuple[list[Leg], int]:
    """The seller pays the return postage: from their available balance (the payable) as far
    as it goes; the platform advances the rest, a debt on the seller's receivable that their
    next releases pay back (``release.release_holds``). Both accounts are locked before the
    payable's balance is read (``seller_accounts_lock``), after the order's holds."""
    locked = seller_accounts_lock([(order.shop_id, order.currency)])
    payable_pk, available = locked[(order.shop_id, order.currency, AccountKind.SELLER_PAYABLE)]
    payable = Account.objects.get(pk=payable_pk)
    covered = min(postage_minor, max(0, available))
    legs = [Leg(payable, -covered)] if covered else []
    advanced = postage_minor - covered
    if advanced:
        receivable = account_get_or_create(
            kind=RECEIVABLE, currency=order.currency, shop_id=order.shop_id
        )
        legs.append(Leg(receivable, -advanced))
    return legs, advanced


def _provider_name() -> str:
    from django.conf import settings

    return str(getattr(settings, "PAYMENT_PROVIDER", "sandbox"))


def _check_key(idempotency_key: str) -> None:
    if not idempotency_key or len(idempotency_key) > 200:
        raise ValidationFailed(_("An idempotency key of 1 to 200 characters is required."))


@transaction.atomic
def refund_full(*, order: Any, idempotency_key: str, reason: str = "full") -> Refund:
    """Everything still held for the order goes back to the buyer (shipping too when every line
    ends up fully refunded). Lines already released stay with the seller."""
    _check_key(idempotency_key)
    if (existing := _existing(idempotency_key, order)) is not None:
        return existing
    holds = lock_holds(order_id=order.pk)
    if not holds:
        raise NotFound(_("No money was captured for this order."))
    allocations = {
        h.pk: h.remaining_minor
        for h in holds
        if h.kind == HoldKind.LINE and h.state == HoldState.HELD
    }
    return _refund_write(
        order=order,
        holds=holds,
        allocations=allocations,
        postage_minor=0,
        reason=reason,
        idempotency_key=idempotency_key,
    )


def _chosen_lines(holds: list[EscrowHold], line_ids: Sequence[int] | None) -> list[EscrowHold]:
    lines = [h for h in holds if h.kind == HoldKind.LINE]
    if line_ids is None:
        return [h for h in lines if h.state == HoldState.HELD]
    wanted = set(line_ids)
    chosen = [h for h in lines if h.order_line_id in wanted]
    if not wanted or len(chosen) != len(wanted):
        raise NotFound(_("No money is held for one of these lines."))
    return chosen


@transaction.atomic
def refund_partial(
    *,
    order: Any,
    amount: Money,
    idempotency_key: str,
    line_ids: Sequence[int] | None = None,
    reason: str = "partial",
) -> Refund:
    """Give back ``amount`` of these lines (all held lines when None), split across them in
    proportion to what each still holds (no cent lost); the rest stays held for the seller."""
    _check_key(idempotency_key)
    if (existing := _existing(idempotency_key, order)) is not None:
        return existing
    if amount.currency != order.currency:
        raise ValidationFailed(_("The refund must be in the order's currency."))
    minor = amount.quantize().minor_units
    if minor <= 0:
        raise ValidationFailed(_("The amount must be more than zero."))
    holds = lock_holds(order_id=order.pk)
    chosen = [h for h in _chosen_lines(holds, line_ids) if h.remaining_minor > 0]
    held = sum(h.remaining_minor for h in chosen)
    if minor > held:
        raise Conflict(
            "refund_exceeds_held",
            _("You can refund at most %(amount)s on these lines.")
            % {"amount": Money.from_minor(held, order.currency)},
            {"held": Money.from_minor(held, order.currency).as_api()},
        )
    shares = Money.from_minor(minor, order.currency).allocate([h.remaining_minor for h in chosen])
    allocations = {h.pk: s.minor_units for h, s in zip(chosen, shares, strict=True)}
    return _refund_write(
        order=order,
        holds=holds,
        allocations=allocations,
        postage_minor=0,
        reason=reason,
        idempotency_key=idempotency_key,
    )


@transaction.atomic
def refund_after_return(
    *,
    order: Any,
    line_ids: Sequence[int],
    idempotency_key: str,
    return_postage: Money | None = None,
    seller_pays_postage: bool = False,
    with_shipping: bool = True,
) -> Refund:
    """The seller received the items back: what is still held for these lines goes back to the
    buyer (and the order's shipping when every line ends up fully refunded, unless
    ``with_shipping`` is False: a change-of-mind return refunds the item price only). When the
    seller pays return shipping, the buyer's declared postage (capped by
    ``RETURN_POSTAGE_CAP``) is refunded on top and charged to the seller: to their available
    balance as far as it goes, the rest advanced by the platform and owed by the seller
    (``Refund.postage_advanced_minor``, the seller's receivable). The same key again returns
    the first refund."""
    _check_key(idempotency_key)
    if (existing := _existing(idempotency_key, order)) is not None:
        return existing
    holds = lock_holds(order_id=order.pk)
    chosen = _chosen_lines(holds, line_ids)
    allocations = {h.pk: h.remaining_minor for h in chosen if h.state == HoldState.HELD}
    postage_minor = 0
    if seller_pays_postage and return_postage is not None:
        if return_postage.currency != order.currency or return_postage.is_negative():
            raise ValidationFailed(
                _("The postage must be a positive amount in the order's currency.")
            )
        cap = conf.return_postage_cap(order.currency)
        postage_minor = min(return_postage.quantize(), cap).minor_units
    return _refund_write(
        order=order,
        holds=holds,
        allocations=allocations,
        postage_minor=postage_minor,
        reason="return",
        idempotency_key=idempotency_key,
        with_shipping=with_shipping,
    )
