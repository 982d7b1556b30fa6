"""HTML → plain text for HTML-only mails (stdlib ``html.parser``): block elements become line
breaks, lists get bullets, links keep their address, quoted blocks (``blockquote``, Gmail's
``gmail_quote``, Outlook's reply header) are prefixed with ``>`` so the quote stripper removes
them like quoted plain text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

BLOCKS = frozenset(
    {
        "p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
        "blockquote", "pre", "hr", "section", "article", "header", "footer",
    }
)  # fmt: skip
SKIP = frozenset({"style", "script", "head", "title", "template"})
QUOTE_CLASSES = ("gmail_quote", "moz-cite-prefix", "yahoo_quoted", "OutlookMessageHeader")
QUOTE_IDS = ("divRplyFwdMsg", "appendonsend", "mail-editor-reference-message-container")
QUOTE_MARK = "\x00Q"


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0
        self.stack: list[tuple[str, bool]] = []  # (tag, opened a quote)
        self.quote = 0
        self.href: str | None = None

    def _newline(self) -> None:
        self.parts.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: (v or "") for k, v in attrs}
        if tag in SKIP:
            self.skip += 1
            return
        if tag in ("br", "hr", "img", "meta", "link", "input"):
            if tag == "br":
                self._newline()
            elif tag == "hr":
                self.parts.append("\n----\n")
            return
        quoting = tag == "blockquote" or (
            tag == "div"
            and (
                any(c in values.get("class", "") for c in QUOTE_CLASSES)
                or values.get("id", "") in QUOTE_IDS
            )
        )
        self.stack.append((tag, quoting))
        if quoting:
            self.quote += 1
        if tag in BLOCKS:
            self._newline()
        if tag == "li":
            self.parts.append("- ")
        if tag == "a":
            self.href = values.get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP:
            self.skip = max(0, self.skip - 1)
            return
        # Pop to the matching tag (tolerates unclosed elements).
        for index in range(len(self.stack) - 1, -1, -1):
            if self.stack[index][0] == tag:
                for _tag, quoting in self.stack[index:]:
                    if quoting:
                        self.quote -= 1
                del self.stack[index:]
                break
        if tag == "a":
            self.href = None
        if tag in BLOCKS:
            self._newline()

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        text = re.sub(r"[ \t\r\n\f\xa0]+", " ", data)
        if not text:
            return
        if self.quote:
            text = text.replace("\n", " ")
            self.parts.append(QUOTE_MARK + text)
        else:
            self.parts.append(text)
        if self.href and self.href.startswith(("http://", "https://")) and self.href not in data:
            self.parts.append(f" ({self.href})")


def html_to_text(html: str) -> str:
    converter = _Converter()
    try:
        converter.feed(html)
        converter.close()
    except Exception:  # html.parser is lenient; anything left is dropped, never raised
        pass
    lines = []
    for raw in "".join(converter.parts).split("\n"):
        quoted = QUOTE_MARK in raw
        line = re.sub(r" {2,}", " ", raw.replace(QUOTE_MARK, "")).strip()
        lines.append(("> " + line) if quoted and line else line)
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
