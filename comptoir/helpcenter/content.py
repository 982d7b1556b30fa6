"""The demo articles shipped as data: ``content/<lang>/<slug>.md``, Markdown with a front
matter of ``key: value`` lines between ``---`` lines (slug, node, title, keywords, related,
internal)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CONTENT_DIR = Path(__file__).resolve().parent / "content"
LANGUAGES = ("fr", "en")


@dataclass(frozen=True)
class ArticleFile:
    slug: str
    language: str
    node: str
    title: str
    keywords: str
    related: tuple[str, ...]
    internal: bool
    body: str
    position: int


def parse_article(text: str, *, language: str, position: int = 0) -> ArticleFile:
    if not text.startswith("---\n"):
        raise ValueError("article file: front matter missing")
    head, _sep, body = text[4:].partition("\n---\n")
    meta: dict[str, str] = {}
    for line in head.splitlines():
        if line.strip():
            key, _colon, value = line.partition(":")
            meta[key.strip()] = value.strip()
    for key in ("slug", "node", "title"):
        if not meta.get(key):
            raise ValueError(f"article file: {key} missing")
    return ArticleFile(
        slug=meta["slug"],
        language=language,
        node=meta["node"],
        title=meta["title"],
        keywords=meta.get("keywords", ""),
        related=tuple(s.strip() for s in meta.get("related", "").split(",") if s.strip()),
        internal=meta.get("internal", "false").lower() == "true",
        body=body.strip() + "\n",
        position=position,
    )


def load_articles(directory: Path = CONTENT_DIR) -> list[ArticleFile]:
    out: list[ArticleFile] = []
    for language in LANGUAGES:
        for position, path in enumerate(sorted((directory / language).glob("*.md")), start=1):
            out.append(
                parse_article(
                    path.read_text(encoding="utf-8"), language=language, position=position
                )
            )
    return out
