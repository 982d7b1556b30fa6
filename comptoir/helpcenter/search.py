"""Help-center search on the shared search of ``core.search``.

Articles are indexed twice: in the full-text index (staff tools filter with it) and as postings
for ranked search (``core.search.ranking``), where the database computes one BM25 score with
title and keyword boosts, the same way on SQLite and PostgreSQL, and returns only the top
results; so both databases give the same top results. Query words are folded, stemmed in both
languages and expanded with the synonyms of the normaliser; the last word may be unfinished
(prefix); an unknown word of a short query is corrected with trigrams against the vocabulary of
the articles ("refnd" → "refund"). Only the returned hits are highlighted."""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass
from html import escape as html_escape

from django.utils.safestring import SafeString, mark_safe

from comptoir.core.pagination import InvalidCursor
from comptoir.core.search import DocType, fold, search_doc_types, search_index
from comptoir.core.search import search_remove as core_search_remove
from comptoir.core.search.normaliser import STEMMERS, stem, synonyms, tokens
from comptoir.core.search.ranking import (
    RankedDocument,
    Stats,
    ranked_correct,
    ranked_cursor,
    ranked_cursor_read,
    ranked_df,
    ranked_index,
    ranked_prefix,
    ranked_remove,
    ranked_search,
    ranked_stats,
)

from .enums import ArticleStatus
from .models import Article
from .rendering import plain_text

DOC_TYPE = "help_article"
TITLE_BOOST, KEYWORD_BOOST = 2.0, 1.2
TYPO_MAX_TERMS = 3
EXCERPT_CHARS = 220
MAX_PAGE = 50

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


def ranked_document(article: Article) -> RankedDocument:
    return RankedDocument(
        doc_id=article.pk,
        language=article.language,
        title=article.title,
        keywords=article.keywords,
        body=plain_text(article.body_markdown),
        private=article.internal,
    )


def article_reindex(article: Article) -> None:
    """Index a published article (internal ones too, as private: staff search them); drafts
    are removed."""
    if article.status == ArticleStatus.PUBLISHED:
        search_index(
            doc_type=DOC_TYPE,
            doc_id=article.pk,
            text=_document_text(article),
            language=article.language,
        )
        ranked_index(doc_type=DOC_TYPE, document=ranked_document(article))
    else:
        core_search_remove(doc_type=DOC_TYPE, doc_id=article.pk)
        ranked_remove(doc_type=DOC_TYPE, doc_id=article.pk)


search_doc_types.register(DOC_TYPE, DocType(name=DOC_TYPE, source=article_document))


# --- query analysis ----------------------------------------------------------------------------


@functools.lru_cache(maxsize=65536)
def _stem(token: str, language: str) -> str:
    return stem(token, language)


@functools.lru_cache(maxsize=4096)
def _forms(token: str, language: str) -> frozenset[str]:
    """The indexed forms a query word may take: the folded word, its stem in each language,
    and the stems of its synonyms in the searched language."""
    forms = {token, *(_stem(token, lang) for lang in STEMMERS)}
    for synonym in synonyms(token, language):
        forms.update(_stem(word, language) for word in tokens(synonym))
    return frozenset(forms)


def content_tokens(query: str) -> list[str]:
    words = tokens(query)[:16]
    content = [w for w in words if w not in STOPWORDS and len(w) > 1]
    return content or words


# --- search --------------------------------------------------------------------------------------


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
    next_cursor: str | None = None


def _scope(words: list[str], language: str, internal: bool) -> str:
    key = f"{language}|{int(internal)}|{' '.join(words)}"
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def search_articles(
    *,
    query: str,
    language: str,
    include_internal: bool = False,
    limit: int = 10,
    cursor: str | None = None,
) -> SearchResult:
    """Published articles of ``language`` matching ``query``, best first, ``limit`` at a time
    (``next_cursor`` gives the next page). Internal articles only when ``include_internal``
    (staff). A forged cursor, or one of another query, is refused (``InvalidCursor``)."""
    words = content_tokens(query)
    if not words:
        return SearchResult(hits=[])
    limit = max(1, min(int(limit), MAX_PAGE))
    scope = _scope(words, language, include_internal)
    after = None
    if cursor:
        after = ranked_cursor_read(scope=scope, cursor=cursor)
        if after is None:
            raise InvalidCursor()
    corrected: str | None = None
    stats = ranked_stats(doc_type=DOC_TYPE, language=language)
    groups = _groups(words, language, stats)
    if len(words) <= TYPO_MAX_TERMS:
        fixed = _corrected(words, groups, language, stats)
        if fixed is not None:
            groups = _groups(fixed, language, stats)
            corrected = " ".join(fixed)
    ranked = ranked_search(
        doc_type=DOC_TYPE,
        language=language,
        stats=stats,
        groups=groups,
        include_private=include_internal,
        title_boost=TITLE_BOOST,
        keyword_boost=KEYWORD_BOOST,
        limit=limit + 1,
        after=after,
    )
    page, more = ranked[:limit], len(ranked) > limit
    articles = (
        Article.objects.select_related("node")
        .defer("body_html")
        .in_bulk([hit.doc_id for hit in page])
    )
    matcher = Matcher(frozenset().union(*groups) if groups else frozenset(), language)
    hits = [
        SearchHit(
            article=articles[hit.doc_id],
            score=hit.score,
            title_html=highlight(articles[hit.doc_id].title, matcher),
            excerpt_html=highlight_excerpt(articles[hit.doc_id].body_markdown, matcher),
        )
        for hit in page
        if hit.doc_id in articles
    ]
    next_cursor = ranked_cursor(scope=scope, hit=page[-1]) if more and page else None
    return SearchResult(hits=hits, corrected_query=corrected, next_cursor=next_cursor)


