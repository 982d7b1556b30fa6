"""The ticket status machine (PRODUCT.md §4): the only place the graph lives.

new → open → pending (waiting for the customer) → solved → closed. Reopen (solved → open) is an
action, taken when the customer answers; solved tickets close after 4 days (a sweep); a reply to
a closed ticket opens a linked follow-up instead (tickets.services.intake)."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from .enums import TicketStatus as S


class Actor(enum.Enum):
    CUSTOMER = "customer"
    STAFF = "staff"
    SYSTEM = "system"


class Action(enum.StrEnum):
    OPEN = "open"
    PEND = "pend"
    SOLVE = "solve"
    REOPEN = "reopen"
    CLOSE = "close"


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[str]
    target: str
    actors: frozenset[Actor]
    label: object  # lazily translated button label


TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in (
        Transition(
            Action.OPEN,
            frozenset({S.NEW, S.PENDING}),
            S.OPEN,
            frozenset({Actor.STAFF, Actor.SYSTEM, Actor.CUSTOMER}),
            _("Open"),
        ),
        Transition(
            Action.PEND,
            frozenset({S.NEW, S.OPEN}),
            S.PENDING,
            frozenset({Actor.STAFF}),
            _("Wait for the customer"),
        ),
        Transition(
            Action.SOLVE,
            frozenset({S.NEW, S.OPEN, S.PENDING}),
            S.SOLVED,
            frozenset({Actor.STAFF}),
            _("Solve"),
        ),
        Transition(
            Action.REOPEN,
            frozenset({S.SOLVED}),
            S.OPEN,
            frozenset({Actor.STAFF, Actor.CUSTOMER}),
            _("Reopen"),
        ),
        Transition(
            Action.CLOSE,
            frozenset({S.SOLVED}),
            S.CLOSED,
            frozenset({Actor.STAFF, Actor.SYSTEM}),
            _("Close"),
        ),
    )
}


def transition_for(status: str, action: Action | str, actor: Actor) -> Transition | None:
    """The transition ``actor`` may take with ``action`` from ``status``, or None."""
    try:
        transition = TRANSITIONS[Action(action)]
    except ValueError:
        return None
    if status not in transition.sources or actor not in transition.actors:
        return None
    return transition


def allowed_actions(status: str, actor: Actor) -> list[Transition]:
    """What ``actor`` may do from ``status``: the UI derives its buttons from this."""
    return [t for t in TRANSITIONS.values() if status in t.sources and actor in t.actors]
