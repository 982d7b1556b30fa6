"""upload_access rule: an attachment of a (not deleted) message of a conversation the user is a
party to. Staff always have access (core)."""

from __future__ import annotations

from typing import Any

from comptoir.core.uploads import Upload

from .models import ConversationAttachment
from .selectors import conversation_scope


def attachment_visible_to(user: Any, upload: Upload) -> bool:
    return ConversationAttachment.objects.filter(
        upload=upload,
        message__deleted_at__isnull=True,
        message__conversation__in=conversation_scope(user),
    ).exists()
