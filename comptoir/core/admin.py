"""Staff views of the core's tables: the outbox (with a retry action), uploads, notifications."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .notifications.models import Notification, NotificationPreference
from .outbox.models import OutboxMessage
from .outbox.services import outbox_retry
from .uploads.models import Upload


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "state", "attempts", "next_attempt_at", "sent_at", "created_at"]
    list_filter = ["state", "kind"]
    search_fields = ["idempotency_key", "last_error"]
    readonly_fields = [
        "kind",
        "payload",
        "idempotency_key",
        "state",
        "attempts",
        "next_attempt_at",
        "claimed_until",
        "claim_token",
        "last_error",
        "sent_at",
        "created_at",
    ]
    ordering = ["-id"]
    actions = ["retry"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=gettext_lazy("Retry the selected messages now"))
    def retry(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        count = outbox_retry(message_ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request, _("%(count)d message(s) queued again.") % {"count": count}, messages.SUCCESS
        )


@admin.register(Upload)
class UploadAdmin(admin.ModelAdmin):
    list_display = ["public_id", "kind", "content_type", "size", "owner", "created_at"]
    list_filter = ["kind", "content_type"]
    search_fields = ["public_id", "sha256", "original_name", "owner__email"]
    readonly_fields = [f.name for f in Upload._meta.fields]
    raw_id_fields = ["owner"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "user", "read_at", "created_at"]
    list_filter = ["kind"]
    search_fields = ["event_key", "user__email", "title"]
    raw_id_fields = ["user"]
    readonly_fields = ["public_id", "event_key", "created_at"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "email", "in_app"]
    list_filter = ["kind", "email", "in_app"]
    raw_id_fields = ["user"]
