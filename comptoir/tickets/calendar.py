"""Business-hours arithmetic: pure functions over a calendar (time zone, weekly hours,
holidays). Intervals are built from local dates and times with zoneinfo, so a day keeps its
nine business hours across a daylight-saving change."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

MAX_DAYS = 800  # a guard: no target is further than two years of business days


@dataclass(frozen=True)
class Calendar:
    tz: ZoneInfo
    # weekday (Monday = 0) → local (start, end) intervals
    hours: dict[int, tuple[tuple[dt.time, dt.time], ...]]
    holidays: frozenset[dt.date]

    @classmethod
    def build(
        cls, *, timezone: str, hours: dict[str, list[list[str]]], holidays: frozenset[dt.date]
    ) -> Calendar:
        parsed = {
            int(day): tuple(
                (dt.time.fromisoformat(start), dt.time.fromisoformat(end))
                for start, end in intervals
            )
            for day, intervals in hours.items()
        }
        return cls(tz=ZoneInfo(timezone), hours=parsed, holidays=holidays)

    def intervals(self, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        """The business intervals of a local date, in UTC."""
        if day in self.holidays:
            return []
        out = []
        for start, end in self.hours.get(day.weekday(), ()):
            a = dt.datetime.combine(day, start, tzinfo=self.tz).astimezone(dt.UTC)
            b = dt.datetime.combine(day, end, tzinfo=self.tz).astimezone(dt.UTC)
            if b > a:
                out.append((a, b))
        return out

    def _local_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.tz).date()


def add_business_minutes(calendar: Calendar, start: dt.datetime, minutes: int) -> dt.datetime:
    """The moment ``minutes`` business minutes after ``start``."""
    remaining = dt.timedelta(minutes=max(0, minutes))
    day = calendar._local_date(start)
    for _ in range(MAX_DAYS):
        for a, b in calendar.intervals(day):
            begin = max(start, a)
            if begin >= b:
                continue
            available = b - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        day += dt.timedelta(days=1)
    raise ValueError("The calendar has no business hours in the next two years.")


def business_minutes_between(calendar: Calendar, start: dt.datetime, end: dt.datetime) -> int:
    """Business minutes from ``start`` to ``end`` (0 when ``end`` is not after ``start``)."""
    if end <= start:
        return 0
    total = dt.timedelta()
    day = calendar._local_date(start)
    last = calendar._local_date(end)
    guard = 0
    while day <= last and guard < MAX_DAYS * 2:
        for a, b in calendar.intervals(day):
            lo, hi = max(start, a), min(end, b)
            if hi > lo:
                total += hi - lo
        day += dt.timedelta(days=1)
        guard += 1
    return int(total.total_seconds() // 60)


def easter_sunday(year: int) -> dt.date:
    """Anonymous Gregorian algorithm (Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ll = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ll) // 451
    month, day = divmod(h + ll - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def french_public_holidays(year: int) -> list[tuple[dt.date, str]]:
    """The eleven national public holidays of metropolitan France."""
    easter = easter_sunday(year)
    return [
        (dt.date(year, 1, 1), "Jour de l'an"),
        (easter + dt.timedelta(days=1), "Lundi de Pâques"),
        (dt.date(year, 5, 1), "Fête du Travail"),
        (dt.date(year, 5, 8), "Victoire 1945"),
        (easter + dt.timedelta(days=39), "Ascension"),
        (easter + dt.timedelta(days=50), "Lundi de Pentecôte"),
        (dt.date(year, 7, 14), "Fête nationale"),
        (dt.date(year, 8, 15), "Assomption"),
        (dt.date(year, 11, 1), "Toussaint"),
        (dt.date(year, 11, 11), "Armistice 1918"),
        (dt.date(year, 12, 25), "Noël"),
    ]
