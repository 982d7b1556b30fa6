"""The full-text backends behind one interface: ``match_sql`` gives SQL selecting the ids of
documents of one type matching a query, with a rank to order by. Both index the normalised
text, so they find the same documents."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from .normaliser import query_terms


@dataclass(frozen=True)
class MatchSql:
    sql: str  # SELECT doc_id, rank FROM … (rank: smaller is better)
    params: list[object]


class Backend(Protocol):
    vendor: str

    def match(self, *, doc_type: str, query: str) -> MatchSql | None: ...


class SqliteFts5Backend:
    vendor = "sqlite"

    def expression(self, query: str) -> str | None:
        terms = query_terms(query)
        if not terms:
            return None
        parts = []
        for index, forms in enumerate(terms):
            last = index == len(terms) - 1
            alternatives = [f'"{form}"' for form in forms]
            if last and len(forms[0]) >= 3:
                # The query is often typed as one goes: the last word may be unfinished.
                alternatives += [f'"{form}"*' for form in forms]
            parts.append("(" + " OR ".join(alternatives) + ")")
        return " AND ".join(parts)

    def match(self, *, doc_type: str, query: str) -> MatchSql | None:
        expression = self.expression(query)
        if expression is None:
            return None
        return MatchSql(
            sql=(
                "SELECT d.doc_id, bm25(core_search_fts) AS rank FROM core_search_fts "
                "JOIN core_search_searchdocument d ON d.id = core_search_fts.rowid "
                "WHERE core_search_fts MATCH %s AND d.doc_type = %s"
            ),
            params=[expression, doc_type],
        )


class PostgresTsvectorBackend:
    vendor = "postgresql"

    def expression(self, query: str) -> str | None:
        terms = query_terms(query)
        if not terms:
            return None
        parts = []
        for index, forms in enumerate(terms):
            last = index == len(terms) - 1
            alternatives = list(forms)
            if last and len(forms[0]) >= 3:
                alternatives += [f"{form}:*" for form in forms]
            parts.append("(" + " | ".join(alternatives) + ")")
        return " & ".join(parts)

    def match(self, *, doc_type: str, query: str) -> MatchSql | None:
        expression = self.expression(query)
        if expression is None:
            return None
        return MatchSql(
            sql=(
                "SELECT d.doc_id, -ts_rank(to_tsvector('simple'::regconfig, d.text), "
                "to_tsquery('simple'::regconfig, %s)) AS rank "
                "FROM core_search_searchdocument d WHERE d.doc_type = %s AND "
                "to_tsvector('simple'::regconfig, d.text) @@ to_tsquery('simple'::regconfig, %s)"
            ),
            params=[expression, doc_type, expression],
        )


_BACKENDS: dict[str, Backend] = {
    "sqlite": SqliteFts5Backend(),
    "postgresql": PostgresTsvectorBackend(),
}


def backend_for(vendor: str) -> Backend:
    try:
        return _BACKENDS[vendor]
    except KeyError as exc:
        raise RuntimeError(f"No full-text search backend for the {vendor!r} database.") from exc
