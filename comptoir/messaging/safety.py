"""Message safety: plain text only, links made safe when shown, and the off-platform payment
detector (messages asking to pay outside the marketplace are flagged to staff)."""

from __future__ import annotations

import re
import unicodedata

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from comptoir.core.search import fold

MAX_TEXT = 4000
_URL = re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}»"

# Folded (lower-case, no accents) patterns: payment outside the platform, or moving the
# conversation to another channel to do so.
OFF_PLATFORM_PATTERNS: dict[str, re.Pattern[str]] = {
    "paypal": re.compile(r"\bpay ?pal\b"),
    "money_transfer": re.compile(r"\b(western ?union|moneygram|mandat ?cash|ria money)\b"),
    "bank_transfer": re.compile(r"\b(virement( bancaire)?|bank transfer|wire transfer|iban|rib)\b"),
    "crypto": re.compile(r"\b(bitcoin|btc|crypto|usdt|ethereum)\b"),
    "direct_payment": re.compile(
        r"\b(pay(er|ez)?[- ]?(moi )?directement|pay (me )?directly|hors (de la )?plateforme|"
        r"outside (the |this )?(platform|site|app|marketplace)|en dehors (du site|de la plateforme)|"
        r"lydia|paylib|cash app|venmo|zelle)\b"
    ),
    "other_channel": re.compile(r"\b(whats ?app|telegram|wechat|signal me)\b"),
}


def clean_text(text: str) -> str:
    """Plain text: NFC, no control characters but newlines and tabs, at most 2 blank lines in a
    row, trimmed, at most MAX_TEXT characters."""
    value = unicodedata.normalize("NFC", str(text or "")).replace("\r\n", "\n").replace("\r", "\n")
    value = "".join(
        ch for ch in value if ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cf"}
    )
    value = re.sub(r"\n{3,}", "\n\n", value).strip()
    return value[:MAX_TEXT]


def off_platform_reasons(text: str) -> list[str]:
    folded = fold(text or "").lower()
    return [code for code, pattern in OFF_PLATFORM_PATTERNS.items() if pattern.search(folded)]


def _link(url: str) -> str:
    safe = escape(url)
    return f'<a href="{safe}" rel="nofollow noopener noreferrer ugc" target="_blank">{safe}</a>'


def render_text(text: str) -> SafeString:
    """Escaped text with line breaks; http(s) URLs become rel="nofollow noopener" links, any
    other scheme stays plain text."""
    parts: list[str] = []
    position = 0
    for match in _URL.finditer(text or ""):
        url = match.group(0)
        trimmed = url.rstrip(_TRAILING)
        end = match.start() + len(trimmed)
        parts.append(escape(text[position : match.start()]))
        parts.append(_link(trimmed))
        position = end
    parts.append(escape((text or "")[position:]))
    return mark_safe("".join(parts).replace("\n", "<br>"))


def preview_of(text: str, *, length: int = 140) -> str:
    flat = " ".join((text or "").split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"
