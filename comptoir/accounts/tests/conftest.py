from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clean_cache_and_language(request):
    """Rate-limit counters live in the cache table: start every database test from zero."""
    if request.node.get_closest_marker("django_db") or "db" in request.fixturenames:
        cache.clear()
    yield


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Run the block's on-commit callbacks (the outbox drain) and return the e-mails sent."""

    class Sent:
        def __init__(self) -> None:
            self._ctx = None

        def __enter__(self):
            mail.outbox.clear()
            self._ctx = django_capture_on_commit_callbacks(execute=True)
            self._ctx.__enter__()
            return mail.outbox

        def __exit__(self, *exc):
            return self._ctx.__exit__(*exc)

    return Sent()


def link_in(message, pattern: str = r"https?://\S+") -> str:
    match = re.search(pattern, message.body)
    assert match, message.body
    return match.group(0)
