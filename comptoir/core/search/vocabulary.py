"""The vocabulary of ranked documents, cached in the process: document frequencies (idf, the
upper bounds of ranked search), prefix completion and typo correction without a round trip.

One cache entry per (database, doc_type, language), valid for one ``SearchStats.version``: every
(re)index or removal bumps the version, and the next search of any process sees the new version
(read with the statistics, one indexed row) and reloads the vocabulary once. Typo correction:
pg_trgm's ``similarity`` on PostgreSQL (GIN trigram index), the same formula in Python over the
cached vocabulary on SQLite (|A∩B| / |A∪B| over the padded trigrams, compared at ``real``
precision)."""

from __future__ import annotations

import bisect
import struct
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection

TRIGRAM_MIN_SIMILARITY = 0.3
PREFIX_EXPANSIONS = 5
_TERMS = "core_search_searchterm"


def trigrams(word: str) -> set[str]:
    """pg_trgm's trigrams of one word: two spaces before, one after."""
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    ta, tb = trigrams(a), trigrams(b)
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0


def _float4(value: float) -> float:
    """pg_trgm's similarity is a ``real``: compare at that precision on SQLite too."""
    return float(struct.unpack("f", struct.pack("f", value))[0])


@dataclass
class Vocabulary:
    version: int
    df: dict[str, int]
    sorted_terms: list[str]
    _trigram_index: dict[str, set[str]] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def trigram_index(self) -> dict[str, set[str]]:
        """Built on first use (typo correction on SQLite only)."""
        if self._trigram_index is None:
            with self._lock:
                if self._trigram_index is None:
                    index: dict[str, set[str]] = {}
                    for word in self.df:
                        if len(word) >= 3 and not word.isdigit():
                            for gram in trigrams(word):
                                index.setdefault(gram, set()).add(word)
                    self._trigram_index = index
        return self._trigram_index

    def prefixed(self, prefix: str, limit: int) -> list[str]:
        """The most frequent words starting with ``prefix`` (ties: sort order)."""
        start = bisect.bisect_left(self.sorted_terms, prefix)
        found = []
        for term in self.sorted_terms[start:]:
            if not term.startswith(prefix):
                break
            found.append(term)
        found.sort(key=lambda term: (-self.df[term], term))
        return found[:limit]


_vocabularies: dict[tuple[str, str, str, str], Vocabulary] = {}
_load_lock = threading.Lock()


def vocabulary(*, doc_type: str, language: str, version: int) -> Vocabulary:
    """The vocabulary of ``doc_type`` in ``language`` as of statistics ``version``."""
    key = (str(connection.settings_dict.get("NAME")), connection.alias, doc_type, language)
    cached = _vocabularies.get(key)
    if cached is not None and cached.version == version:
        return cached
    with _load_lock:
        cached = _vocabularies.get(key)
        if cached is not None and cached.version == version:
            return cached
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT term, df FROM {_TERMS} WHERE doc_type = %s AND language = %s",
                [doc_type, language],
            )
            df = {str(term): int(n) for term, n in cursor.fetchall() if n > 0}
        loaded = Vocabulary(version=version, df=df, sorted_terms=sorted(df))
        _vocabularies[key] = loaded
        return loaded


def vocabulary_forget() -> None:
    """Drop every cached vocabulary (tests that recreate databases)."""
    with _load_lock:
        _vocabularies.clear()


def df_of(voc: Vocabulary, terms: Iterable[str]) -> dict[str, int]:
    return {term: voc.df[term] for term in set(terms) if term in voc.df}


def correct(*, voc: Vocabulary, doc_type: str, language: str, word: str) -> str | None:
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
    index = voc.trigram_index()
    candidates = set().union(*(index.get(gram, set()) for gram in trigrams(word)))
    best: tuple[float, int, str] | None = None
    for candidate in candidates:
        rank = (_float4(similarity(word, candidate)), voc.df[candidate], candidate)
        if rank[0] >= TRIGRAM_MIN_SIMILARITY and (best is None or rank > best):
            best = rank
    return best[2] if best else None
