"""Fixed-window rate limits counted in the shared Django cache.

The cache is shared by every process (the database cache in the embedded default, Redis in
production), so a limit holds across web nodes and workers, never per process.

Counting is atomic: ``cache.add`` creates the window's counter, ``cache.incr`` bumps it (atomic
on Redis). The database cache implements ``incr`` as a read then a write, so there the two run in
one transaction (SQLite takes its write lock at BEGIN IMMEDIATE, which serialises them).

Call it *outside* the business transaction that may roll back: with the database cache, a count
made inside a transaction that is rolled back would be rolled back with it (a failed login must
still count).
"""

from __future__ import annotations

import contextlib
import hashlib
import math
from collections.abc import Iterator

from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.db import DatabaseCache
from django.db import router, transaction
from django.utils.translation import gettext as _

from . import clock
from .errors import RateLimited

_PREFIX = "rl:"


def _cache_key(key: str, window_seconds: int, window_index: int) -> str:
    # Hash: keys may hold e-mail addresses or IPs (characters some backends refuse, or PII).
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:40]
    return f"{_PREFIX}{digest}:{window_seconds}:{window_index}"


def _cache() -> BaseCache:
    return caches["default"]


@contextlib.contextmanager
def _serialised(cache: BaseCache) -> Iterator[None]:
    if isinstance(cache, DatabaseCache):
        db = router.db_for_write(cache.cache_model_class)
        with transaction.atomic(using=db):
            yield
    else:
        yield


def _window(window_seconds: int) -> tuple[int, int]:
    """(index of the current window, seconds until it ends)."""
    now = clock.now().timestamp()
    index = int(now // window_seconds)
    remaining = max(1, math.ceil((index + 1) * window_seconds - now))
    return index, remaining


def rate_limit(*, key: str, limit: int, window_seconds: int) -> None:
    """Count one attempt under ``key``; raise ``RateLimited`` once ``limit`` attempts were made
    in the current window of ``window_seconds`` (the attempt that overflows is refused, and
    counted: hammering does not reset anything)."""
    if limit < 1 or window_seconds < 1:
        raise ValueError("limit and window_seconds must be positive.")
    index, remaining = _window(window_seconds)
    cache_key = _cache_key(key, window_seconds, index)
    timeout = remaining + 1
    cache = _cache()
    with _serialised(cache):
        cache.add(cache_key, 0, timeout=timeout)
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired between add and incr: start the window again
            cache.set(cache_key, 1, timeout=timeout)
            count = 1
        if isinstance(cache, DatabaseCache):
            # BaseCache.incr re-sets the value with the default timeout: keep the window's.
            cache.touch(cache_key, timeout=timeout)
    if count > limit:
        raise RateLimited(
            _("Too many attempts. Please try again in %(minutes)s minute(s).")
            % {"minutes": max(1, math.ceil(remaining / 60))},
            retry_after=remaining,
        )


def rate_limit_count(*, key: str, window_seconds: int) -> int:
    """Attempts counted under ``key`` in the current window (for tests and diagnostics)."""
    index, _remaining = _window(window_seconds)
    return int(_cache().get(_cache_key(key, window_seconds, index), 0))


def rate_limit_reset(*, key: str, window_seconds: int) -> None:
    """Forget the current window's count (after a successful login, for instance)."""
    index, _remaining = _window(window_seconds)
    _cache().delete(_cache_key(key, window_seconds, index))
