"""The abstract base model and the core's own tables."""

from __future__ import annotations

from django.db import models

from . import clock


class BaseModel(models.Model):
    """Every domain model has creation and update times from the one clock.

    ``auto_now``/``auto_now_add`` are banned (a system check fails on them): they bypass the clock.
    Services set ``updated_at`` through ``save()`` below or explicitly in ``update()`` calls."""

    created_at = models.DateTimeField(default=clock.now, db_index=True, editable=False)
    updated_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        self.updated_at = clock.now()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "updated_at" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "updated_at"]
        super().save(*args, **kwargs)


class Lease(models.Model):
    """A named lease held by one worker until it expires (scheduler, sweeps).

    Taken with a conditional UPDATE, so it is correct on SQLite and PostgreSQL alike, and a
    crashed holder's lease becomes free again when it runs out."""

    name = models.CharField(max_length=200, primary_key=True)
    holder = models.CharField(max_length=100, blank=True, default="")
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} → {self.holder} until {self.expires_at:%Y-%m-%d %H:%M:%S}"


class SeederRun(models.Model):
    """Which version of each demo seeder was applied to this database."""

    name = models.CharField(max_length=100, primary_key=True)
    version = models.PositiveIntegerField()
    applied_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


# Tables of the core's sub-packages, imported here so Django finds them.
from .notifications.models import Notification, NotificationPreference  # noqa: E402
from .outbox.models import OutboxMessage  # noqa: E402
from .uploads.models import Upload  # noqa: E402

__all__ = [
    "BaseModel",
    "Lease",
    "Notification",
    "NotificationPreference",
    "OutboxMessage",
    "SeederRun",
    "Upload",
]
