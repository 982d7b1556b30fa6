"""Header decoding for the parser, faster and more forgiving than ``policy.default``.

Mails are parsed with ``policy.compat32`` (raw header strings; the header registry of
``policy.default`` costs about a millisecond per header). Here a header is read raw once, its
8-bit bytes (non-RFC 2047 UTF-8 or Latin-1, which many clients and gateways still send) decoded
as UTF-8, else the mail's declared charset, else Windows-1252, then its RFC 2047 encoded words
decoded — with unknown charsets and broken encodings degraded, never raised."""

from __future__ import annotations

import base64
import binascii
import re
from email.message import Message
from email.quoprimime import header_decode

from .charsets import decode_bytes

_ENCODED_WORD = re.compile(r"=\?([^?\s]+)\?([QqBb])\?([^?]*)\?=")
_BETWEEN_WORDS = re.compile(r"(=\?[^?\s]+\?[QqBb]\?[^?]*\?=)\s+(?==\?[^?\s]+\?[QqBb]\?[^?]*\?=)")
_FOLD = re.compile(r"\r?\n[ \t]*")
_SURROGATES = re.compile("[\udc80-\udcff]")


class Headers:
    """The headers of one message part, read once: first occurrence of each name, raw."""

    __slots__ = ("_raw", "fallback_charset", "problems")

    def __init__(self, msg: Message, problems: list[str], fallback_charset: str | None = None):
        raw: dict[str, str] = {}
        try:
            items = msg.raw_items()
        except Exception:  # defensive: a part whose header list is broken
            items = iter(())
        for name, value in items:
            key = str(name).strip().lower()
            if key not in raw and isinstance(value, str):
                raw[key] = value
        self._raw = raw
        self.problems = problems
        self.fallback_charset = fallback_charset

    def __contains__(self, name: str) -> bool:
        return name in self._raw

    def has_8bit(self, name: str) -> bool:
        return bool(_SURROGATES.search(self._raw.get(name, "")))

    def raw(self, name: str) -> str:
        """The value unfolded, 8-bit bytes decoded, encoded words left as they are (for
        addresses and Message-IDs, whose structure must be read before names are decoded)."""
        value = self._raw.get(name)
        if not value:
            return ""
        value = _FOLD.sub(" ", value).strip()
        if _SURROGATES.search(value):
            value = fix_8bit(value, self.fallback_charset, self.problems, name)
        return value.replace("\x00", "")

    def text(self, name: str) -> str:
        """The value as a person reads it: encoded words decoded too."""
        return decode_words(self.raw(name), self.problems)


def fix_8bit(
    value: str, fallback: str | None, problems: list[str] | None = None, name: str = ""
) -> str:
    """A header that arrived with raw 8-bit bytes (kept by the parser as surrogate escapes):
    UTF-8 when it is valid UTF-8, else the mail's charset, else Windows-1252."""
    data = value.encode("ascii", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if problems is not None:
        problems.append(f"8-bit header {name}: not UTF-8")
    return decode_bytes(data, fallback or "windows-1252")


def _decode_word(match: re.Match[str], problems: list[str] | None) -> str:
    charset, encoding, text = match.group(1), match.group(2).upper(), match.group(3)
    charset = charset.partition("*")[0]  # RFC 2231 language suffix: utf-8*fr
    try:
        if encoding == "Q":
            data = header_decode(text).encode("latin-1", "replace")
        else:
            data = base64.b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        if problems is not None:
            problems.append("broken encoded word")
        return match.group(0)
    return decode_bytes(data, charset, problems)


def decode_words(value: str, problems: list[str] | None = None) -> str:
    """RFC 2047 encoded words decoded (whitespace between adjacent words dropped)."""
    if "=?" not in value:
        return value
    joined = _BETWEEN_WORDS.sub(r"\1", value)
    return _ENCODED_WORD.sub(lambda m: _decode_word(m, problems), joined)


def decode_param(value: object, problems: list[str] | None, fallback: str | None) -> str:
    """A MIME parameter (a filename) as text: RFC 2231 already collapsed by ``get_param``;
    8-bit bytes and (non-standard but common) encoded words decoded."""
    text = str(value or "")
    if _SURROGATES.search(text):
        text = fix_8bit(text, fallback, problems, "parameter")
    return decode_words(text, problems).strip()
