"""Live events of messaging, pushed to the users' groups (core.groups.user_group) after commit.

Every event type starts with ``messaging.``; the unread total is computed when the event is
sent (after commit), so it is always the committed value."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.urls import reverse

from comptoir.core.groups import user_group
from comptoir.core.realtime import push_to_groups

from .models import ConversationAttachment, ConversationMessage
from .safety import render_text


def message_payload(
    message: ConversationMessage, attachments: Sequence[ConversationAttachment] | None = None
) -> dict[str, Any]:
    """The live event's message; ``attachments`` when the caller has them (no query)."""
    deleted = message.deleted_at is not None
    if deleted:
        attachments = []
    elif attachments is None:
        attachments = list(message.attachments.select_related("upload"))
    return {
        "id": message.public_id,
        "conversation": message.conversation.public_id,
        "side": message.sender_side,
        "sender": message.sender.display_name,
        "html": "" if deleted else str(render_text(message.text)),
        "text": "" if deleted else message.text,
        "deleted": deleted,
        "flagged": message.flagged,
        "created_at": message.created_at.isoformat(),
        "seq": message.pk,
        "attachments": [
            {
                "url": reverse("file-download", args=[a.upload.public_id]),
                "name": a.upload.original_name or a.upload.public_id,
                "is_image": a.upload.kind == "image",
            }
            for a in attachments
        ],
    }


def push_on_commit(user_ids: Iterable[int], event: dict[str, Any], *, with_unread: bool) -> None:
    """Push ``event`` to each user after commit, in the order given (callers put the other
    party first: theirs is the delivery that is waited for), each with their unread total."""
    ids = list(dict.fromkeys(user_ids))

    def send() -> None:
        from .inbox import inbox_unread_counts

        totals = inbox_unread_counts(user_ids=ids) if with_unread else {}
        pushes = []
        for uid in ids:
            payload = dict(event)
            if with_unread:
                payload["unread_total"] = totals.get(uid, 0)
            pushes.append((user_group(uid), payload))
        push_to_groups(pushes)

    transaction.on_commit(send)
