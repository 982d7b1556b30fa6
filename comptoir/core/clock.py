"""The one clock. Everything that needs "now" asks here, so tests, demos and
``run_sweeps --at`` can move time. A lint rule bans timezone.now/datetime.now elsewhere."""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

_frozen: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar(
    "comptoir_clock", default=None
)
# A process-wide override, for a command that moves time for everything it runs (threads included).
_process_override: dt.datetime | None = None


def now() -> dt.datetime:
    """The current time, timezone-aware (UTC)."""
    frozen = _frozen.get()
    if frozen is not None:
        return frozen
    if _process_override is not None:
        return _process_override
    return timezone.now()


def wall_now() -> dt.datetime:
    """The real time, ignoring any override: for leases and row claims between workers."""
    return timezone.now()


def today() -> dt.date:
    return timezone.localdate(now())


def _aware(value: dt.datetime) -> dt.datetime:
    if timezone.is_naive(value):
        raise ValueError("The clock only takes timezone-aware datetimes.")
    return value.astimezone(dt.UTC)


@contextlib.contextmanager
def frozen_at(value: dt.datetime) -> Iterator[dt.datetime]:
    """Within the block (and this context only), now() returns ``value``."""
    token = _frozen.set(_aware(value))
    try:
        yield _aware(value)
    finally:
        _frozen.reset(token)


@contextlib.contextmanager
def process_time(value: dt.datetime) -> Iterator[dt.datetime]:
    """Within the block, now() returns ``value`` in every thread of this process."""
    global _process_override
    previous = _process_override
    _process_override = _aware(value)
    try:
        yield _process_override
    finally:
        _process_override = previous


def parse_iso(value: str) -> dt.datetime:
    """Parse an ISO 8601 datetime; a naive one is taken in the project's time zone."""
    parsed = dt.datetime.fromisoformat(value)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed.astimezone(dt.UTC)
