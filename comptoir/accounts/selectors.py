"""Reads on accounts."""

from __future__ import annotations

import hashlib

from comptoir.core import clock

from .models import ApiToken, User


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def user_for_api_token(*, key: str) -> User | None:
    """The active user behind a bearer token, or None (unknown, expired, revoked, inactive)."""
    if not key or len(key) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_api_key(key), revoked_at__isnull=True, expires_at__gt=clock.now())
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    return token.user
