from __future__ import annotations

from pathlib import Path

import pytest
from django.core.cache import cache

from comptoir.taxonomy.seeders import taxonomy_seed
from comptoir.tickets.seeders import _calendar, _policies

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN_PLACEHOLDER = "REPLYTOKENPLACEHOLDERxxxxxxxxxxx"


def eml(name: str, *, token: str | None = None, number: str | None = None, **swap: str) -> bytes:
    """A fixture's bytes; ``token``/``number`` replace the reply-token and ticket-number
    placeholders, ``swap`` other literal strings."""
    data = (FIXTURES / name).read_bytes()
    if token is not None:
        data = data.replace(TOKEN_PLACEHOLDER.encode(), token.encode())
    if number is not None:
        data = data.replace(b"T-999999", number.encode())
    for old, new in swap.items():
        data = data.replace(old.encode(), new.encode())
    return data


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.INTAKE_EMAIL_ADDRESSES = ["support@comptoir.localhost"]


@pytest.fixture
def desk(db):
    cache.clear()
    taxonomy_seed()
    calendar = _calendar()
    _policies(calendar)
    return calendar
