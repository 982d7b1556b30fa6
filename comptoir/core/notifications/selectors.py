"""Reads for notifications: preferences with defaults, the inbox page, the unread count."""

from __future__ import annotations

from typing import Any

from comptoir.core.pagination import Page, paginate

from .kinds import NotificationKind, notification_kinds
from .models import Notification, NotificationPreference


def notification_preferences_for(*, user: Any) -> list[tuple[NotificationKind, bool, bool]]:
    """Every registered kind with the user's (email, in_app) choice, defaults where unset."""
    stored = {pref.kind: pref for pref in NotificationPreference.objects.filter(user=user)}
    result = []
    for code, kind in notification_kinds.items():
        pref = stored.get(code)
        email = kind.email_default if pref is None else pref.email
        in_app = kind.in_app_default if pref is None else pref.in_app
        result.append((kind, email or kind.email_locked, in_app))
    return result


def notifications_for(
    *, user: Any, cursor: str | None = None, limit: int = 25, unread_only: bool = False
) -> Page[Notification]:
    """The user's notifications, newest first (keyset pagination)."""
    queryset = Notification.objects.filter(user=user)
    if unread_only:
        queryset = queryset.filter(read_at__isnull=True)
    return paginate(queryset, order=("-created_at", "-id"), cursor=cursor, limit=limit)


def unread_notification_count(*, user: Any) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()
