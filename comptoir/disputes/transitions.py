"""The dispute state machine: the ONE table of allowed transitions (PRODUCT.md J11, §3).

Services enforce it while the dispute row is locked; pages and the API derive the actions
offered to a user from it. ``NEW`` stands for "no dispute yet" (opening)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .enums import ActorKind
from .enums import DisputeStatus as S

NEW = ""

BUYER = ActorKind.BUYER
SELLER = ActorKind.SELLER
OFFICER = ActorKind.OFFICER
SYSTEM = ActorKind.SYSTEM


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    actors: frozenset[str]
    label: Promise


def _t(action: str, sources: set[str], target: str, actors: set[str], label: Promise) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(actors), label)


TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        _t("open", {NEW}, S.AWAITING_SELLER, {BUYER}, _("Open a dispute")),
        _t("accept", {S.AWAITING_SELLER}, S.ACCEPTED, {SELLER, SYSTEM}, _("Accept the request")),
        _t("refuse", {S.AWAITING_SELLER}, S.REFUSED, {SELLER}, _("Refuse with a counter-proposal")),
        _t("accept-counter", {S.REFUSED}, S.ACCEPTED, {BUYER}, _("Accept the counter-proposal")),
        _t("modify", {S.REFUSED}, S.AWAITING_SELLER, {BUYER}, _("Modify my request")),
        _t(
            "cancel",
            {S.AWAITING_SELLER, S.REFUSED, S.ESCALATED},
            S.CANCELLED,
            {BUYER},
            _("Cancel the dispute"),
        ),
        _t("escalate", {S.REFUSED}, S.ESCALATED, {BUYER, SYSTEM}, _("Ask the platform to decide")),
        _t("decide", {S.ESCALATED}, S.DECIDED, {OFFICER}, _("Decide")),
        _t("appeal", {S.DECIDED}, S.APPEALED, {BUYER, SELLER}, _("Appeal the decision")),
        _t("decide-appeal", {S.APPEALED}, S.FINAL, {OFFICER}, _("Decide the appeal")),
        _t("finalise", {S.DECIDED}, S.FINAL, {SYSTEM}, _("Make the decision final")),
        _t("settle", {S.ACCEPTED, S.FINAL}, S.CLOSED, {SYSTEM}, _("Settle the money")),
        _t(
            "await-return",
            {S.ACCEPTED, S.FINAL},
            S.AWAITING_RETURN,
            {SYSTEM},
            _("Wait for the return"),
        ),
        _t("reopen", {S.CANCELLED}, S.AWAITING_SELLER, {BUYER}, _("Reopen the dispute")),
    )
}

# Actions a person can take from a page or the API (the others are run by the services/sweeps).
USER_ACTIONS = tuple(a for a, t in TRANSITIONS.items() if a != "open" and t.actors - {SYSTEM})


def can(action: str, status: str, actor: str) -> bool:
    t = TRANSITIONS.get(action)
    return t is not None and status in t.sources and actor in t.actors


def actions_for(status: str, actors: set[str]) -> list[Transition]:
    """What these actors may do from ``status``, in table order (for buttons and the API)."""
    return [
        t
        for a, t in TRANSITIONS.items()
        if a in USER_ACTIONS and status in t.sources and t.actors & actors
    ]
