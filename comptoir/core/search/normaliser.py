"""The one normaliser: casefold, strip accents, Snowball stem per language.

Neither SQLite FTS5 nor PostgreSQL's ``french`` configuration folds accents and stems French the
same way, so the text is normalised here and both backends index the normalised tokens
(``simple`` configuration on PostgreSQL, ``unicode61`` on SQLite)."""

from __future__ import annotations

import functools
import re
import threading
import unicodedata

import snowballstemmer

STEMMERS = {"fr": "french", "en": "english"}
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_local = threading.local()
MAX_TOKEN = 40


def fold(text: str) -> str:
    """Casefold and strip accents (``Endommagés`` → ``endommages``)."""
    decomposed = unicodedata.normalize("NFKD", (text or "").casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _stemmer(language: str) -> snowballstemmer.stemmer | None:
    algorithm = STEMMERS.get(language)
    if algorithm is None:
        return None
    cache = getattr(_local, "stemmers", None)
    if cache is None:
        cache = _local.stemmers = {}
    if algorithm not in cache:  # Snowball stemmers are not thread-safe: one per thread
        cache[algorithm] = snowballstemmer.stemmer(algorithm)
    return cache[algorithm]  # type: ignore[no-any-return]


def tokens(text: str) -> list[str]:
    """Accent-folded word tokens (digits kept: order and ticket numbers are searchable)."""
    return [token[:MAX_TOKEN] for token in _TOKEN.findall(fold(text))]


def stem(token: str, language: str) -> str:
    stemmer = _stemmer(language)
    if stemmer is None or token.isdigit():
        return token
    return str(stemmer.stemWord(token))


def normalise(text: str, *, language: str) -> str:
    """The indexed form of ``text``: folded tokens stemmed in ``language``, space separated."""
    return " ".join(stem(token, language) for token in tokens(text))


@functools.lru_cache(maxsize=4096)
def _alternatives(token: str) -> tuple[str, ...]:
    forms = {token}
    for language in STEMMERS:
        forms.add(stem(token, language))
    return tuple(sorted(forms))


def query_terms(query: str, *, max_terms: int = 12) -> list[tuple[str, ...]]:
    """A query as terms, each the set of forms it may take in the index (every language's stem
    and the folded word itself: the searcher's language is not always the document's)."""
    return [_alternatives(token) for token in tokens(query)[:max_terms]]


@functools.lru_cache(maxsize=8)
def _synonym_index(language: str) -> dict[str, tuple[str, ...]]:
    from .synonyms import SYNONYMS

    index: dict[str, set[str]] = {}
    for line in SYNONYMS.get(language, []):
        group = [word.strip() for word in line.split(",") if word.strip()]
        for word in group:
            key = normalise(word, language=language)
            index.setdefault(key, set()).update(w for w in group if w != word)
    return {key: tuple(sorted(words)) for key, words in index.items()}


def synonyms(token: str, language: str) -> tuple[str, ...]:
    """The words of ``language`` that mean the same as ``token`` (see synonyms.py)."""
    return _synonym_index(language).get(normalise(token, language=language), ())
