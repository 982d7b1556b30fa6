"""Notification kinds: each app registers its own (``notification_kinds.register(...)``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from comptoir.core.registry import Registry


@dataclass(frozen=True)
class NotificationKind:
    code: str
    label: Any  # lazily translated text
    email_default: bool = True
    in_app_default: bool = True
    # Security notices (password changed, 2FA enabled…) cannot be turned off by e-mail.
    email_locked: bool = False


notification_kinds: Registry[NotificationKind] = Registry("notification kinds")


def register_notification_kind(kind: NotificationKind) -> NotificationKind:
    return notification_kinds.register(kind.code, kind)


ACCOUNT = register_notification_kind(
    NotificationKind(code="account", label=_("Account and security"), email_locked=True)
)
SYSTEM = register_notification_kind(
    NotificationKind(code="system", label=_("News from Comptoir"), email_default=False)
)
