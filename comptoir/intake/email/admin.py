"""Staff view of received mails: unprocessable ones with their reason, the raw file, a retry."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from .models import OutboundMail, RawMail
from .services import raw_mail_retry


@admin.register(RawMail)
class RawMailAdmin(admin.ModelAdmin):
    list_display = ("received_at", "sender", "subject", "status", "kind", "reason", "ticket_number")
    list_filter = ("status", "kind", "source")
    search_fields = ("public_id", "message_id", "sender", "subject", "ticket_number")
    readonly_fields = [f.name for f in RawMail._meta.fields]
    actions = ["retry"]

    @admin.action(description=_("Process again"))
    def retry(self, request: Any, queryset: Any) -> None:
        done = raw_mail_retry(raws=list(queryset[:200]))
        messages.info(request, _("%(count)d mails processed again.") % {"count": len(done)})

    def has_add_permission(self, request: Any) -> bool:
        return False


@admin.register(OutboundMail)
class OutboundMailAdmin(admin.ModelAdmin):
    list_display = ("created_at", "ticket", "kind", "to", "bounced_at")
    readonly_fields = [f.name for f in OutboundMail._meta.fields]
