"""The dispute state machine: the ONE table of allowed transitions (PRODUCT.md J11, §3).

Services enforce it while the dispute row is locked; pages and the API derive the actions
offered to a user from it. ``NEW`` stands for "no dispute yet" (opening)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .enums import ActorKind
from .enums import DisputeStatus as S
from .enums import ReturnStatus as R

NEW = ""

BUYER = ActorKind.BUYER
SELLER = ActorKind.SELLER
OFFICER = ActorKind.OFFICER
STAFF = ActorKind.STAFF
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
            {S.AWAITING_SELLER, S.REFUSED, S.ESCALATED, S.EVIDENCE_REQUESTED},
            S.CANCELLED,
            {BUYER},
            _("Cancel the dispute"),
        ),
        _t("escalate", {S.REFUSED}, S.ESCALATED, {BUYER, SYSTEM}, _("Ask the platform to decide")),
        _t(
            "request-evidence",
            {S.ESCALATED},
            S.EVIDENCE_REQUESTED,
            {OFFICER},
            _("Ask for more evidence"),
        ),
        _t(
            "submit-evidence",
            {S.EVIDENCE_REQUESTED},
            S.ESCALATED,
            {BUYER, SELLER},
            _("Send the evidence asked for"),
        ),
        _t(
            "evidence-missed",
            {S.EVIDENCE_REQUESTED},
            S.ESCALATED,
            {SYSTEM},
            _("No evidence in time: back to the officers"),
        ),
        _t("decide", {S.ESCALATED, S.EVIDENCE_REQUESTED}, S.DECIDED, {OFFICER}, _("Decide")),
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
        _t(
            "return-received",
            {S.AWAITING_RETURN},
            S.CLOSED,
            {SYSTEM},
            _("Item received back: refunded"),
        ),
        _t(
            "return-not-shipped",
            {S.AWAITING_RETURN},
            S.CLOSED,
            {SYSTEM},
            _("Item not sent back in time: closed for the seller"),
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


# --- the return sub-flow (a dispute's return, or a change-of-mind return request) -------------

RETURN_TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in (
        _t("return-open", {NEW}, R.AWAITING_ADDRESS, {BUYER, SYSTEM}, _("Ask for a return")),
        _t(
            "return-address",
            {R.AWAITING_ADDRESS},
            R.AWAITING_SHIPMENT,
            {SELLER},
            _("Give the return address"),
        ),
        _t(
            "return-default-address",
            {R.AWAITING_ADDRESS},
            R.AWAITING_SHIPMENT,
            {SYSTEM},
            _("Use the platform's return address"),
        ),
        _t("return-ship", {R.AWAITING_SHIPMENT}, R.SHIPPED, {BUYER}, _("I sent the item back")),
        _t(
            "return-delivered",
            {R.SHIPPED},
            R.DELIVERED,
            {SYSTEM, STAFF},
            _("Record the return's delivery"),
        ),
        _t(
            "return-confirm",
            {R.SHIPPED, R.DELIVERED},
            R.REFUNDED,
            {SELLER},
            _("Confirm I received the item back"),
        ),
        _t(
            "return-auto-refund",
            {R.DELIVERED},
            R.REFUNDED,
            {SYSTEM},
            _("Not confirmed in time: refunded"),
        ),
        _t(
            "return-not-shipped",
            {R.AWAITING_SHIPMENT},
            R.CLOSED,
            {SYSTEM},
            _("Not sent back in time"),
        ),
        _t(
            "return-cancel",
            {R.AWAITING_ADDRESS, R.AWAITING_SHIPMENT},
            R.CANCELLED,
            {BUYER},
            _("Cancel my return request"),
        ),
    )
}

RETURN_USER_ACTIONS = tuple(
    a for a, t in RETURN_TRANSITIONS.items() if a != "return-open" and t.actors - {SYSTEM}
)


def return_actions_for(status: str, actors: set[str]) -> list[Transition]:
    """What these actors may do on a return in ``status``, in table order."""
    return [
        t
        for a, t in RETURN_TRANSITIONS.items()
        if a in RETURN_USER_ACTIONS and status in t.sources and t.actors & actors
    ]
