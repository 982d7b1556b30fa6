from django.contrib import admin

from .models import Conversation, ConversationMessage, MessageReport


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
