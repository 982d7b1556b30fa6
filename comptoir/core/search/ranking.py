"""Ranked search: BM25 computed by the database, with the same formula on SQLite and PostgreSQL.

For document types that need a global ranking (help-center articles, where the same top
results are expected on both databases), each document is also stored as postings: one row per
normalised term with its frequency, whether it is in the title or the keywords, and the
document's length. The score of a query is then one SQL aggregate over the postings of the
query's terms, read through a covering index; only the top ``limit`` rows leave the database.

    score(d) = Σ_terms idf(t) · ( tf·(k1+1) / (tf + k1·(1 − b + b·len/avglen))
                                 + title_boost·[t in title] + keyword_boost·[t in keywords] )

with idf(t) = ln(1 + (N − df + 0.5) / (df + 0.5)) from the vocabulary table (``SearchTerm``)
and N, avglen from ``SearchStats``, both maintained on every (re)index. A term of the query is a
group of forms (the folded word and its stems in each language, synonyms): its frequency in a
document is the sum over the forms, its idf that of its most frequent form.

Typo tolerance: an unknown word of a short query is replaced by the closest word of the
vocabulary by trigram similarity (pg_trgm on PostgreSQL, the same similarity computed in Python
on SQLite: |A∩B| / |A∪B| over the padded trigrams)."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db import connection, transaction

from .normaliser import MAX_TOKEN, normalise
from .vocabulary import (
    PREFIX_EXPANSIONS,
    TRIGRAM_MIN_SIMILARITY,
    Vocabulary,
    correct,
    df_of,
    similarity,
    trigrams,
    vocabulary,
)

__all__ = [
    "PREFIX_EXPANSIONS",
    "TRIGRAM_MIN_SIMILARITY",
    "RankedDocument",
    "RankedHit",
    "Stats",
    "idf",
    "ranked_correct",
    "ranked_cursor",
    "ranked_cursor_read",
    "ranked_df",
    "ranked_index",
    "ranked_index_many",
    "ranked_prefix",
    "ranked_rebuild_stats",
    "ranked_remove",
    "ranked_search",
    "ranked_stats",
    "ranked_vocabulary",
    "similarity",
    "trigrams",
]

K1, B = 1.2, 0.75
_CURSOR_SALT = "comptoir.search.ranked"

_POSTINGS = "core_search_searchposting"
_TERMS = "core_search_searchterm"
_STATS = "core_search_searchstats"


@dataclass(frozen=True)
class RankedDocument:
    doc_id: int
    language: str
    title: str
    keywords: str
    body: str
    private: bool = False


@dataclass(frozen=True)
class RankedHit:
    doc_id: int
    score: float


@dataclass(frozen=True)
class Stats:
    documents: int
    average_length: float
    version: int


# --- indexing ------------------------------------------------------------------------------------


def _postings(doc_type: str, document: RankedDocument) -> tuple[list[tuple[Any, ...]], float]:
    language = document.language
    title = set(normalise(document.title, language=language).split())
    keywords = set(normalise(document.keywords, language=language).split())
    words = normalise(
        f"{document.title}\n{document.keywords}\n{document.body}", language=language
    ).split()
    counts = Counter(word[:MAX_TOKEN] for word in words)
    length = float(len(words) or 1)
    rows = [
        (
            doc_type,
            language,
            term,
            document.doc_id,
            float(count),
            int(term in title),
            int(term in keywords),
            length,
            bool(document.private),
        )
        for term, count in sorted(counts.items())
    ]
    return rows, length


_INSERT_POSTINGS = (
    f"INSERT INTO {_POSTINGS} (doc_type, language, term, doc_id, tf, in_title, in_keywords, "
    "length, private) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


def _bump_terms(cursor: Any, doc_type: str, language: str, terms: Sequence[str], by: int) -> None:
    if not terms:
        return
    if by > 0:
        cursor.executemany(
            f"INSERT INTO {_TERMS} (doc_type, language, term, df) VALUES (%s, %s, %s, %s) "
            f"ON CONFLICT (doc_type, language, term) DO UPDATE SET df = {_TERMS}.df + EXCLUDED.df",
            [(doc_type, language, term, by) for term in terms],
        )
        return
    marks = ", ".join(["%s"] * len(terms))
    cursor.execute(
        f"UPDATE {_TERMS} SET df = df - %s WHERE doc_type = %s AND language = %s "
        f"AND term IN ({marks})",
        [-by, doc_type, language, *terms],
    )
    cursor.execute(
        f"DELETE FROM {_TERMS} WHERE doc_type = %s AND language = %s AND df <= 0",
        [doc_type, language],
    )


def _new_version() -> int:
    """A fresh statistics version: random, not a counter, so that a version seen by a cache is
    never reused for other contents (tests roll back; a restored backup restarts a counter)."""
    return secrets.randbits(62) + 1


def _bump_stats(cursor: Any, doc_type: str, language: str, documents: int, length: float) -> None:
    version = _new_version()
    if documents < 0:  # a removal: the row exists (an insert would break the checks)
        cursor.execute(
            f"UPDATE {_STATS} SET documents = documents + %s, total_length = total_length + %s, "
            "version = %s WHERE doc_type = %s AND language = %s",
            [documents, length, version, doc_type, language],
        )
        return
    cursor.execute(
        f"INSERT INTO {_STATS} (doc_type, language, documents, total_length, version) "
        "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (doc_type, language) DO UPDATE SET "
        f"documents = {_STATS}.documents + EXCLUDED.documents, "
        f"total_length = {_STATS}.total_length + EXCLUDED.total_length, "
        "version = EXCLUDED.version",
        [doc_type, language, documents, length, version],
    )


@transaction.atomic
def ranked_remove(*, doc_type: str, doc_id: int) -> None:
    """Forget a document's postings (and its share of the statistics)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT term, language, length FROM {_POSTINGS} WHERE doc_type = %s AND doc_id = %s",
            [doc_type, doc_id],
        )
        rows = cursor.fetchall()
        if not rows:
            return
        language, length = rows[0][1], float(rows[0][2])
        cursor.execute(
            f"DELETE FROM {_POSTINGS} WHERE doc_type = %s AND doc_id = %s", [doc_type, doc_id]
        )
        _bump_terms(cursor, doc_type, language, sorted(row[0] for row in rows), -1)
        _bump_stats(cursor, doc_type, language, -1, -length)


