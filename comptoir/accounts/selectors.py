"""Reads on accounts."""

from __future__ import annotations

import hashlib

from django.http import HttpRequest

from comptoir.core import clock

from .models import ApiToken, ShopMembership, Team, TotpDevice, User


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


def user_has_active_totp(*, user: User) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).exists()


def user_shops(*, user: User) -> list[ShopMembership]:
    """The shops a seller works in, with their role in each."""
    return list(
        ShopMembership.objects.select_related("shop").filter(user=user).order_by("shop__name")
    )


def user_teams(*, user: User) -> list[Team]:
    return list(Team.objects.filter(members=user).order_by("code"))


def client_ip(request: HttpRequest) -> str:
    """The client's address as the server sees it (a proxy in front sets REMOTE_ADDR right, e.g.
    uvicorn --proxy-headers)."""
    return str(request.META.get("REMOTE_ADDR") or "unknown")
