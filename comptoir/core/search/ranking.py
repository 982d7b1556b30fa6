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

import math
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db import connection, transaction

from .normaliser import MAX_TOKEN, normalise

K1, B = 1.2, 0.75
TRIGRAM_MIN_SIMILARITY = 0.3
PREFIX_EXPANSIONS = 5
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


def _bump_stats(cursor: Any, doc_type: str, language: str, documents: int, length: float) -> None:
    if documents < 0:  # a removal: the row exists (an insert would break the checks)
        cursor.execute(
            f"UPDATE {_STATS} SET documents = documents + %s, total_length = total_length + %s, "
            "version = version + 1 WHERE doc_type = %s AND language = %s",
            [documents, length, doc_type, language],
        )
        return
    cursor.execute(
        f"INSERT INTO {_STATS} (doc_type, language, documents, total_length, version) "
        "VALUES (%s, %s, %s, %s, 1) ON CONFLICT (doc_type, language) DO UPDATE SET "
        f"documents = {_STATS}.documents + EXCLUDED.documents, "
        f"total_length = {_STATS}.total_length + EXCLUDED.total_length, "
        f"version = {_STATS}.version + 1",
        [doc_type, language, documents, length],
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


def ranked_df(*, doc_type: str, language: str, terms: Iterable[str]) -> dict[str, int]:
    wanted = sorted(set(terms))
    if not wanted:
        return {}
    marks = ", ".join(["%s"] * len(wanted))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT term, df FROM {_TERMS} WHERE doc_type = %s AND language = %s "
            f"AND term IN ({marks})",
            [doc_type, language, *wanted],
        )
        return {str(term): int(df) for term, df in cursor.fetchall()}


def ranked_prefix(
    *, doc_type: str, language: str, prefix: str, limit: int = PREFIX_EXPANSIONS
) -> list[str]:
    """The most frequent words of the vocabulary starting with ``prefix`` (a word being typed)."""
    if not prefix:
        return []
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT term FROM {_TERMS} WHERE doc_type = %s AND language = %s "
            "AND term >= %s AND term < %s ORDER BY df DESC, term LIMIT %s",
            [doc_type, language, prefix, upper, limit],
        )
        return [str(row[0]) for row in cursor.fetchall()]


# --- typo correction -----------------------------------------------------------------------------


def trigrams(word: str) -> set[str]:
    """pg_trgm's trigrams of one word: two spaces before, one after."""
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    ta, tb = trigrams(a), trigrams(b)
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0


@dataclass
class _Vocabulary:
    version: int
    df: dict[str, int]
    index: dict[str, set[str]]


_vocabularies: dict[tuple[str, str, str, str], _Vocabulary] = {}
_vocabulary_lock = threading.Lock()


def _vocabulary(doc_type: str, language: str, version: int) -> _Vocabulary:
    key = (str(connection.settings_dict.get("NAME")), connection.alias, doc_type, language)
    cached = _vocabularies.get(key)
    if cached is not None and cached.version == version:
        return cached
    with _vocabulary_lock, connection.cursor() as cursor:
        cursor.execute(
            f"SELECT term, df FROM {_TERMS} WHERE doc_type = %s AND language = %s",
            [doc_type, language],
        )
        df = {str(term): int(n) for term, n in cursor.fetchall()}
        index: dict[str, set[str]] = {}
        for word in df:
            if len(word) >= 3 and not word.isdigit():
                for gram in trigrams(word):
                    index.setdefault(gram, set()).add(word)
        vocabulary = _Vocabulary(version=version, df=df, index=index)
        _vocabularies[key] = vocabulary
        return vocabulary