@transaction.atomic
def ranked_index(*, doc_type: str, document: RankedDocument) -> None:
    """Index (or re-index) one document for ranked search."""
    ranked_remove(doc_type=doc_type, doc_id=document.doc_id)
    rows, length = _postings(doc_type, document)
    with connection.cursor() as cursor:
        cursor.executemany(_INSERT_POSTINGS, rows)
        _bump_terms(cursor, doc_type, document.language, [row[2] for row in rows], 1)
        _bump_stats(cursor, doc_type, document.language, 1, length)


@transaction.atomic
def ranked_index_many(*, doc_type: str, documents: Iterable[RankedDocument]) -> int:
    """Bulk indexing of documents not indexed yet (imports, benchmarks): postings in batches,
    then the vocabulary and statistics recomputed once."""
    count = 0
    batch: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for document in documents:
            rows, _length = _postings(doc_type, document)
            batch.extend(rows)
            count += 1
            if len(batch) >= 20_000:
                cursor.executemany(_INSERT_POSTINGS, batch)
                batch = []
        if batch:
            cursor.executemany(_INSERT_POSTINGS, batch)
    ranked_rebuild_stats(doc_type=doc_type)
    return count


@transaction.atomic
def ranked_rebuild_stats(*, doc_type: str) -> None:
    """Recompute the vocabulary and statistics of ``doc_type`` from its postings."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_TERMS} WHERE doc_type = %s", [doc_type])
        cursor.execute(
            f"INSERT INTO {_TERMS} (doc_type, language, term, df) "
            f"SELECT doc_type, language, term, COUNT(*) FROM {_POSTINGS} WHERE doc_type = %s "
            "GROUP BY doc_type, language, term",
            [doc_type],
        )
        cursor.execute(
            f"SELECT language, COUNT(*), SUM(length) FROM (SELECT language, doc_id, "
            f"MAX(length) AS length FROM {_POSTINGS} WHERE doc_type = %s "
            "GROUP BY language, doc_id) d GROUP BY language",
            [doc_type],
        )
        totals = {row[0]: (int(row[1]), float(row[2] or 0)) for row in cursor.fetchall()}
        cursor.execute(f"SELECT language FROM {_STATS} WHERE doc_type = %s", [doc_type])
        for (language,) in cursor.fetchall():
            totals.setdefault(language, (0, 0.0))
        for language, (documents, length) in totals.items():
            cursor.execute(
                f"DELETE FROM {_STATS} WHERE doc_type = %s AND language = %s", [doc_type, language]
            )
            _bump_stats(cursor, doc_type, language, documents, length)


# --- statistics ----------------------------------------------------------------------------------


def ranked_stats(*, doc_type: str, language: str) -> Stats:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT documents, total_length, version FROM {_STATS} "
            "WHERE doc_type = %s AND language = %s",
            [doc_type, language],
        )
        row = cursor.fetchone()
    if row is None or not row[0]:
        return Stats(documents=0, average_length=1.0, version=int(row[2]) if row else 0)
    return Stats(documents=int(row[0]), average_length=float(row[1]) / row[0], version=int(row[2]))


def ranked_vocabulary(*, doc_type: str, language: str, stats: Stats | None = None) -> Vocabulary:
    """The cached vocabulary of ``doc_type`` in ``language`` (reloaded when the stats change)."""
    stats = stats or ranked_stats(doc_type=doc_type, language=language)
    return vocabulary(doc_type=doc_type, language=language, version=stats.version)


def ranked_df(
    *, doc_type: str, language: str, terms: Iterable[str], stats: Stats | None = None
) -> dict[str, int]:
    voc = ranked_vocabulary(doc_type=doc_type, language=language, stats=stats)
    return df_of(voc, terms)


def ranked_prefix(
    *,
    doc_type: str,
    language: str,
    prefix: str,
    limit: int = PREFIX_EXPANSIONS,
    stats: Stats | None = None,
) -> list[str]:
    """The most frequent words of the vocabulary starting with ``prefix`` (a word being typed)."""
    if not prefix:
        return []
    voc = ranked_vocabulary(doc_type=doc_type, language=language, stats=stats)
    return voc.prefixed(prefix, limit)


def ranked_correct(
    *, doc_type: str, language: str, word: str, stats: Stats | None = None
) -> str | None:
    """The closest word of the vocabulary (trigram similarity ≥ 0.3; ties: the most frequent,
    then the greatest in sort order), or None."""
    if len(word) < 3 or word.isdigit():
        return None
    voc = ranked_vocabulary(doc_type=doc_type, language=language, stats=stats)
    return correct(voc=voc, doc_type=doc_type, language=language, word=word)


# --- cursors -------------------------------------------------------------------------------------


def ranked_cursor(*, scope: str, hit: RankedHit) -> str:
    """An opaque cursor for the page after ``hit``, bound to ``scope`` (the query and filters)."""
    return signing.dumps([scope, hit.score, hit.doc_id], salt=_CURSOR_SALT, compress=True)


def ranked_cursor_read(*, scope: str, cursor: str) -> tuple[float, int] | None:
    """The (score, doc_id) a cursor stands for, or None when it is forged or for another query."""
    try:
        value = signing.loads(cursor, salt=_CURSOR_SALT)
        found_scope, score, doc_id = value
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if found_scope != scope:
        return None
    return float(score), int(doc_id)


from .ranked_query import idf, ranked_search  # noqa: E402  (after the names it uses)
