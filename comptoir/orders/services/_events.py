"""Transitions applied under the row lock, each with its event row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from comptoir.core import clock
from comptoir.core.registry import Registry
from comptoir.orders.models import Order, OrderEvent
from comptoir.orders.transitions import Action, Actor, check_transition

# ``hook(*, order)``, run inside the transaction after a transition changed the order's
# delivery or promised date (Buyer protection re-dates the money it holds).
order_dates_hooks: Registry[Callable[..., None]] = Registry("order dates hooks")
DATE_FIELDS = frozenset({"delivered_at", "promised_delivery_date"})


def order_lock(*, pk: int) -> Order:
    """The order row, locked (``select_for_update``; SQLite's IMMEDIATE transactions serialise)."""
    return Order.objects.select_for_update().get(pk=pk)


def event_add(
    *, order: Order, action: str, actor_user: Any = None, data: dict[str, Any] | None = None
) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order,
        action=action,
        from_status=order.status,
        to_status=order.status,
        actor=actor_user,
        data=data or {},
        created_at=clock.now(),
    )


def transition_apply(
    *,
    order: Order,
    action: Action,
    actor: Actor,
    actor_user: Any = None,
    changes: dict[str, Any] | None = None,
    data: dict[str, Any] | None = None,
) -> Order:
    """Check the table, then one conditional UPDATE (status still what we read) + an event row.

    ``order`` must have been read under ``order_lock``; the conditional UPDATE is a second guard
    for databases where the lock is advisory."""
    transition = check_transition(order, action, actor)
    before = order.status
    after = transition.target or before
    fields = {"status": after, "updated_at": clock.now(), **(changes or {})}
    updated = Order.objects.filter(pk=order.pk, status=before).update(**fields)
    if updated != 1:  # pragma: no cover - only when the lock was not honoured
        from comptoir.core.errors import Conflict

        raise Conflict("order_changed", "The order changed meanwhile; try again.")
    for name, value in fields.items():
        setattr(order, name, value)
    OrderEvent.objects.create(
        order=order,
        action=str(action),
        from_status=before,
        to_status=after,
        actor=actor_user,
        data=data or {},
        created_at=clock.now(),
    )
    if DATE_FIELDS & fields.keys():
        for _key, hook in order_dates_hooks.items():
            hook(order=order)
    return order
