"""Evidence limits and attaching evidence to a locked dispute (used by the opening, the refusal and
``disputes.evidence``). See ``disputes.evidence`` for the rules."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from comptoir.core.errors import NotFound, ValidationFailed
from comptoir.core.uploads.models import Upload, UploadKind
from comptoir.disputes.models import Dispute, Evidence, EvidenceRequest
from comptoir.messaging.models import ConversationMessage
from comptoir.messaging.selectors import conversation_find

EVIDENCE_KINDS = frozenset({UploadKind.IMAGE, UploadKind.VIDEO, UploadKind.PDF})
MAX_MESSAGES = 20
_DEFAULT_MAX_BYTES = {
    UploadKind.IMAGE: 5 * 1024 * 1024,
    UploadKind.VIDEO: 100 * 1024 * 1024,
    UploadKind.PDF: 10 * 1024 * 1024,
}


def max_files() -> int:
    return int(getattr(settings, "DISPUTES_EVIDENCE_MAX_FILES", 10))


def max_bytes(kind: str) -> int:
    """The largest evidence file of this kind (PRODUCT.md §3)."""
    name = f"DISPUTES_EVIDENCE_MAX_{str(kind).upper()}_BYTES"
    return int(getattr(settings, name, _DEFAULT_MAX_BYTES[UploadKind(kind)]))


# Kept for callers of the first slice.
MAX_EVIDENCE = 10


def evidence_check(*, dispute: Dispute | None, uploads: Sequence[Upload]) -> None:
    """Refuse files over the per-kind limits, of another kind, or past the count limit."""
    for upload in uploads:
        if upload.kind not in EVIDENCE_KINDS:
            raise ValidationFailed(
                _("Evidence is a photo, a video or a PDF document."), {"field": "evidence"}
            )
        if upload.size > max_bytes(upload.kind):
            raise ValidationFailed(
                _("“%(name)s” is too large: at most %(mb)d MB for this kind of file.")
                % {
                    "name": upload.original_name or upload.public_id,
                    "mb": max_bytes(upload.kind) // (1024 * 1024),
                },
                {"field": "evidence", "upload": upload.public_id},
            )
    already = 0 if dispute is None else dispute.evidence.filter(upload__isnull=False).count()
    new = {u.pk for u in uploads}
    if dispute is not None:
        new -= set(
            dispute.evidence.filter(upload__in=list(new)).values_list("upload_id", flat=True)
        )
    if already + len(new) > max_files():
        raise ValidationFailed(
            _("A dispute can have at most %(n)d files of evidence.") % {"n": max_files()},
            {"field": "evidence", "max": max_files()},
        )


def _order_messages(dispute: Dispute, message_ids: Sequence[str]) -> list[ConversationMessage]:
    wanted = sorted(set(message_ids))
    if not wanted:
        return []
    conversation = conversation_find(buyer=dispute.buyer, order=dispute.order)
    if conversation is None:
        raise NotFound()
    found = list(
        ConversationMessage.objects.filter(
            conversation=conversation, public_id__in=wanted, deleted_at__isnull=True
        ).order_by("pk")
    )
    if len(found) != len(wanted):
        raise NotFound()
    return found


def evidence_attach(
    dispute: Dispute,
    *,
    user: Any,
    side: str,
    uploads: Sequence[Upload] = (),
    message_ids: Sequence[str] = (),
    request: EvidenceRequest | None = None,
) -> list[Evidence]:
    """Attach files (the user's own uploads) and order messages to a locked dispute; already
    attached ones are skipped. No event: the caller's step records one."""
    for upload in uploads:
        if upload.owner_id != user.pk:
            raise NotFound()
    evidence_check(dispute=dispute, uploads=uploads)
    messages = _order_messages(dispute, message_ids)
    if messages and dispute.evidence.filter(message__isnull=False).count() + len(messages) > (
        MAX_MESSAGES
    ):
        raise ValidationFailed(
            _("A dispute can have at most %(n)d messages as evidence.") % {"n": MAX_MESSAGES},
            {"field": "messages"},
        )
    added = []
    for upload in uploads:
        row, created = Evidence.objects.get_or_create(
            dispute=dispute,
            upload=upload,
            defaults={"added_by": user, "side": side, "request": request},
        )
        if created:
            added.append(row)
    for message in messages:
        row, created = Evidence.objects.get_or_create(
            dispute=dispute,
            message=message,
            defaults={"added_by": user, "side": side, "request": request},
        )
        if created:
            added.append(row)
    return added