def _groups(words: list[str], language: str, stats: Stats) -> list[frozenset[str]]:
    """One group of forms per word; the last word, when unknown, also as a prefix."""
    groups = [_forms(word, language) for word in words]
    last = words[-1]
    if len(last) >= 3 and not last.isdigit():
        known = ranked_df(doc_type=DOC_TYPE, language=language, terms=groups[-1], stats=stats)
        if not any(known.values()):
            expansions = ranked_prefix(
                doc_type=DOC_TYPE, language=language, prefix=last, stats=stats
            )
            groups[-1] = groups[-1] | frozenset(expansions)
    return groups


def _corrected(
    words: list[str], groups: list[frozenset[str]], language: str, stats: Stats
) -> list[str] | None:
    """The words with the unknown ones replaced by their closest vocabulary word, or None when
    nothing was replaced."""
    terms = frozenset().union(*groups)
    known = ranked_df(doc_type=DOC_TYPE, language=language, terms=terms, stats=stats)
    fixed = list(words)
    changed = False
    for index, (word, forms) in enumerate(zip(words, groups, strict=True)):
        if any(known.get(form) for form in forms):
            continue
        replacement = ranked_correct(doc_type=DOC_TYPE, language=language, word=word, stats=stats)
        if replacement is not None and replacement != word:
            fixed[index] = replacement
            changed = True
    return fixed if changed else None


# --- highlighting --------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W_]+", re.UNICODE)


class Matcher:
    """Whether a word of an article is one of the query's forms (folded, or stemmed in the
    article's language), remembered per word for the hits of one search."""

    def __init__(self, forms: frozenset[str], language: str) -> None:
        self.forms, self.language = forms, language
        self._seen: dict[str, bool] = {}

    def __call__(self, word: str) -> bool:
        known = self._seen.get(word)
        if known is None:
            analysed = _analysed(word, self.language)
            known = analysed is not None and not analysed.isdisjoint(self.forms)
            self._seen[word] = known
        return known


@functools.lru_cache(maxsize=65536)
def _analysed(word: str, language: str) -> frozenset[str] | None:
    """A word of an article as the index sees it (folded, and stemmed), None for a stop word."""
    folded = fold(word)
    if folded in STOPWORDS:
        return None
    return frozenset((folded, _stem(folded, language)))


def highlight(text: str, matches: Matcher) -> SafeString:
    """``text`` escaped, with the matching words in ``<mark>``."""
    out: list[str] = []
    position = 0
    for found in _WORD.finditer(text):
        if matches(found.group(0)):
            out.append(html_escape(text[position : found.start()]))
            out.append(f"<mark>{html_escape(found.group(0))}</mark>")
            position = found.end()
    out.append(html_escape(text[position:]))
    return mark_safe("".join(out))


@functools.lru_cache(maxsize=1024)
def _plain(markdown_text: str) -> str:
    return plain_text(markdown_text)


def highlight_excerpt(markdown_text: str, matches: Matcher) -> SafeString:
    plain = _plain(markdown_text)
    start = 0
    for found in _WORD.finditer(plain):
        if matches(found.group(0)):
            start = max(0, found.start() - 60)
            break
    if start:
        space = plain.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    window = plain[start : start + EXCERPT_CHARS]
    if start + EXCERPT_CHARS < len(plain):
        window = window.rsplit(" ", 1)[0] + "…"
    prefix = "…" if start else ""
    return mark_safe(prefix + highlight(window, matches))
