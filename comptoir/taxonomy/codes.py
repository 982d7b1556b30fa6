"""The code rule of PRODUCT.md §5: a child's code is its parent's code, a dot, and a snake_case
slug of its English label (``delivery.delay`` + "Tracking not updated" →
``delivery.delay.tracking_not_updated``). Codes are stable: computed once, never recomputed."""

from __future__ import annotations

import re
import unicodedata

SLUG_RE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*$")
CODE_RE = re.compile(r"^[a-z0-9]+(?:_[a-z0-9]+)*(?:\.[a-z0-9]+(?:_[a-z0-9]+)*){0,2}$")


def slugify_label(label: str) -> str:
    """snake_case ASCII slug: accents folded, every run of other characters becomes one "_".

    >>> slugify_label("Marked delivered but not received")
    'marked_delivered_but_not_received'
    >>> slugify_label("3-D Secure failed")
    '3_d_secure_failed'
    """
    folded = unicodedata.normalize("NFKD", label)
    ascii_only = "".join(ch for ch in folded if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", "_", ascii_only.casefold()).strip("_")


def child_code(parent_code: str, label_en: str) -> str:
    return f"{parent_code}.{slugify_label(label_en)}"


def skill_code_for(node_code: str) -> str:
    """The skill (and default team) code of a second-level node: ``delivery.not_received`` →
    ``delivery-not-received`` (team and skill codes are slugs)."""
    return node_code.replace(".", "-").replace("_", "-")
