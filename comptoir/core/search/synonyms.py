"""Synonyms: product data, not code. Each line of a language is a group of words that customers
use for the same thing on this marketplace; a query word of a group also finds the others.

Keep groups small and unambiguous (two words that mean the same thing here, in every context):
a synonym widens every search that uses the word. Words are written naturally (accents,
plurals); they are folded and stemmed like the indexed text."""

from __future__ import annotations

SYNONYMS: dict[str, list[str]] = {
    "fr": [
        "colis, paquet",  # the articles say "colis"; customers also write "paquet"
        "courriel, mail",  # "e-mail" in the articles
        "vendeur, marchand",
    ],
    "en": [
        "parcel, package",  # the articles say "parcel"; customers also write "package"
        "seller, vendor, merchant",
    ],
}
