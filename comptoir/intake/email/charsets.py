"""Bytes → text for bodies and headers, whatever charset a mail declares (or fails to)."""

from __future__ import annotations

import codecs
from functools import lru_cache

_UNKNOWN = frozenset({"unknown-8bit", "x-unknown", "unknown", ""})


@lru_cache(maxsize=256)
def _known(name: str) -> str | None:
    """The codec name Python knows ``name`` by, else None."""
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return None


def decode_bytes(data: bytes, charset: str | None, problems: list[str] | None = None) -> str:
    """Bytes → text: the declared charset when Python knows it; otherwise (or when it does not
    decode) UTF-8, then Windows-1252 (a superset of ISO-8859-1 in practice) with replacements."""
    candidates: list[str] = []
    if charset:
        name = charset.strip().strip('"').lower()
        if name not in _UNKNOWN:
            known = _known(name)
            if known is not None:
                candidates.append(known)
            elif problems is not None:
                problems.append(f"unknown charset {charset!r}")
    for candidate in [*candidates, "utf-8"]:
        try:
            return data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
    if problems is not None:
        problems.append("undecodable text: decoded as windows-1252")
    return data.decode("windows-1252", errors="replace")
