"""Help-center API, mounted under ``/api/v1/help`` next to the taxonomy."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema

from comptoir.core.pagination import page_schema
from comptoir.taxonomy.api import LANG_QUERY, LangParam, _language

from . import selectors
from .models import Article

router = Router(tags=["help"])


class ArticleItemOut(Schema):
    slug: str
    title: str
    excerpt: str
    url: str
    language: str
    node: str | None


class ArticleOut(ArticleItemOut):
    html: str
    related: list[ArticleItemOut]


def _item(article: Article, *, excerpt: str | None = None) -> ArticleItemOut:
    return ArticleItemOut(
        slug=article.slug,
        title=article.title,
        excerpt=excerpt if excerpt is not None else article.excerpt,
        url=reverse("helpcenter:article", args=[article.slug]) + f"?lang={article.language}",
        language=article.language,
        node=article.node.code if article.node_id and article.node else None,
    )


@router.get("/articles", auth=None, response=page_schema(ArticleItemOut))
def articles(
    request: HttpRequest,
    q: str = Query("", max_length=200, description="Words to search for; empty lists all."),
    lang: LangParam = LANG_QUERY,
    node: str | None = Query(None, description="Only articles under this taxonomy node."),
    cursor: str | None = None,
    limit: int = 20,
) -> dict[str, object]:
    """Published articles, FR or EN. With ``q``: the best matches first (accents folded,
    French and English stemming, typo-tolerant for short queries; the excerpt is plain text
    around the first match), ``limit`` (at most 50) per page; ``next_cursor`` gives the next
    page and is valid only with the same ``q`` and ``lang``. Without ``q``: every article, in
    slug order. Both keyset-paginated."""
    language = _language(lang)
    if q.strip():
        result = selectors.article_search(
            user=request.user,
            query=q,
            language=language,
            limit=max(1, min(limit, 50)),
            cursor=cursor,
        )
        items = [_item(hit.article, excerpt=_plain(str(hit.excerpt_html))) for hit in result.hits]
        return {"items": items, "next_cursor": result.next_cursor}
    page = selectors.article_list(
        user=request.user, language=language, node_code=node, cursor=cursor, limit=limit
    )
    return {"items": [_item(a) for a in page.items], "next_cursor": page.next_cursor}


def _plain(html: str) -> str:
    from html import unescape

    from django.utils.html import strip_tags

    return unescape(strip_tags(html))


@router.get("/articles/{slug}", auth=None, response=ArticleOut)
def article(request: HttpRequest, slug: str, lang: LangParam = LANG_QUERY) -> ArticleOut:
    """One published article with its rendered (sanitised) HTML and related articles."""
    language = _language(lang)
    found = selectors.article_get(user=request.user, slug=slug, language=language)
    base = _item(found)
    return ArticleOut(
        **base.model_dump(),
        html=found.body_html,
        related=[_item(a) for a in selectors.article_related(user=request.user, article=found)],
    )
