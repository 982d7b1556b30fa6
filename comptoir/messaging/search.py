"""Conversation messages in the shared full-text search (core.search)."""

from __future__ import annotations

from comptoir.core.search import DocType, search_doc_types

from .selectors import DOC_TYPE


def message_document(doc_id: int) -> tuple[str, str] | None:
    from .models import ConversationMessage

    message = (
        ConversationMessage.objects.select_related("sender")
        .filter(pk=doc_id, deleted_at__isnull=True)
        .first()
    )
    if message is None or not message.text:
        return None
    return message.text, getattr(message.sender, "language", "") or "fr"


def register() -> None:
    search_doc_types.register(DOC_TYPE, DocType(name=DOC_TYPE, source=message_document))
