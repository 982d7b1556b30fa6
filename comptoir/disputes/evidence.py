"""Evidence of a dispute: files and messages of the order's buyer–seller conversation, and the
officers' requests for more evidence (PRODUCT.md §3).

Limits (defaults; settings ``DISPUTES_EVIDENCE_MAX_<KIND>_BYTES``, ``DISPUTES_EVIDENCE_MAX_FILES``):
images ≤ 5 MB, video ≤ 100 MB, PDF ≤ 10 MB, at most 10 files per dispute; types are checked by
content by ``core.uploads.upload_create`` (the pages and the API create the uploads with
``allowed_kinds=EVIDENCE_KINDS``). Messages: at most ``MAX_MESSAGES`` per dispute, only
messages of the conversation about this order, not deleted.

Request → answer: an officer asks the buyer or the seller (``evidence_request``; 3 days, the
dispute goes ``evidence_requested``); that party answers (``evidence_submit``; back to
``escalated`` with a decision deadline); silence is handled by the sweep
(``evidence_request_expire``: back to the officers' queue with a decision deadline, no money
moves). Every step writes a ``DisputeEvent`` and calls ``notify.event_recorded``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.core import clock
from comptoir.core.errors import ApplicationError, Conflict, ValidationFailed
from comptoir.core.uploads.models import Upload

from . import conf
from .enums import ACTIVE_STATUSES, ActorKind, DisputeStatus, EvidenceRequestStatus
from .models import Dispute, Evidence, EvidenceRequest
from .services._core import actor_for, due, event_record, lock, lock_visible, transition
from .services._evidence import (
    EVIDENCE_KINDS,
    MAX_EVIDENCE,
    MAX_MESSAGES,
    evidence_attach,
    evidence_check,
    max_bytes,
    max_files,
)

__all__ = [
    "EVIDENCE_KINDS",
    "MAX_EVIDENCE",
    "MAX_MESSAGES",
    "evidence_add",
    "evidence_attach",
    "evidence_check",
    "evidence_request",
    "evidence_request_expire",
    "evidence_submit",
    "max_bytes",
    "max_files",
    "open_request",
]
from .selectors import dispute_actors


def _party(dispute: Dispute, user: Any) -> str:
    """The side (buyer or seller) ``user`` adds evidence for; staff only read."""
    actors = dispute_actors(dispute, user) & {ActorKind.BUYER, ActorKind.SELLER}
    if not actors:
        raise ApplicationError(
            "action_not_allowed", _("Only the buyer and the seller add evidence.")
        )
    return sorted(actors)[0]


@transaction.atomic
def evidence_add(
    *,
    user: Any,
    public_id: str,
    uploads: Sequence[Upload] = (),
    message_ids: Sequence[str] = (),
    note: str = "",
) -> list[Evidence]:
    """The buyer or the seller adds evidence to an active dispute, at any step (event
    ``evidence``, no status change). Nothing new to add: ``ValidationFailed``."""
    dispute = lock_visible(user=user, public_id=public_id)
    side = _party(dispute, user)
    if dispute.status not in ACTIVE_STATUSES:
        raise Conflict(
            "dispute_not_active", _("This dispute is over: evidence can no longer be added.")
        )
    added = evidence_attach(dispute, user=user, side=side, uploads=uploads, message_ids=message_ids)
    if not added:
        raise ValidationFailed(_("Choose at least one new file or message."), {"field": "evidence"})
    event_record(
        dispute=dispute,
        action="evidence",
        old_status=dispute.status,
        new_status=dispute.status,
        actor_kind=side,
        actor=user,
        payload=_evidence_payload(added, note),
    )
    return added


def _evidence_payload(added: Sequence[Evidence], note: str) -> dict[str, Any]:
    return {
        "files": [e.upload.public_id for e in added if e.upload is not None],
        "messages": [e.message.public_id for e in added if e.message is not None],
        **({"note": note.strip()[:2000]} if note.strip() else {}),
    }


@transaction.atomic
def evidence_request(*, user: Any, public_id: str, party: str, message: str) -> EvidenceRequest:
    """An officer asks ``party`` (``buyer`` or ``seller``) for more evidence: 3 days to answer
    (the dispute's ``due_at``)."""
    dispute = lock_visible(user=user, public_id=public_id)
    actor = actor_for(dispute, user, "request-evidence")
    if party not in (ActorKind.BUYER, ActorKind.SELLER):
        raise ValidationFailed(_("Ask the buyer or the seller."), {"field": "party"})
    message = (message or "").strip()
    if not message:
        raise ValidationFailed(_("Say what evidence you need."), {"field": "message"})
    due_at = clock.now() + conf.evidence_window()
    request = EvidenceRequest.objects.create(
        dispute=dispute,
        party=party,
        message=message,
        requested_by=user,
        due_at=due_at,
        created_at=clock.now(),
    )
    transition(
        dispute,
        "request-evidence",
        actor_kind=actor,
        actor=user,
        due_at=due_at,
        payload={"party": party, "message": message, "request": request.pk},
    )
    return request


def open_request(dispute: Dispute) -> EvidenceRequest | None:
    return (
        EvidenceRequest.objects.filter(dispute=dispute, status=EvidenceRequestStatus.OPEN)
        .order_by("-pk")
        .first()
    )


@transaction.atomic
def evidence_submit(
    *,
    user: Any,
    public_id: str,
    message: str,
    uploads: Sequence[Upload] = (),
    message_ids: Sequence[str] = (),
) -> Dispute:
    """The party asked answers (a note, files, order messages): back to the officers, whose
    decision is due in 2 business days. Only the party asked may answer."""
    dispute = lock_visible(user=user, public_id=public_id)
    actor_for(dispute, user, "submit-evidence")
    request = open_request(dispute)
    if request is None:  # pragma: no cover - the status says there is one
        raise Conflict("no_evidence_request", _("No evidence was asked for."))
    if request.party not in dispute_actors(dispute, user):
        raise Conflict("not_asked", _("The officer asked the other party for this evidence."), {})
    message = (message or "").strip()
    if not message and not uploads and not message_ids:
        raise ValidationFailed(_("Add a file, a message or an explanation."), {"field": "message"})
    added = evidence_attach(
        dispute,
        user=user,
        side=request.party,
        uploads=uploads,
        message_ids=message_ids,
        request=request,
    )
    now = clock.now()
    request.status = EvidenceRequestStatus.ANSWERED
    request.answered_at = now
    request.save(update_fields=["status", "answered_at"])
    transition(
        dispute,
        "submit-evidence",
        actor_kind=request.party,
        actor=user,
        due_at=conf.decision_due(now),
        payload={**_evidence_payload(added, message), "request": request.pk},
    )
    return dispute


@transaction.atomic
def evidence_request_expire(*, dispute_id: int, now: dt.datetime) -> bool:
    """The party asked sent nothing in time: back to the officers' queue with a decision
    deadline; no money moves (the sweep ``disputes.evidence_missed``)."""
    dispute = lock(dispute_id)
    if not due(dispute, DisputeStatus.EVIDENCE_REQUESTED, now):
        return False
    request = open_request(dispute)
    if request is not None:
        request.status = EvidenceRequestStatus.EXPIRED
        request.save(update_fields=["status"])
    transition(
        dispute,
        "evidence-missed",
        actor_kind=ActorKind.SYSTEM,
        due_at=conf.decision_due(now),
        payload={"party": request.party if request else "", "why": "evidence_missed"},
    )
    return True
