"""The settings page's view of the notification preferences kept by core.notifications."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from comptoir.core.notifications import (
    notification_preferences_for,
    notification_preferences_update,
)

from .models import User


def notification_rows(*, user: User) -> list[dict[str, Any]]:
    """One row per notification kind, with its e-mail and in-app switches."""
    rows = []
    for kind, email, in_app in notification_preferences_for(user=user):
        rows.append(
            {
                "kind": kind.code,
                "label": str(kind.label),
                "channels": [
                    {
                        "code": "email",
                        "label": _("E-mail"),
                        "enabled": bool(email),
                        "locked": bool(kind.email_locked),
                    },
                    {
                        "code": "in_app",
                        "label": _("On the site"),
                        "enabled": bool(in_app),
                        "locked": False,
                    },
                ],
            }
        )
    return rows


def notification_rows_save(*, user: User, preferences: dict[str, dict[str, bool]]) -> None:
    notification_preferences_update(user=user, preferences=preferences)
