"""Quoted replies and signatures stripped from a customer's text, for the French and English
styles of Gmail, Outlook, Apple Mail and Thunderbird. Forwarded mails are kept whole (the
customer forwards something for us to read)."""

from __future__ import annotations

import re

# A line that starts the quoted original (everything from it on is dropped).
_ATTRIBUTION = [
    # Gmail / Thunderbird / Apple Mail, EN: "On Tue, 12 Mar 2024 at 10:02, Ann <a@b> wrote:"
    re.compile(r"^\s*On\b.{0,300}\bwrote\s*:\s*$", re.I | re.S),
    # FR: "Le mar. 12 mars 2024 à 10:02, Ann <a@b> a écrit :" / "Le 12/03/2024 à 10:02, Ann a écrit :"
    re.compile(r"^\s*Le\b.{0,300}\ba\s+[ée]crit\s*:\s*$", re.I | re.S),
    re.compile(
        r"^\s*-{2,}\s*(Original Message|Message d'origine|Message original)\s*-{2,}\s*$", re.I
    ),
    re.compile(r"^\s*_{10,}\s*$"),  # Outlook's separator line before "From:/De :"
]
# Outlook header block: "From: …" followed within 4 lines by "Sent:/Date:/Envoyé :".
_OUTLOOK_FROM = re.compile(r"^\s*\*?(From|De)\s*\*?\s*:", re.I)
_OUTLOOK_SENT = re.compile(r"^\s*\*?(Sent|Date|Envoy[ée]|To|À|A)\s*\*?\s*:", re.I)
_FORWARD = re.compile(
    r"^\s*(-{3,}\s*(Forwarded message|Message transf[ée]r[ée]|Message transmis)\s*-{3,}"
    r"|Begin forwarded message\s*:|D[ée]but du message r[ée]exp[ée]di[ée]\s*:"
    r"|-{3,}\s*Mail original\s*-{3,})\s*$",
    re.I,
)
# A line that starts a signature (everything from it on is dropped).
_SIGNATURE = [
    re.compile(r"^-- ?$"),
    re.compile(
        r"^\s*(Sent from my (iPhone|iPad|Android|Galaxy|mobile)|Envoy[ée] de(puis)? mon"
        r" (iPhone|iPad|mobile|smartphone|Android|appareil)|Get Outlook for (iOS|Android)"
        r"|Obtenir Outlook pour (iOS|Android)|Sent from Mail for Windows"
        r"|Envoy[ée] à partir de Courrier pour Windows|Sent from Yahoo Mail.*|Sent from Mail.* for Windows"
        r"|Envoy[ée] de Yahoo Mail.*)\s*\.?$",
        re.I,
    ),
]


def is_forwarded(text: str) -> bool:
    return any(_FORWARD.match(line) for line in text.splitlines()[:200])


def _cut_at(lines: list[str]) -> int:
    """Index of the first line of the quoted original or the signature (len(lines) if none)."""
    for index, line in enumerate(lines):
        if _FORWARD.match(line):
            return len(lines)  # a forward: the forwarded text is the message
        for pattern in _SIGNATURE:
            if pattern.match(line):
                return index
        # Attributions that wrap over two or three lines (Gmail does).
        for width in (1, 2, 3):
            joined = " ".join(lines[index : index + width])
            if any(p.match(joined) for p in _ATTRIBUTION):
                return index
        if _OUTLOOK_FROM.match(line) and any(
            _OUTLOOK_SENT.match(later) for later in lines[index + 1 : index + 5]
        ):
            return index
        if line.startswith(">") and all(
            not rest.strip() or rest.startswith(">") for rest in lines[index:]
        ):
            return index  # only quoted lines from here on (bottom-posting quoted block)
    return len(lines)


def strip_quotes(text: str) -> str:
    """The new part of a reply: without the quoted original and the signature. A mail that is
    only quotes keeps its text (better too much than an empty message)."""
    lines = text.replace("\r\n", "\n").split("\n")
    cut = _cut_at(lines)
    kept = lines[:cut]
    if not any(line.strip() for line in kept) and cut < len(lines):
        # The attribution comes first: answers interleaved with quoted questions.
        kept = lines[cut + 1 :]
    # Inline quoted lines between answers ("> question" then the answer) go too.
    if any(line.strip() and not line.startswith(">") for line in kept):
        kept = [line for line in kept if not line.startswith(">")]
    result = "\n".join(kept).strip()
    return re.sub(r"\n{3,}", "\n\n", result) or text.strip()
