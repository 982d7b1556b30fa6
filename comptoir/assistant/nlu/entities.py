"""Entities in free text: order numbers (core's finder), tracking numbers, amounts with currency,
dates (FR/EN, absolute and relative) and e-mail addresses.

Each entity keeps the span it was read from; spans never overlap (earlier kinds win: e-mail,
order number, tracking number, amount, date)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from comptoir.core.order_numbers import find_order_numbers, format_order_number

from .text import fold


@dataclass(frozen=True)
class Entity:
    type: str  # order_number, tracking_number, amount, date, email
    text: str  # as written
    value: Any  # normalised: digits, upper-case code, {"amount", "currency"}, ISO date, e-mail
    start: int
    end: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "text": self.text,
            "value": self.value,
            "start": self.start,
            "end": self.end,
        }


# --- e-mail -------------------------------------------------------------------------------
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")

# --- order numbers: core's finder decides; this only locates what it found -----------------
_SEP = r"(?:-|[ \u00a0]{1,2})?"
_ORDER_SPAN = re.compile(rf"(?<!\d)\d{{4}}{_SEP}\d{{4}}{_SEP}\d{{4}}{_SEP}\d{{4}}(?!\d)")

# --- tracking numbers ---------------------------------------------------------------------
_TRACKING = re.compile(
    r"(?<![A-Za-z0-9])(?:"
    r"[A-Z]{2}\d{9}[A-Z]{2}"  # UPU S10: LP123456789CN
    r"|1Z[0-9A-Z]{16}"  # UPS
    r"|\d[A-Z]\d{11}"  # Colissimo: 6A12345678901
    r"|[A-Z]{2,4}\d{10,22}"  # carrier prefix + digits: YT2312345678901234, LB…
    r"|\d{10,22}"  # long digit runs (FedEx 12/15, DHL 10, USPS 20–22…)
    r")(?![A-Za-z0-9])",
    re.IGNORECASE,
)

# --- amounts ------------------------------------------------------------------------------
_CURRENCY_WORDS = {
    "€": "EUR",
    "eur": "EUR",
    "euro": "EUR",
    "euros": "EUR",
    "balles": "EUR",
    "$": "USD",
    "usd": "USD",
    "dollar": "USD",
    "dollars": "USD",
    "us$": "USD",
    "£": "GBP",
    "gbp": "GBP",
    "pound": "GBP",
    "pounds": "GBP",
    "livres": "GBP",
    "chf": "CHF",
    "cad": "CAD",
    "cny": "CNY",
    "rmb": "CNY",
    "yuan": "CNY",
}
_CUR = r"(?:us\$|€|\$|£|eur|euros?|usd|dollars?|gbp|pounds?|livres|balles|chf|cad|cny|rmb|yuan)"
_NUM = r"\d{1,3}(?:[ \u00a0.,]\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_AMOUNT = re.compile(
    rf"(?<![\w.,])(?:(?P<pre>{_CUR})\s?(?P<num1>{_NUM})"
    rf"|(?P<num2>{_NUM})\s?(?P<post>{_CUR}))(?![\w])",
    re.IGNORECASE,
)

# --- dates --------------------------------------------------------------------------------
_MONTHS = {
    "janvier": 1, "janv": 1, "january": 1, "jan": 1,
    "fevrier": 2, "fevr": 2, "fev": 2, "february": 2, "feb": 2,
    "mars": 3, "march": 3, "mar": 3,
    "avril": 4, "avr": 4, "april": 4, "apr": 4,
    "mai": 5, "may": 5,
    "juin": 6, "june": 6, "jun": 6,
    "juillet": 7, "juil": 7, "july": 7, "jul": 7,
    "aout": 8, "august": 8, "aug": 8,
    "septembre": 9, "sept": 9, "september": 9, "sep": 9,
    "octobre": 10, "oct": 10, "october": 10,
    "novembre": 11, "nov": 11, "november": 11,
    "decembre": 12, "dec": 12, "december": 12,
}  # fmt: skip
_WEEKDAYS = {
    "lundi": 0, "monday": 0, "mardi": 1, "tuesday": 1, "mercredi": 2, "wednesday": 2,
    "jeudi": 3, "thursday": 3, "vendredi": 4, "friday": 4, "samedi": 5, "saturday": 5,
    "dimanche": 6, "sunday": 6,
}  # fmt: skip
_NUMBER_WORDS = {
    "un": 1, "une": 1, "one": 1, "a": 1, "an": 1, "deux": 2, "two": 2, "trois": 3, "three": 3,
    "quatre": 4, "four": 4, "cinq": 5, "five": 5, "six": 6, "sept": 7, "seven": 7, "huit": 8,
    "eight": 8, "dix": 10, "ten": 10, "quinze": 15, "fifteen": 15,
}  # fmt: skip
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY_RE = "|".join(_WEEKDAYS)
_QTY_RE = r"\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True))
_UNIT_RE = r"jours?|semaines?|mois|ans?|days?|weeks?|months?|years?"

_DATE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b")),
    ("dmy", re.compile(r"\b(?P<d>\d{1,2})[/.](?P<m>\d{1,2})(?:[/.](?P<y>\d{2,4}))?\b")),
    (
        "d_month",
        re.compile(
            rf"\b(?:le\s+|the\s+)?(?P<d>\d{{1,2}})(?:er|st|nd|rd|th)?\s+(?:of\s+)?"
            rf"(?P<month>{_MONTH_RE})\.?(?:\s+(?P<y>\d{{4}}))?\b"
        ),
    ),
    (
        "month_d",
        re.compile(
            rf"\b(?P<month>{_MONTH_RE})\.?\s+(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th)?"
            rf"(?:,?\s+(?P<y>\d{{4}}))?\b"
        ),
    ),
    ("ago_fr", re.compile(rf"\bil y a\s+(?P<qty>{_QTY_RE})\s+(?P<unit>{_UNIT_RE})\b")),
    ("ago_en", re.compile(rf"\b(?P<qty>{_QTY_RE})\s+(?P<unit>{_UNIT_RE})\s+ago\b")),
    (
        "last_unit",
        re.compile(
            r"\b(?:la\s+)?(?P<unit>semaine|mois|annee)\s+(?:derniere|dernier|passee?)\b"
            r"|\blast\s+(?P<unit_en>week|month|year)\b"
        ),
    ),
    (
        "last_day",
        re.compile(rf"\b(?P<day>{_DAY_RE})\s+(?:dernier|passe)\b|\blast\s+(?P<day_en>{_DAY_RE})\b"),
    ),
    (
        "relative",
        re.compile(
            r"\b(?P<word>avant[- ]hier|apres[- ]demain|aujourd'?\s?hui|hier|demain"
            r"|the day before yesterday|day before yesterday|yesterday|today|tomorrow"
            r"|ce matin|this morning|tonight|ce soir)\b"
        ),
    ),
    ("weekday", re.compile(rf"\b(?:on\s+|ce\s+)?(?P<day>{_DAY_RE})\b")),
]
_RELATIVE_DAYS = {
    "avant-hier": -2, "avant hier": -2, "the day before yesterday": -2,
    "day before yesterday": -2, "hier": -1, "yesterday": -1, "aujourd'hui": 0,
    "aujourdhui": 0, "aujourd hui": 0, "today": 0, "ce matin": 0, "this morning": 0,
    "tonight": 0, "ce soir": 0, "demain": 1, "tomorrow": 1, "apres-demain": 2,
    "apres demain": 2,
}  # fmt: skip
_UNIT_DAYS = {"jour": 1, "day": 1, "semaine": 7, "week": 7, "mois": 30, "month": 30,
              "an": 365, "annee": 365, "year": 365}  # fmt: skip


def _unit_days(unit: str) -> int:
    unit = unit.rstrip("s") if unit != "mois" else unit
    return _UNIT_DAYS.get(unit, 1)


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _year(raw: str | None, today: dt.date, month: int, day: int) -> int:
    if raw:
        year = int(raw)
        return year + 2000 if year < 100 else year
    # No year: the most recent such date (customers talk about the past).
    candidate = _safe_date(today.year, month, day)
    return today.year - 1 if candidate and candidate > today + dt.timedelta(days=7) else today.year


def _resolve_date(kind: str, m: re.Match[str], today: dt.date) -> dt.date | None:
    g = m.groupdict()
    if kind == "iso":
        return _safe_date(int(g["y"]), int(g["m"]), int(g["d"]))
    if kind == "dmy":
        day, month = int(g["d"]), int(g["m"])
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return None
        return _safe_date(_year(g["y"], today, month, day), month, day)
    if kind in ("d_month", "month_d"):
        month = _MONTHS[g["month"]]
        day = int(g["d"])
        return _safe_date(_year(g["y"], today, month, day), month, day)
    if kind in ("ago_fr", "ago_en"):
        qty = g["qty"]
        n = int(qty) if qty.isdigit() else _NUMBER_WORDS[qty]
        return today - dt.timedelta(days=n * _unit_days(g["unit"]))
    if kind == "last_unit":
        unit = g["unit"] or g["unit_en"]
        return today - dt.timedelta(days=_unit_days("annee" if unit == "year" else unit))
    if kind in ("last_day", "weekday"):
        target = _WEEKDAYS[g.get("day") or g.get("day_en") or ""]
        back = (today.weekday() - target) % 7 or 7
        return today - dt.timedelta(days=back)
    if kind == "relative":
        word = re.sub(r"\s+", " ", g["word"])
        return today + dt.timedelta(days=_RELATIVE_DAYS.get(word, 0))
    return None


def _amount_value(number: str) -> Decimal | None:
    compact = number.replace("\u00a0", " ").strip()
    # "1 234,50" / "1.234,50" / "1,234.50" / "12,50" / "12.50"
    if re.fullmatch(r"\d{1,3}(?:[ .]\d{3})+(?:,\d{1,2})?", compact):
        compact = compact.replace(" ", "").replace(".", "").replace(",", ".")
    elif re.fullmatch(r"\d{1,3}(?:[ ,]\d{3})+(?:\.\d{1,2})?", compact):
        compact = compact.replace(" ", "").replace(",", "")
    else:
        compact = compact.replace(" ", "").replace(",", ".")
    try:
        return Decimal(compact).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


class _Spans:
    def __init__(self) -> None:
        self.taken: list[tuple[int, int]] = []

    def free(self, start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in self.taken)

    def take(self, start: int, end: int) -> None:
        self.taken.append((start, end))


def extract_entities(text: str, *, today: dt.date | None = None) -> list[Entity]:
    """Every entity in ``text``, in reading order. ``today`` anchors relative dates (default:
    the project clock)."""
    if today is None:
        from comptoir.core.clock import today as clock_today

        today = clock_today()
    text = text or ""
    spans = _Spans()
    found: list[Entity] = []

    def add(kind: str, start: int, end: int, value: Any) -> None:
        spans.take(start, end)
        found.append(Entity(kind, text[start:end], value, start, end))

    for m in _EMAIL.finditer(text):
        add("email", m.start(), m.end(), m.group(0).lower())

    order_numbers = find_order_numbers(text)
    located: set[str] = set()
    for m in _ORDER_SPAN.finditer(text):
        hits = find_order_numbers(m.group(0))
        if hits and hits[0] in order_numbers and spans.free(m.start(), m.end()):
            add("order_number", m.start(), m.end(), hits[0])
            located.add(hits[0])
    for number in order_numbers:  # found by core's finder in a shape not located here
        if number not in located:
            found.append(Entity("order_number", format_order_number(number), number, -1, -1))

    for m in _TRACKING.finditer(text):
        if spans.free(m.start(), m.end()) and not _looks_like_phone(m.group(0)):
            add("tracking_number", m.start(), m.end(), m.group(0).upper())

    for m in _AMOUNT.finditer(text):
        if not spans.free(m.start(), m.end()):
            continue
        cur = (m.group("pre") or m.group("post") or "").lower()
        value = _amount_value(m.group("num1") or m.group("num2") or "")
        if value is None:
            continue
        add("amount", m.start(), m.end(), {"amount": str(value), "currency": _CURRENCY_WORDS[cur]})

    folded = fold(text)  # same length as text: accents folded one-for-one
    for kind, pattern in _DATE_PATTERNS:
        for m in pattern.finditer(folded):
            if not spans.free(m.start(), m.end()):
                continue
            date = _resolve_date(kind, m, today)
            if date is not None:
                add("date", m.start(), m.end(), date.isoformat())

    found.sort(key=lambda e: (e.start, e.end))
    return found


def _looks_like_phone(value: str) -> bool:
    return value.startswith("0") and len(value) == 10  # French phone numbers: 06…, 01…


def entities_as_dicts(entities: list[Entity]) -> list[dict[str, Any]]:
    return [e.as_dict() for e in entities]
