"""Shared full-text search (ARCHITECTURE.md): one normaliser, SQLite FTS5 and PostgreSQL
tsvector behind one interface, one generic index keyed by (doc_type, doc_id).

An app registers its document types (``search_doc_types.register("ticket", DocType(...))``),
writes documents with ``search_index`` in its own transactions, and filters its (already
visibility-scoped) querysets with ``search_filter``::

    tickets = search_filter(ticket_scope(user), doc_type="ticket", query="colis endommagé")

Tickets use it now; help-center articles and messages register their own types later."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from comptoir.core import clock
from comptoir.core.registry import Registry

from .backends import backend_for
from .normaliser import fold, normalise, query_terms, tokens

__all__ = [
    "DocType",
    "fold",
    "normalise",
    "query_terms",
    "search_doc_types",
    "search_filter",
    "search_ids",
    "search_index",
    "search_remove",
    "tokens",
]


@dataclass(frozen=True)
class DocType:
    name: str
    # doc_id → (text, language) or None when the document is gone: used to rebuild the index.
    source: Callable[[int], tuple[str, str] | None] | None = None


search_doc_types: Registry[DocType] = Registry("search document types")

MAX_INDEXED_CHARS = 100_000


def _check(doc_type: str) -> None:
    if doc_type not in search_doc_types:
        raise KeyError(f"search: unknown document type {doc_type!r}.")


def search_index(*, doc_type: str, doc_id: int, text: str, language: str) -> None:
    """Index (or re-index) one document: ``text`` is normalised here, in ``language``."""
    from .models import SearchDocument

    _check(doc_type)
    normalised = normalise(text[:MAX_INDEXED_CHARS], language=language)
    updated = SearchDocument.objects.filter(doc_type=doc_type, doc_id=doc_id).update(
        text=normalised, language=language, updated_at=clock.now()
    )
    if not updated:
        SearchDocument.objects.create(
            doc_type=doc_type, doc_id=doc_id, text=normalised, language=language
        )


def search_remove(*, doc_type: str, doc_id: int) -> None:
    from .models import SearchDocument

    SearchDocument.objects.filter(doc_type=doc_type, doc_id=doc_id).delete()


def _vendor(queryset: QuerySet[Any] | None = None) -> str:
    alias = queryset.db if queryset is not None else "default"
    return str(connections[alias or "default"].vendor)


def search_filter(
    queryset: QuerySet[Any], *, doc_type: str, query: str, field: str = "pk"
) -> QuerySet[Any]:
    """``queryset`` narrowed to the rows whose document matches ``query`` (order unchanged).
    An empty query (no word in it) matches nothing."""
    _check(doc_type)
    match = backend_for(_vendor(queryset)).match(doc_type=doc_type, query=query)
    if match is None:
        return queryset.none()
    sql = f"SELECT m.doc_id FROM ({match.sql}) m"
    return queryset.filter(**{f"{field}__in": RawSQL(sql, match.params)})


def search_ids(*, doc_type: str, query: str, limit: int = 50) -> list[int]:
    """Ids of the best-ranked documents matching ``query``: for callers that rank globally
    (the help center). Apply visibility afterwards."""
    _check(doc_type)
    vendor = _vendor()
    match = backend_for(vendor).match(doc_type=doc_type, query=query)
    if match is None:
        return []
    params: list[Any] = [*match.params, int(limit)]
    with connections["default"].cursor() as cursor:
        cursor.execute(
            f"SELECT m.doc_id FROM ({match.sql}) m ORDER BY m.rank, m.doc_id LIMIT %s", params
        )
        return [int(row[0]) for row in cursor.fetchall()]