def ranked_correct(*, doc_type: str, language: str, word: str) -> str | None:
    """The closest word of the vocabulary (trigram similarity ≥ 0.3; ties: the most frequent,
    then the greatest in sort order), or None."""
    if len(word) < 3 or word.isdigit():
        return None
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT term FROM (SELECT term, df, similarity(term, %s) AS s "
                f"FROM {_TERMS} WHERE doc_type = %s AND language = %s AND term %% %s) t "
                "WHERE t.s >= %s ORDER BY t.s DESC, t.df DESC, t.term DESC LIMIT 1",
                [word, doc_type, language, word, TRIGRAM_MIN_SIMILARITY],
            )
            row = cursor.fetchone()
        return str(row[0]) if row else None
    stats = ranked_stats(doc_type=doc_type, language=language)
    vocabulary = _vocabulary(doc_type, language, stats.version)
    candidates = set().union(*(vocabulary.index.get(gram, set()) for gram in trigrams(word)))
    best: tuple[float, int, str] | None = None
    for candidate in candidates:
        rank = (_float4(similarity(word, candidate)), vocabulary.df[candidate], candidate)
        if rank[0] >= TRIGRAM_MIN_SIMILARITY and (best is None or rank > best):
            best = rank
    return best[2] if best else None


def _float4(value: float) -> float:
    """pg_trgm's similarity is a ``real``: compare at that precision on SQLite too."""
    import struct

    return float(struct.unpack("f", struct.pack("f", value))[0])


# --- the ranked query ----------------------------------------------------------------------------


def idf(documents: int, df: int) -> float:
    return math.log(1 + (documents - df + 0.5) / (df + 0.5))


def ranked_search(
    *,
    doc_type: str,
    language: str,
    groups: Sequence[Iterable[str]],
    include_private: bool = False,
    title_boost: float = 0.0,
    keyword_boost: float = 0.0,
    limit: int = 10,
    after: tuple[float, int] | None = None,
) -> list[RankedHit]:
    """The best ``limit`` documents for the query terms (each a group of forms), best first,
    after the (score, doc_id) of a previous page's last hit when given."""
    clean = [sorted({form for form in group if form}) for group in groups]
    clean = [group for group in clean if group]
    if not clean:
        return []
    stats = ranked_stats(doc_type=doc_type, language=language)
    if not stats.documents:
        return []
    df = ranked_df(doc_type=doc_type, language=language, terms=[f for g in clean for f in g])
    rows: list[Any] = []
    selects = []
    for index, group in enumerate(clean):
        present = [form for form in group if df.get(form)]
        if not present:
            continue
        weight = idf(stats.documents, max(df[form] for form in present))
        for form in present:
            selects.append("SELECT %s AS term, %s AS grp, %s AS idf")
            rows += [form, index, weight]
    if not selects:
        return []
    private = "" if include_private else " AND p.private = %s"
    norm = K1 * B / stats.average_length
    sql = (
        "SELECT s.doc_id, ROUND(CAST(SUM(s.idf * ((s.tf * %s) / (s.tf + %s + %s * s.len) "
        "+ %s * s.in_title + %s * s.in_keywords)) AS NUMERIC), 6) AS score FROM ("
        "SELECT p.doc_id AS doc_id, q.grp AS grp, q.idf AS idf, SUM(p.tf) AS tf, "
        "MAX(p.length) AS len, MAX(p.in_title) AS in_title, MAX(p.in_keywords) AS in_keywords "
        f"FROM {_POSTINGS} p JOIN ({' UNION ALL '.join(selects)}) q ON p.term = q.term "
        f"WHERE p.doc_type = %s AND p.language = %s{private} "
        "GROUP BY p.doc_id, q.grp, q.idf) s GROUP BY s.doc_id"
    )
    params: list[Any] = [K1 + 1, K1 * (1 - B), norm, title_boost, keyword_boost, *rows]
    params += [doc_type, language]
    if not include_private:
        params.append(False)
    outer = f"SELECT r.doc_id, r.score FROM ({sql}) r"
    if after is not None:
        outer += " WHERE r.score < %s OR (r.score = %s AND r.doc_id > %s)"
        params += [after[0], after[0], after[1]]
    outer += " ORDER BY r.score DESC, r.doc_id LIMIT %s"
    params.append(int(limit))
    with connection.cursor() as cursor:
        cursor.execute(outer, params)
        return [RankedHit(doc_id=int(row[0]), score=float(row[1])) for row in cursor.fetchall()]


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
