"""Markdown → safe HTML (``markdown`` then an ``nh3`` allow-list), and the plain text used for
excerpts and highlighting."""

from __future__ import annotations

import re

import markdown  # type: ignore[import-untyped]
import nh3

ALLOWED_TAGS = {
    "p", "br", "h2", "h3", "h4", "ul", "ol", "li", "strong", "em", "code", "pre", "blockquote",
    "a", "table", "thead", "tbody", "tr", "th", "td", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
EXCERPT_CHARS = 220


def render_markdown(text: str) -> str:
    """Safe HTML of an article's Markdown: raw HTML, scripts, event handlers and
    ``javascript:`` links never survive."""
    html = markdown.markdown(text or "", extensions=["tables", "sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


_MD_SYNTAX = re.compile(
    r"(^#{1,6}\s*|\*\*|__|`|^\s*[-*+]\s+|^\s*\d+\.\s+|^\|.*\|$|\[|\]\([^)]*\))", re.M
)


def plain_text(text: str) -> str:
    """Markdown without its syntax, on one line."""
    lines = [
        line for line in (text or "").splitlines() if not re.match(r"^\s*\|?[-:| ]+\|?\s*$", line)
    ]
    stripped = _MD_SYNTAX.sub(" ", "\n".join(lines)).replace("|", " ")
    return " ".join(stripped.split())


def excerpt_of(text: str, limit: int = EXCERPT_CHARS) -> str:
    plain = plain_text(text)
    if len(plain) <= limit:
        return plain
    cut = plain[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.") + "…"
