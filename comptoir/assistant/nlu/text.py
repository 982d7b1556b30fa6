"""Text normalisation shared by the classifiers and the entity extractor."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from comptoir.core.order_numbers import find_order_numbers

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "´": "'"})


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    lower = ch.lower()
    if len(lower) != 1:
        return ch
    base = unicodedata.normalize("NFKD", lower)[:1]
    return base if base else lower


def fold(text: str) -> str:
    """Lower case, accents removed, curly apostrophes straightened: one character for one, so
    spans found on the folded text are spans of the original."""
    return "".join(_fold_char(ch) for ch in text.translate(_APOSTROPHES))


_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ORDERISH = re.compile(r"\d{4}[- ]?\d{4}[- ]?\d{4}[- ]?\d{4}")
_TRACKING = re.compile(
    r"\b(?:[a-z]{2}\d{9}[a-z]{2}|1z[0-9a-z]{16}|\d[a-z]\d{11}|[a-z]{2,4}\d{10,22})\b"
)
_AMOUNT = re.compile(
    r"(?:[€$£]\s?\d+(?:[.,]\d+)?|\d+(?:[.,]\d+)?\s?(?:[€$£]|eur\b|euros?\b|usd\b|dollars?\b))"
)
_DIGITS = re.compile(r"\d+")
_SPACES = re.compile(r"\s+")


def normalise_for_model(text: str) -> str:
    """What the classifiers see: folded text with entities replaced by placeholder words, so
    that "commande 8012-3456-7890-1230" and "commande 4539148803436467" look alike."""
    text = fold(text)
    text = _EMAIL.sub(" zemail ", text)
    if find_order_numbers(text):
        text = _ORDERISH.sub(" zorder ", text)
    text = _TRACKING.sub(" ztrack ", text)
    text = _AMOUNT.sub(" zamount ", text)
    text = _DIGITS.sub(lambda m: " znum " if len(m.group(0)) > 2 else " zn ", text)
    return _SPACES.sub(" ", text).strip()
