from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .models import Conversation, ConversationMessage, MessageReport, UnreadCounter


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("public_id", "buyer", "shop", "last_message_at", "buyer_unread", "shop_unread")
    raw_id_fields = ("buyer", "shop", "product", "order")
    search_fields = ("public_id",)


@admin.register(ConversationMessage)
class ConversationMessageAdmin(admin.ModelAdmin):
    list_display = (
        "public_id",
        "conversation",
        "sender_side",
        "created_at",
        "flagged",
        "deleted_at",
    )
    list_filter = ("flagged",)
    raw_id_fields = ("conversation", "sender")


@admin.register(MessageReport)
class MessageReportAdmin(admin.ModelAdmin):
    list_display = ("public_id", "message", "reporter", "ticket_number", "created_at")
    raw_id_fields = ("message", "reporter")


@admin.register(UnreadCounter)
class UnreadCounterAdmin(admin.ModelAdmin):
    """Read only: the counters are written by the services and repaired by the reconcile
    sweep (``messaging.unread_reconcile``), never by hand."""

    list_display = ("owner", "count", "updated_at")
    list_select_related = ("user", "shop")
    raw_id_fields = ("user", "shop")
    search_fields = ("user__email", "shop__name")

    @admin.display(description=_("owner"))
    def owner(self, obj: UnreadCounter) -> str:
        return str(obj.user or obj.shop)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
