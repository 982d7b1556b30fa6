"""Help-center search on the shared full-text index (``core.search``).

Both backends find the candidates (any content word of the question, the last one as a prefix),
restricted to published articles of the language in SQL; the ranking is then computed here, the
same way on SQLite and PostgreSQL (BM25 over the normalised text, with title and keyword
boosts), so both databases give the same top results. Short queries that match badly are
corrected with trigrams against the vocabulary of the articles ("refnd" → "refund")."""

from __future__ import annotations

import functools
import math
import re
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Count, Max
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from comptoir.core.search import DocType, fold, search_doc_types, search_index
from comptoir.core.search import search_remove as core_search_remove
from comptoir.core.search.normaliser import STEMMERS, stem, tokens

from .enums import ArticleStatus
from .models import Article
from .rendering import plain_text

DOC_TYPE = "help_article"
CANDIDATES = 60
K1, B = 1.2, 0.75
TITLE_BOOST, KEYWORD_BOOST = 2.0, 1.2
TYPO_MAX_TERMS = 3
TYPO_MIN_SIMILARITY = 0.3
EXCERPT_CHARS = 220

STOPWORDS = frozenset(
    fold(word)
    for word in """
    a à au aux avec ce ces cet cette d de des du elle en et est été il ils je j l la le les leur
    lui ma mais me mes moi mon même n ne nos notre nous on ou où par pas pour qu que qui s sa se
    ses si son sur ta te tes toi ton tu un une vos votre vous y c ça ca plus comment quoi quel
    quelle quels quelles quand est-ce puis peux peut dois faire fait ai as avez avons suis sont
    mon ma mes depuis toujours encore
    the a an and or of to in on at for from by with is are was were be been it its this that
    these those i me my we our you your he she they them his her do does did have has had can
    could should would will how what when where why which who not no yet still please there
    about get got any
    """.split()
)


def article_document(article_id: int) -> tuple[str, str] | None:
    article = Article.objects.filter(pk=article_id).first()
    if article is None or article.status != ArticleStatus.PUBLISHED:
        return None
    return _document_text(article), article.language


def _document_text(article: Article) -> str:
    return "\n".join([article.title, article.keywords, plain_text(article.body_markdown)])


def article_reindex(article: Article) -> None:
    """Index a published article (internal ones too: staff search them); drafts are removed."""
    if article.status == ArticleStatus.PUBLISHED:
        search_index(
            doc_type=DOC_TYPE,
            doc_id=article.pk,
            text=_document_text(article),
            language=article.language,
        )
    else:
        core_search_remove(doc_type=DOC_TYPE, doc_id=article.pk)
    _stats_cache.clear()


search_doc_types.register(DOC_TYPE, DocType(name=DOC_TYPE, source=article_document))


# --- query analysis ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=65536)
def _stem(token: str, language: str) -> str:
    return stem(token, language)


@functools.lru_cache(maxsize=4096)
def _forms(token: str) -> frozenset[str]:
    return frozenset({token, *(_stem(token, language) for language in STEMMERS)})


@functools.lru_cache(maxsize=65536)
def _normalised_set(text: str, language: str) -> frozenset[str]:
    return frozenset(_stem(token, language) for token in tokens(text))


def content_tokens(query: str) -> list[str]:
    words = tokens(query)[:16]
    content = [w for w in words if w not in STOPWORDS and len(w) > 1]
    return content or words


# --- corpus statistics (document frequencies, vocabulary, trigrams) ------------------------------


@dataclass
class _Stats:
    key: tuple[Any, ...]
    documents: int
    average_length: float
    df: Counter[str]
    trigrams: dict[str, set[str]] = field(default_factory=dict)


_stats_cache: dict[str, _Stats] = {}
_stats_lock = threading.Lock()


def _published(language: str) -> Any:
    return Article.objects.filter(language=language, status=ArticleStatus.PUBLISHED)


def _stats(language: str) -> _Stats:
    summary = _published(language).aggregate(n=Count("id"), last=Max("updated_at"))
    key = (connection.vendor, connection.settings_dict.get("NAME"), summary["n"], summary["last"])
    cached = _stats_cache.get(language)
    if cached is not None and cached.key == key:
        return cached
    with _stats_lock:
        from comptoir.core.search.models import SearchDocument

        df: Counter[str] = Counter()
        lengths = 0
        count = 0
        texts = SearchDocument.objects.filter(
            doc_type=DOC_TYPE, doc_id__in=_published(language).values("pk")
        ).values_list("text", flat=True)
        for text in texts.iterator(chunk_size=2000):
            words = text.split()
            lengths += len(words)
            count += 1
            df.update(set(words))
        trigrams: dict[str, set[str]] = {}
        for word in df:
            if len(word) >= 3 and not word.isdigit():
                for gram in _trigrams(word):
                    trigrams.setdefault(gram, set()).add(word)
        stats = _Stats(
            key=key,
            documents=count,
            average_length=(lengths / count) if count else 1.0,
            df=df,
            trigrams=trigrams,
        )
        _stats_cache[language] = stats
        return stats


