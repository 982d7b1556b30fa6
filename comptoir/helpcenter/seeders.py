"""The "helpcenter" seeder: the FR and EN articles of ``content/``, attached to their taxonomy
nodes. Idempotent: an article is created when its (slug, language) is missing; a supervisor's
later edits are never overwritten."""

from __future__ import annotations

from comptoir.core.seeders import register_seeder
from comptoir.taxonomy.models import Node

from .content import ArticleFile, load_articles
from .models import Article
from .services import article_create

SEEDER_NAME = "helpcenter"


def helpcenter_seed(*, files: list[ArticleFile] | None = None) -> int:
    files = files if files is not None else load_articles()
    nodes = {node.code: node for node in Node.objects.all()}
    existing = set(Article.objects.values_list("slug", "language"))
    created = 0
    for item in files:
        if (item.slug, item.language) in existing:
            continue
        article_create(
            slug=item.slug,
            language=item.language,
            title=item.title,
            body_markdown=item.body,
            keywords=item.keywords,
            node=nodes.get(item.node),
            internal=item.internal,
            publish=True,
            position=item.position,
            related_slugs=",".join(item.related),
        )
        created += 1
    return created


@register_seeder(SEEDER_NAME, version=1, after=("taxonomy",))
def seed_helpcenter() -> None:
    helpcenter_seed()
