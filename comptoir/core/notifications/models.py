"""In-app notifications (one per event and user) and per-user, per-kind channel preferences."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.core import clock
from comptoir.core.ids import new_public_id


class Notification(models.Model):
    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=50)
    # What happened, stable across retries ("dispute:123:opened"): one notification per event.
    event_key = models.CharField(_("event key"), max_length=200)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True, default="")
    url = models.CharField(_("link"), max_length=500, blank=True, default="")
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        app_label = "core"
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["user", "event_key"], name="notification_one_per_event")
        ]
        indexes = [
            models.Index(fields=["user", "read_at", "created_at"], name="notification_unread_idx"),
            models.Index(fields=["user", "-created_at", "-id"], name="notification_list_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class NotificationPreference(models.Model):
    """A user's choice for one kind; absent rows mean the kind's defaults."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=50)
    email = models.BooleanField(_("by e-mail"), default=True)
    in_app = models.BooleanField(_("on the site"), default=True)

    class Meta:
        app_label = "core"
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_pref_one_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.kind}"