def _trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def _similarity(a: str, b: str) -> float:
    ta, tb = _trigrams(a), _trigrams(b)
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0


def _correct(token: str, stats: _Stats) -> str | None:
    """The closest word of the articles' vocabulary, when the token itself is unknown."""
    if any(stats.df.get(form) for form in _forms(token)) or len(token) < 3:
        return None
    grams = _trigrams(token)
    candidates: Counter[str] = Counter()
    for gram in grams:
        for word in stats.trigrams.get(gram, ()):
            candidates[word] += 1
    best: tuple[float, int, str] | None = None
    for word, _shared in candidates.most_common(200):
        score = _similarity(token, word)
        rank = (score, stats.df[word], word)
        if score >= TYPO_MIN_SIMILARITY and (best is None or rank > best):
            best = rank
    return best[2] if best else None


# --- candidates from the full-text backend -------------------------------------------------------


def _candidate_sql(terms: list[frozenset[str]], *, internal: bool) -> tuple[str, list[Any]]:
    vendor = connection.vendor
    last = len(terms) - 1
    if vendor == "sqlite":
        alternatives = []
        for index, forms in enumerate(terms):
            alternatives += [f'"{form}"' for form in sorted(forms)]
            if index == last and min(len(f) for f in forms) >= 3:
                alternatives += [f'"{form}"*' for form in sorted(forms)]
        expression = " OR ".join(alternatives)
        sql = (
            "SELECT d.doc_id FROM core_search_fts "
            "JOIN core_search_searchdocument d ON d.id = core_search_fts.rowid "
            "JOIN helpcenter_article a ON a.id = d.doc_id "
            "WHERE core_search_fts MATCH %s AND d.doc_type = %s AND a.language = %s "
            "AND a.status = %s" + ("" if internal else " AND a.internal = 0") + " "
            "ORDER BY bm25(core_search_fts), d.doc_id LIMIT %s"
        )
        return sql, [expression]
    parts = []
    for index, forms in enumerate(terms):
        parts += sorted(forms)
        if index == last and min(len(f) for f in forms) >= 3:
            parts += [f"{form}:*" for form in sorted(forms)]
    expression = " | ".join(parts)
    sql = (
        "SELECT d.doc_id FROM core_search_searchdocument d "
        "JOIN helpcenter_article a ON a.id = d.doc_id "
        "WHERE to_tsvector('simple'::regconfig, d.text) @@ to_tsquery('simple'::regconfig, %s) "
        "AND d.doc_type = %s AND a.language = %s AND a.status = %s"
        + ("" if internal else " AND a.internal = false")
        + " ORDER BY ts_rank(to_tsvector('simple'::regconfig, d.text), "
        "to_tsquery('simple'::regconfig, %s)) DESC, d.doc_id LIMIT %s"
    )
    return sql, [expression]


def _candidates(
    terms: list[frozenset[str]], *, language: str, internal: bool
) -> list[tuple[int, str]]:
    safe_terms = [frozenset(f for f in forms if re.fullmatch(r"\w+", f)) for forms in terms]
    safe_terms = [forms for forms in safe_terms if forms]
    if not safe_terms:
        return []
    sql, params = _candidate_sql(safe_terms, internal=internal)
    expression = params[0]
    if connection.vendor == "sqlite":
        args: list[Any] = [expression, DOC_TYPE, language, ArticleStatus.PUBLISHED, CANDIDATES]
    else:
        args = [expression, DOC_TYPE, language, ArticleStatus.PUBLISHED, expression, CANDIDATES]
    query = f"SELECT c.doc_id, d.text FROM ({sql}) c JOIN core_search_searchdocument d ON d.doc_id = c.doc_id AND d.doc_type = %s"
    with connection.cursor() as cursor:
        cursor.execute(query, [*args, DOC_TYPE])
        return [(int(row[0]), str(row[1])) for row in cursor.fetchall()]


# --- ranking -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    article: Article
    score: float
    title_html: SafeString
    excerpt_html: SafeString


