"""Tickets in the shared full-text search (core.search): number, subject, customer's text and
replies, linked order number."""

from __future__ import annotations

from comptoir.core.search import DocType, search_doc_types, search_index

from .models import Message, Ticket

DOC_TYPE = "ticket"
MAX_CHARS = 20_000


def ticket_document(ticket_id: int) -> tuple[str, str] | None:
    ticket = Ticket.objects.select_related("order").filter(pk=ticket_id).first()
    if ticket is None:
        return None
    texts = list(
        Message.objects.filter(ticket_id=ticket_id, kind="public")
        .order_by("created_at", "id")
        .values_list("body_text", flat=True)[:50]
    )
    parts = [ticket.number, ticket.number.replace("T-", ""), ticket.subject]
    if ticket.order is not None:
        parts.append(ticket.order.number)
    parts.extend(texts)
    return "\n".join(parts)[:MAX_CHARS], ticket.language


def ticket_reindex(ticket: Ticket, *, texts: list[str] | None = None) -> None:
    """Re-index a ticket; ``texts`` (its messages) saves reading them again for a new ticket."""
    if texts is None:
        document = ticket_document(ticket.pk)
        if document is None:
            return
        text, language = document
    else:
        parts = [ticket.number, ticket.number.replace("T-", ""), ticket.subject]
        if ticket.order_id and ticket.order is not None:
            parts.append(ticket.order.number)
        text, language = "\n".join([*parts, *texts])[:MAX_CHARS], ticket.language
    search_index(doc_type=DOC_TYPE, doc_id=ticket.pk, text=text, language=language)


search_doc_types.register(DOC_TYPE, DocType(name=DOC_TYPE, source=ticket_document))
