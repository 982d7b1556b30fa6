"""The order state machine: the ONE place the graph lives.

Services enforce it while the order row is locked (``check_transition``); pages and the API
derive the buttons they show from it (``allowed_actions``). Every applied transition writes an
``OrderEvent`` row (see ``services.orders._transition``).

    awaiting_payment ──pay──▶ paid ──ship──▶ shipped ──deliver / confirm_receipt──▶ delivered
            │                                               delivered ──complete──▶ completed
            └──cancel──▶ cancelled

``confirm_receipt`` is also allowed on a delivered order whose receipt the buyer has not yet
confirmed (the carrier's scan came first); it does not change the status then. Lost and
returned-to-sender are shipment states: the order stays ``shipped`` and the buyer may open a
"not received" dispute (Disputes issue). ``complete`` is for the Buyer-protection release.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from comptoir.core.errors import Conflict

from .enums import OrderStatus

if TYPE_CHECKING:
    from .models import Order


class Actor(StrEnum):
    BUYER = "buyer"  # the order's buyer
    SELLER = "seller"  # a member of the order's shop
    SYSTEM = "system"  # checkout, carrier events, sweeps, other apps' services


class Action(StrEnum):
    PAY = "pay"
    CANCEL = "cancel"
    SHIP = "ship"
    DELIVER = "deliver"
    CONFIRM_RECEIPT = "confirm_receipt"
    COMPLETE = "complete"


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[str]
    target: str | None  # None: the status does not change (the event is still recorded)
    actors: frozenset[Actor]
    label: Any  # lazily translated button text
    guard: Callable[[Order], bool] = lambda order: True


def _receipt_not_confirmed(order: Order) -> bool:
    return order.receipt_confirmed_at is None


TRANSITIONS: dict[Action, tuple[Transition, ...]] = {
    Action.PAY: (
        Transition(
            Action.PAY,
            frozenset({OrderStatus.AWAITING_PAYMENT}),
            OrderStatus.PAID,
            frozenset({Actor.SYSTEM}),
            gettext_lazy("Pay"),
        ),
    ),
    Action.CANCEL: (
        Transition(
            Action.CANCEL,
            frozenset({OrderStatus.AWAITING_PAYMENT}),
            OrderStatus.CANCELLED,
            frozenset({Actor.BUYER, Actor.SYSTEM}),
            gettext_lazy("Cancel the order"),
        ),
    ),
    Action.SHIP: (
        Transition(
            Action.SHIP,
            frozenset({OrderStatus.PAID}),
            OrderStatus.SHIPPED,
            frozenset({Actor.SELLER}),
            gettext_lazy("Mark as shipped"),
        ),
    ),
    Action.DELIVER: (
        Transition(
            Action.DELIVER,
            frozenset({OrderStatus.SHIPPED}),
            OrderStatus.DELIVERED,
            frozenset({Actor.SYSTEM}),
            gettext_lazy("Delivered"),
        ),
    ),
    Action.CONFIRM_RECEIPT: (
        Transition(
            Action.CONFIRM_RECEIPT,
            frozenset({OrderStatus.SHIPPED}),
            OrderStatus.DELIVERED,
            frozenset({Actor.BUYER}),
            gettext_lazy("Confirm receipt"),
            _receipt_not_confirmed,
        ),
        Transition(
            Action.CONFIRM_RECEIPT,
            frozenset({OrderStatus.DELIVERED}),
            None,
            frozenset({Actor.BUYER}),
            gettext_lazy("Confirm receipt"),
            _receipt_not_confirmed,
        ),
    ),
    Action.COMPLETE: (
        Transition(
            Action.COMPLETE,
            frozenset({OrderStatus.DELIVERED}),
            OrderStatus.COMPLETED,
            frozenset({Actor.SYSTEM}),
            gettext_lazy("Complete"),
        ),
    ),
}


def find_transition(order: Order, action: Action, actor: Actor) -> Transition | None:
    for transition in TRANSITIONS[action]:
        if order.status in transition.sources and actor in transition.actors:
            if transition.guard(order):
                return transition
    return None


def check_transition(order: Order, action: Action, actor: Actor) -> Transition:
    """The transition to apply, or ``Conflict("order_transition_not_allowed")``."""
    transition = find_transition(order, action, actor)
    if transition is None:
        raise Conflict(
            "order_transition_not_allowed",
            _("This cannot be done on an order in the state “%(status)s”.")
            % {"status": order.get_status_display()},
            {"action": str(action), "status": order.status},
        )
    return transition


def allowed_actions(order: Order, actors: set[Actor]) -> list[Transition]:
    """What the caller (with these actor roles on the order) may do now: the UI's buttons."""
    found: list[Transition] = []
    for action in Action:
        for actor in actors:
            transition = find_transition(order, action, actor)
            if transition is not None and transition.action not in {t.action for t in found}:
                found.append(transition)
    return found