@dataclass(frozen=True)
class SearchResult:
    hits: list[SearchHit]
    corrected_query: str | None = None


def _score(
    terms: list[frozenset[str]],
    text: str,
    title_words: frozenset[str],
    keyword_words: frozenset[str],
    stats: _Stats,
) -> float:
    words = text.split()
    counts = Counter(words)
    length = len(words) or 1
    total = 0.0
    n = max(stats.documents, 1)
    for index, forms in enumerate(terms):
        prefix = index == len(terms) - 1 and min(len(f) for f in forms) >= 3
        tf = sum(counts.get(form, 0) for form in forms)
        df = max((stats.df.get(form, 0) for form in forms), default=0)
        in_title = bool(forms & title_words)
        in_keywords = bool(forms & keyword_words)
        if tf == 0 and prefix:
            tf = sum(c for w, c in counts.items() if any(w.startswith(f) for f in forms))
            df = max(df, 1)
            in_title = any(w.startswith(f) for w in title_words for f in forms)
        if tf == 0:
            continue
        idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
        bm25 = tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / stats.average_length))
        total += idf * (bm25 + TITLE_BOOST * in_title + KEYWORD_BOOST * in_keywords)
    return round(total, 9)


def search_articles(
    *, query: str, language: str, include_internal: bool = False, limit: int = 10
) -> SearchResult:
    """Published articles of ``language`` matching ``query``, best first. Internal articles
    only when ``include_internal`` (staff)."""
    words = content_tokens(query)
    if not words:
        return SearchResult(hits=[])
    stats = _stats(language)
    corrected: str | None = None
    hits = _search(words, language=language, internal=include_internal, limit=limit, stats=stats)
    if len(hits) < 3 and len(words) <= TYPO_MAX_TERMS:
        fixed = [(_correct(word, stats) or word) for word in words]
        if fixed != words:
            more = _search(
                fixed, language=language, internal=include_internal, limit=limit, stats=stats
            )
            if more:
                seen = {hit.article.pk for hit in hits}
                hits = [*hits, *(hit for hit in more if hit.article.pk not in seen)][:limit]
                corrected = " ".join(fixed)
    return SearchResult(hits=hits, corrected_query=corrected)


def _search(
    words: list[str], *, language: str, internal: bool, limit: int, stats: _Stats
) -> list[SearchHit]:
    terms = [_forms(word) for word in words]
    rows = _candidates(terms, language=language, internal=internal)
    if not rows:
        return []
    articles = {a.pk: a for a in Article.objects.filter(pk__in=[pk for pk, _t in rows])}
    scored: list[tuple[float, str, Article]] = []
    for pk, text in rows:
        article = articles.get(pk)
        if article is None:
            continue
        title_words = _normalised_set(article.title, language)
        keyword_words = _normalised_set(article.keywords, language)
        score = _score(terms, text, title_words, keyword_words, stats)
        if score > 0:
            scored.append((score, article.slug, article))
    scored.sort(key=lambda item: (-item[0], item[1]))
    all_forms = frozenset().union(*terms)
    return [
        SearchHit(
            article=article,
            score=score,
            title_html=highlight(article.title, all_forms, language=language),
            excerpt_html=highlight_excerpt(article.body_markdown, all_forms, language=language),
        )
        for score, _slug, article in scored[:limit]
    ]


# --- highlighting --------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _matches(word: str, forms: frozenset[str], language: str) -> bool:
    folded = fold(word)
    if folded in STOPWORDS:
        return False
    return bool({folded, _stem(folded, language)} & forms)


def highlight(text: str, forms: frozenset[str], *, language: str) -> SafeString:
    out: list[str] = []
    position = 0
    for match in _WORD.finditer(text):
        out.append(escape(text[position : match.start()]))
        word = match.group(0)
        if _matches(word, forms, language):
            out.append(f"<mark>{escape(word)}</mark>")
        else:
            out.append(escape(word))
        position = match.end()
    out.append(escape(text[position:]))
    return mark_safe("".join(out))


def highlight_excerpt(markdown_text: str, forms: frozenset[str], *, language: str) -> SafeString:
    plain = plain_text(markdown_text)
    start = 0
    for match in _WORD.finditer(plain):
        if _matches(match.group(0), forms, language):
            start = max(0, match.start() - 60)
            break
    if start:
        space = plain.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    window = plain[start : start + EXCERPT_CHARS]
    if start + EXCERPT_CHARS < len(plain):
        window = window.rsplit(" ", 1)[0] + "…"
    prefix = "…" if start else ""
    return mark_safe(prefix + highlight(window, forms, language=language))
