"""Notifications (see services.py). Public API re-exported here."""

from .kinds import NotificationKind, notification_kinds, register_notification_kind
from .models import Notification, NotificationPreference
from .selectors import notification_preferences_for, notifications_for, unread_notification_count
from .services import (
    notification_mark_all_read,
    notification_mark_read,
    notification_preferences_update,
    notify,
)

__all__ = [
    "Notification",
    "NotificationKind",
    "NotificationPreference",
    "notification_kinds",
    "notification_mark_all_read",
    "notification_mark_read",
    "notification_preferences_for",
    "notification_preferences_update",
    "notifications_for",
    "notify",
    "register_notification_kind",
    "unread_notification_count",
]
