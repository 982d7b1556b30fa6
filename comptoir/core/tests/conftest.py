"""Fixtures of the core's tests."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from django.contrib.auth import get_user_model

_counter = itertools.count(1)


@pytest.fixture
def make_user(db: Any) -> Any:
    def make(**extra: Any) -> Any:
        number = next(_counter)
        extra.setdefault("email", f"user{number}@example.com")
        extra.setdefault("password", "s3cret-pass-word")
        return get_user_model().objects.create_user(**extra)

    return make


@pytest.fixture
def user(make_user: Any) -> Any:
    return make_user(email="buyer@example.com", language="fr")
