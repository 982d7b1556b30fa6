"""notify(): in-app notification + e-mail through the outbox + live push, once per event,
in the user's language and according to the user's preferences."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from comptoir.core import clock
from comptoir.core.errors import NotFound, ValidationFailed
from comptoir.core.outbox import email_enqueue
from comptoir.core.realtime import push_to_user_on_commit

from .kinds import NotificationKind, notification_kinds
from .models import Notification, NotificationPreference

Text = str | Callable[[], str]
CHANNELS = ("email", "in_app")


def _render(value: Any) -> str:
    return str(value() if callable(value) else value)


def _channels(user: Any, kind: NotificationKind) -> tuple[bool, bool]:
    pref = NotificationPreference.objects.filter(user=user, kind=kind.code).first()
    email = kind.email_default if pref is None else pref.email
    in_app = kind.in_app_default if pref is None else pref.in_app
    return (email or kind.email_locked), in_app


def absolute_url(url: str) -> str:
    if url.startswith("/"):
        return str(settings.SITE_URL).rstrip("/") + url
    return url


def _email_body(body: str, url: str) -> str:
    parts = [body.strip()]
    if url:
        parts.append(absolute_url(url))
    parts.append(
        "-- \n"
        + _(
            "You receive this message because you have an account on %(site)s. "
            "You can choose which e-mails you get in your account settings."
        )
        % {"site": settings.SITE_NAME}
    )
    return "\n\n".join(part for part in parts if part)


def notify(
    *,
    user: Any,
    kind: str,
    event_key: str,
    title: Text,
    body: Text,
    url: str = "",
) -> Notification | None:
    """Tell ``user`` about an event, in the user's language, on the channels they chose.

    ``title``/``body`` are lazy strings or callables, rendered under the user's language. The
    same ``event_key`` twice does nothing the second time. Returns the in-app notification,
    or None when none was stored (in-app turned off, or already notified)."""
    spec = notification_kinds.get(kind)
    if not event_key or len(event_key) > 200:
        raise ValueError("notify: event_key must be 1 to 200 characters.")
    if Notification.objects.filter(user=user, event_key=event_key).exists():
        return None
    email_on, in_app_on = _channels(user, spec)
    language = getattr(user, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        title_text = _render(title).strip()[:200]
        body_text = _render(body)
        email_text = _email_body(body_text, url) if email_on else ""
    notification = None
    with transaction.atomic():
        if in_app_on:
            try:
                with transaction.atomic():
                    notification = Notification.objects.create(
                        user=user,
                        kind=kind,
                        event_key=event_key,
                        title=title_text,
                        body=body_text,
                        url=url,
                        created_at=clock.now(),
                    )
            except IntegrityError:
                return None  # the same event, notified concurrently
            push_to_user_on_commit(
                user.pk,
                {
                    "type": "notification",
                    "id": notification.public_id,
                    "kind": kind,
                    "title": title_text,
                    "body": body_text,
                    "url": url,
                    "created_at": notification.created_at.isoformat(),
                },
            )
        if email_on and user.email and user.is_active:
            email_enqueue(
                to=[user.email],
                subject=title_text,
                body_text=email_text,
                idempotency_key=f"notification:{user.pk}:{event_key}",
            )
    return notification


def notification_mark_read(*, user: Any, public_id: str) -> Notification:
    """Mark one of the user's notifications read (idempotent); NotFound for anyone else's."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update().filter(user=user, public_id=public_id).first()
        )
        if notification is None:
            raise NotFound()
        if notification.read_at is None:
            notification.read_at = clock.now()
            notification.save(update_fields=["read_at"])
            push_to_user_on_commit(
                user.pk, {"type": "notification.read", "ids": [notification.public_id]}
            )
    return notification


def notification_mark_all_read(*, user: Any) -> int:
    with transaction.atomic():
        count = Notification.objects.filter(user=user, read_at__isnull=True).update(
            read_at=clock.now()
        )
        if count:
            push_to_user_on_commit(user.pk, {"type": "notification.read", "ids": "all"})
    return count


def notification_preferences_update(
    *, user: Any, preferences: dict[str, dict[str, bool]]
) -> list[tuple[NotificationKind, bool, bool]]:
    """Set channels per kind: ``{"system": {"email": False, "in_app": True}}``. A channel left
    out keeps its value; e-mail stays on for locked kinds (security notices)."""
    from .selectors import notification_preferences_for

    unknown = sorted(str(code) for code in preferences if code not in notification_kinds)
    if unknown:
        raise ValidationFailed(
            _("Unknown notification type: %(kinds)s.") % {"kinds": ", ".join(unknown)},
            {"kinds": unknown},
        )
    for code, channels in preferences.items():
        if not isinstance(channels, dict) or any(
            key not in CHANNELS or not isinstance(value, bool) for key, value in channels.items()
        ):
            raise ValidationFailed(
                _("Invalid notification settings for %(kind)s.") % {"kind": code},
                {"kinds": [code]},
            )
    current = {
        kind.code: (email, in_app)
        for kind, email, in_app in notification_preferences_for(user=user)
    }
    with transaction.atomic():
        for code, channels in preferences.items():
            kind = notification_kinds.get(code)
            email = channels.get("email", current[code][0]) or kind.email_locked
            in_app = channels.get("in_app", current[code][1])
            NotificationPreference.objects.update_or_create(
                user=user, kind=code, defaults={"email": email, "in_app": in_app}
            )
    return notification_preferences_for(user=user)
