"""Buyer–shop conversations about a product (before purchase) or an order (after), their
messages, attachments and reports.

Unread counts are counters on the conversation (one per side), written under the
conversation's row lock, and their totals are kept in one ``UnreadCounter`` row per buyer and
per shop, changed by the same transaction (see ``counters``): the header's number reads one or
two rows, never the conversations. Read receipts are "read up to message id" pointers, one per
side."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comptoir.core import clock
from comptoir.core.ids import new_public_id
from comptoir.core.models import BaseModel

from .enums import Side


class Conversation(BaseModel):
    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="conversations"
    )
    shop = models.ForeignKey(
        "accounts.Shop", on_delete=models.PROTECT, related_name="conversations"
    )
    # Before purchase: about a product; after purchase: about an order (exactly one of them).
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    last_message_at = models.DateTimeField(default=clock.now)
    last_message_preview = models.CharField(max_length=200, blank=True, default="")
    last_sender_side = models.CharField(max_length=5, choices=Side.choices, default=Side.BUYER)
    buyer_unread = models.PositiveIntegerField(default=0)
    shop_unread = models.PositiveIntegerField(default=0)
    # Read receipts: each side has read every message up to this id.
    buyer_read_up_to = models.BigIntegerField(default=0)
    shop_read_up_to = models.BigIntegerField(default=0)
    # The buyer's oldest message the shop has not answered yet ("to answer" when set).
    awaiting_reply_since = models.DateTimeField(null=True, blank=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    first_response_seconds = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        constraints = [
            models.CheckConstraint(
                condition=(Q(product__isnull=False) & Q(order__isnull=True))
                | (Q(product__isnull=True) & Q(order__isnull=False)),
                name="conversation_product_xor_order",
            ),
            models.UniqueConstraint(
                fields=["buyer", "product"],
                condition=Q(product__isnull=False),
                name="conversation_one_per_buyer_product",
            ),
            models.UniqueConstraint(
                fields=["buyer", "order"],
                condition=Q(order__isnull=False),
                name="conversation_one_per_buyer_order",
            ),
            models.CheckConstraint(
                condition=Q(last_sender_side__in=Side.values), name="conversation_side_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["buyer", "-last_message_at", "-id"], name="conv_buyer_inbox"),
            models.Index(fields=["shop", "-last_message_at", "-id"], name="conv_shop_inbox"),
            models.Index(
                fields=["buyer"], condition=Q(buyer_unread__gt=0), name="conv_buyer_unread"
            ),
            models.Index(fields=["shop"], condition=Q(shop_unread__gt=0), name="conv_shop_unread"),
            models.Index(
                fields=["shop", "-first_responded_at"],
                condition=Q(first_response_seconds__isnull=False),
                name="conv_shop_first_response",
            ),
        ]

    def __str__(self) -> str:
        return self.public_id

    def unread_for(self, side: str) -> int:
        return self.buyer_unread if side == Side.BUYER else self.shop_unread

    def read_up_to_of(self, side: str) -> int:
        return self.buyer_read_up_to if side == Side.BUYER else self.shop_read_up_to

    @property
    def to_answer(self) -> bool:
        return self.awaiting_reply_since is not None


class ConversationMessage(models.Model):
    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sender_side = models.CharField(max_length=5, choices=Side.choices)
    text = models.TextField(blank=True, default="")  # plain text; links are made safe when shown
    created_at = models.DateTimeField(default=clock.now)
    # Deleted by its author within the allowed delay: the text is gone, the trace stays.
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Asks to pay outside the platform (or to move off it): shown to staff for review.
    flagged = models.BooleanField(default=False)
    flag_reasons = models.CharField(max_length=200, blank=True, default="")
    # The client's idempotency key: the same key twice from the same sender is one message.
    client_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.CheckConstraint(
                condition=Q(sender_side__in=Side.values), name="conv_message_side_valid"
            ),
            models.UniqueConstraint(
                fields=["conversation", "sender", "client_key"],
                condition=~Q(client_key=""),
                name="conv_message_client_key_unique",
            ),
        ]
        indexes = [
            models.Index(fields=["conversation", "-created_at", "-id"], name="conv_message_recent"),
            models.Index(
                fields=["-created_at", "-id"],
                condition=Q(flagged=True),
                name="conv_message_flagged",
            ),
        ]

    def __str__(self) -> str:
        return self.public_id

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class ConversationAttachment(models.Model):
    message = models.ForeignKey(
        ConversationMessage, on_delete=models.CASCADE, related_name="attachments"
    )
    upload = models.ForeignKey("core.Upload", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "upload"], name="conv_attachment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.message_id}:{self.upload_id}"


class MessageReport(models.Model):
    """A party reported a message: a ticket to the "report a seller" team, through intake."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    message = models.ForeignKey(
        ConversationMessage, on_delete=models.CASCADE, related_name="reports"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    ticket_number = models.CharField(max_length=20, blank=True, default="")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "reporter"], name="message_report_once")
        ]

    def __str__(self) -> str:
        return self.public_id


class UnreadCounter(models.Model):
    """The sum of one side's unread counts over its conversations: a buyer's (``user``) or a
    shop's (``shop``, shared by its members). Maintained by ``counters.unread_counters_add`` in
    the transaction that changes a conversation's counter; ``unread_counters_reconcile`` (a
    sweep) repairs any drift."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("buyer"),
    )
    shop = models.ForeignKey(
        "accounts.Shop",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("shop"),
    )
    count = models.BigIntegerField(_("unread messages"), default=0)
    updated_at = models.DateTimeField(_("updated at"), default=clock.now)

    class Meta:
        verbose_name = _("unread counter")
        verbose_name_plural = _("unread counters")
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(shop__isnull=True))
                | (Q(user__isnull=True) & Q(shop__isnull=False)),
                name="unread_counter_user_xor_shop",
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(user__isnull=False), name="unread_counter_one_per_user"
            ),
            models.UniqueConstraint(
                fields=["shop"], condition=Q(shop__isnull=False), name="unread_counter_one_per_shop"
            ),
            models.CheckConstraint(condition=Q(count__gte=0), name="unread_counter_not_negative"),
        ]

    def __str__(self) -> str:
        owner = f"user:{self.user_id}" if self.user_id else f"shop:{self.shop_id}"
        return f"{owner}={self.count}"
