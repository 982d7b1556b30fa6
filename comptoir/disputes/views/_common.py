"""What several dispute pages share: the order's lines and seller messages as choices, the
evidence uploads, the timeline rows, the proposals side by side."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from comptoir.core.order_numbers import format_order_number
from comptoir.core.uploads.models import Upload
from comptoir.core.uploads.services import upload_create
from comptoir.disputes.enums import ActorKind, ProposalKind
from comptoir.disputes.evidence import EVIDENCE_KINDS
from comptoir.disputes.models import Dispute, DisputeEvent, Proposal
from comptoir.disputes.notify import title_for
from comptoir.disputes.selectors import evidence_messages

# Actions that move money or cannot be taken back: a confirmation page comes first.
IRREVERSIBLE = frozenset(
    {"accept", "accept-counter", "cancel", "escalate", "decide", "decide-appeal", "appeal"}
)


def english() -> bool:
    return (get_language() or "fr").startswith("en")


def line_choices(order: Any) -> list[tuple[int, str]]:
    en = english()
    return [
        (line.pk, f"{line.title_en if en else line.title_fr} × {line.quantity}")
        for line in order.lines.order_by("position")
    ]


def message_choices(order: Any) -> list[tuple[str, str]]:
    """The last messages of the order's conversation with the seller (attachable as evidence)."""
    rows = evidence_messages(order)
    return [(pid, f"{'🛍' if side == 'buyer' else '🏪'} {text[:140]}") for pid, side, text in rows]


def save_uploads(user: Any, files: Sequence[Any]) -> list[Upload]:
    """Validate (type by content, limits, images re-encoded) and store each evidence file."""
    return [upload_create(owner=user, file=f, allowed_kinds=set(EVIDENCE_KINDS)) for f in files]


@dataclass(frozen=True)
class TimelineRow:
    event: DisputeEvent
    text: str
    actor: str


def timeline_rows(dispute: Dispute) -> list[TimelineRow]:
    number = format_order_number(dispute.order.number)
    return [
        TimelineRow(event=e, text=title_for(e, number), actor=str(e.get_actor_kind_display()))
        for e in dispute.events.all()
    ]


@dataclass(frozen=True)
class Sides:
    """The latest word of each side, for the proposals shown side by side."""

    request: Proposal | None
    counter: Proposal | None
    decision: Proposal | None
    history: list[Proposal]


def proposal_sides(dispute: Dispute) -> Sides:
    proposals = sorted(dispute.proposals.all(), key=lambda p: (p.created_at, p.pk))
    latest: dict[str, Proposal] = {}
    for p in proposals:
        latest[p.kind] = p
    return Sides(
        request=latest.get(ProposalKind.REQUEST),
        counter=latest.get(ProposalKind.COUNTER),
        decision=latest.get(ProposalKind.DECISION),
        history=proposals,
    )


def evidence_by_side(dispute: Dispute) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {ActorKind.BUYER: [], ActorKind.SELLER: []}
    for ev in dispute.evidence.all():
        found.setdefault(ev.side, []).append(ev)
    return found


# What the deadline of each waiting step means, for the countdown box.
DEADLINES: dict[str, tuple[Any, Any]] = {
    "awaiting_seller": (
        _("The seller answers within"),
        _("Without an answer in time, the buyer's request is accepted."),
    ),
    "refused": (
        _("Time left to agree"),
        _("Without an agreement in time, the platform's officers decide."),
    ),
    "escalated": (
        _("Decision expected within"),
        _("Dispute officers decide within 2 business days."),
    ),
    "evidence_requested": (
        _("Evidence expected within"),
        _("Without the evidence in time, the officer decides with what the file holds."),
    ),
    "decided": (
        _("Appeal possible for"),
        _("Either party may appeal once; then the decision is final and the money moves."),
    ),
    "appealed": (_("Appeal decision expected within"), _("Another officer reviews the case.")),
}


def deadline_text(status: str) -> tuple[str, str]:
    label, help_text = DEADLINES.get(status, (_("Deadline of this step"), ""))
    return str(label), str(help_text)
