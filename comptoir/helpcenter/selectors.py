"""Reads of the help center, scoped to what the caller may see: customers see published,
public articles; staff also see internal ones; only editors see drafts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from comptoir.core.errors import NotFound
from comptoir.core.pagination import Page, paginate
from comptoir.taxonomy.models import Node
from comptoir.taxonomy.selectors import NodeView, node_tree

from .enums import ArticleStatus
from .models import Article
from .search import SearchResult, search_articles

SUGGESTIONS = 3
EDITOR_ROLES = frozenset({"supervisor", "admin"})


def is_staff(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_staff_member)


def is_editor(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role in EDITOR_ROLES)


def article_scope(user: Any, *, language: str | None = None) -> QuerySet[Article]:
    queryset = Article.objects.filter(status=ArticleStatus.PUBLISHED)
    if not is_staff(user):
        queryset = queryset.filter(internal=False)
    if language is not None:
        queryset = queryset.filter(language=language)
    return queryset


def article_get(*, user: Any, slug: str, language: str) -> Article:
    article = (
        article_scope(user, language=language).select_related("node__parent").filter(slug=slug)
    ).first()
    if article is None:
        raise NotFound()
    return article


def article_translations(*, user: Any, article: Article) -> list[Article]:
    return list(article_scope(user).filter(slug=article.slug).exclude(pk=article.pk))


def article_related(*, user: Any, article: Article, limit: int = 3) -> list[Article]:
    """The article's own "related" list first, then other articles of the same concern."""
    slugs = [s.strip() for s in article.related_slugs.split(",") if s.strip()]
    scope = article_scope(user, language=article.language).exclude(pk=article.pk)
    by_slug = {a.slug: a for a in scope.filter(slug__in=slugs)}
    related = [by_slug[s] for s in slugs if s in by_slug][:limit]
    if len(related) < limit and article.node_id is not None:
        more = scope.filter(node_id=article.node_id).exclude(slug__in=list(by_slug))[:limit]
        related += list(more)[: limit - len(related)]
    return related


def article_search(
    *, user: Any, query: str, language: str, limit: int = 10, cursor: str | None = None
) -> SearchResult:
    return search_articles(
        query=query,
        language=language,
        include_internal=is_staff(user),
        limit=limit,
        cursor=cursor,
    )


def article_list(
    *, user: Any, language: str, node_code: str | None = None, cursor: str | None, limit: int = 20
) -> Page[Article]:
    queryset = article_scope(user, language=language)
    if node_code:
        queryset = queryset.filter(
            Q(node__code=node_code) | Q(node__code__startswith=node_code + ".")
        )
    return paginate(queryset, order=("slug", "pk"), cursor=cursor, limit=limit)


@dataclass(frozen=True)
class Category:
    node: NodeView
    articles: list[Article]


def help_home(*, user: Any, language: str, per_category: int = 4) -> list[Category]:
    """The six categories with their most useful articles (two queries)."""
    tree = node_tree(language=language, include_retired=False, include_restricted=False)
    articles = list(
        article_scope(user, language=language)
        .select_related("node__parent__parent")
        .filter(node__isnull=False)
        .order_by("position", "slug")
    )
    out = []
    for category in tree:
        mine = [a for a in articles if _category_code(a.node) == category.code]
        out.append(Category(node=category, articles=mine[:per_category]))
    return out


def _category_code(node: Node | None) -> str | None:
    while node is not None and node.parent_id is not None:
        node = node.parent
    return node.code if node is not None else None


@dataclass(frozen=True)
class CategoryPage:
    node: NodeView
    sections: list[tuple[NodeView, list[Article]]]


def help_category(*, user: Any, language: str, code: str) -> CategoryPage:
    tree = node_tree(language=language, include_retired=False, include_restricted=False)
    category = next((c for c in tree if c.code == code), None)
    if category is None:
        raise NotFound()
    articles = list(
        article_scope(user, language=language)
        .select_related("node")
        .filter(Q(node__code__startswith=code + "."))
        .order_by("position", "slug")
    )
    sections = []
    for sub in category.children:
        codes = {sub.code, *(leaf.code for leaf in sub.children)}
        sections.append((sub, [a for a in articles if a.node and a.node.code in codes]))
    return CategoryPage(node=category, sections=sections)


def suggestions_for_node(*, user: Any, node: Node, language: str) -> list[Article]:
    """The 2–3 most relevant articles for a concern: attached to the concern itself, then to
    its sub-category; then found by searching the concern's label."""
    scope = article_scope(user, language=language).filter(internal=False)
    codes = [node.code]
    if node.parent is not None and node.level == 3:
        codes.append(node.parent.code)
    found: list[Article] = []
    for code in codes:
        for article in scope.filter(node__code=code).order_by("position", "slug"):
            if article not in found:
                found.append(article)
    if len(found) < SUGGESTIONS:
        label = node.label(language)
        for hit in search_articles(query=label, language=language, limit=SUGGESTIONS).hits:
            if hit.article not in found:
                found.append(hit.article)
    # Most specific first; helpful votes break ties among articles of the same node.
    found.sort(key=lambda a: codes.index(a.node.code) if a.node and a.node.code in codes else 9)
    return found[:SUGGESTIONS]


def editor_articles(*, language: str | None = None) -> QuerySet[Article]:
    queryset = Article.objects.select_related("node").order_by("slug", "language")
    if language:
        queryset = queryset.filter(language=language)
    return queryset


def editor_article(*, slug: str, language: str) -> Article:
    article = Article.objects.select_related("node").filter(slug=slug, language=language).first()
    if article is None:
        raise NotFound()
    return article
