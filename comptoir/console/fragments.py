"""Rendered pieces of console pages kept per process for a short time.

A piece is cached under a key that holds everything its HTML depends on (the active language
among them), so a hit returns exactly what rendering would. Entries live ``ttl`` seconds at
most; ``forget()`` drops them all (the taxonomy-changed hook calls it when topic labels change,
tests call it between cases). The cache is bounded: the oldest entries go first."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

from django.utils.safestring import SafeString, mark_safe

MAX_ENTRIES = 512

_entries: OrderedDict[Hashable, tuple[float, SafeString]] = OrderedDict()
_lock = threading.Lock()


def cached_fragment(key: Hashable, ttl: float, render: Callable[[], str]) -> SafeString:
    """``render()``'s HTML, reused for ``ttl`` seconds under ``key``."""
    now = time.monotonic()
    with _lock:
        found = _entries.get(key)
        if found is not None and found[0] > now:
            _entries.move_to_end(key)
            return found[1]
    html = mark_safe(render())  # rendered (and escaped) by the template engine
    with _lock:
        _entries[key] = (now + ttl, html)
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)
    return html


def forget(*_args: object) -> None:
    """Drop every cached piece (usable as a taxonomy-changed hook)."""
    with _lock:
        _entries.clear()
