"""Raw mails (stored before parsing), outbound mails (threading, delivery failures) and the
automatic-reply log (loop protection)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from comptoir.core import clock
from comptoir.core.ids import new_public_id


class RawStatus(models.TextChoices):
    RECEIVED = "received", _("Received, not processed yet")
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored (automatic mail)")
    FAILED = "failed", _("Could not be processed")


class MailKind(models.TextChoices):
    NORMAL = "normal", _("Written by a person")
    AUTO_REPLY = "auto_reply", _("Automatic reply (out of office…)")
    AUTOMATIC = "automatic", _("Automatically generated")
    BOUNCE = "bounce", _("Delivery status notification (bounce)")


def raw_path(instance: RawMail, filename: str) -> str:
    stamp = clock.now()
    return f"mail/raw/{stamp:%Y/%m/%d}/{instance.public_id}.eml"


class RawMail(models.Model):
    """One mail exactly as it arrived. Written (and committed) before any parsing, so nothing
    is lost when parsing fails; a failed mail keeps its reason and can be processed again."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    source = models.CharField(_("source"), max_length=10)  # "smtp", "imap", "test"…
    # Where the source knows it: "imap:<uidvalidity>:<uid>" (the same mail is never stored twice).
    source_key = models.CharField(max_length=200, blank=True, default="")
    envelope_from = models.CharField(_("envelope sender"), max_length=254, blank=True, default="")
    envelope_to = models.JSONField(_("envelope recipients"), default=list, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True, default="")
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(max_length=64)
    file = models.FileField(_("raw mail"), upload_to=raw_path, max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=RawStatus.choices, default=RawStatus.RECEIVED
    )
    kind = models.CharField(
        _("kind"), max_length=10, choices=MailKind.choices, default=MailKind.NORMAL
    )
    reason = models.CharField(_("reason"), max_length=60, blank=True, default="")
    error = models.TextField(_("error"), blank=True, default="")
    notes = models.JSONField(default=dict, blank=True)  # refused attachments, forwarded…
    sender = models.CharField(_("sender"), max_length=254, blank=True, default="")
    subject = models.CharField(_("subject"), max_length=255, blank=True, default="")
    ticket_number = models.CharField(_("ticket"), max_length=20, blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField(_("received at"), default=clock.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        verbose_name = _("received e-mail")
        verbose_name_plural = _("received e-mails")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RawStatus.values), name="rawmail_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=MailKind.values), name="rawmail_kind_valid"
            ),
            models.UniqueConstraint(
                fields=["source_key"], name="rawmail_source_key_unique", condition=~Q(source_key="")
            ),
        ]
        indexes = [
            models.Index(fields=["message_id"], name="rawmail_message_id"),
            models.Index(fields=["status", "received_at", "id"], name="rawmail_status_time"),
        ]

    def __str__(self) -> str:
        return f"{self.public_id} ({self.status})"


class OutboundKind(models.TextChoices):
    ACK = "ack", _("Acknowledgement")
    REPLY = "reply", _("Reply")


class OutboundMail(models.Model):
    """A mail support sent on a ticket: its Message-ID threads the customer's answer, its outbox
    row tells whether it went out, a bounce marks it undelivered."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    ticket_message = models.ForeignKey(
        "tickets.Message", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=10, choices=OutboundKind.choices)
    message_id = models.CharField(max_length=255, unique=True)
    to = models.CharField(max_length=254)
    outbox = models.ForeignKey(
        "core.OutboxMessage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    bounced_at = models.DateTimeField(null=True, blank=True)
    bounce_reason = models.CharField(max_length=300, blank=True, default="")
    # Names of the reply's files that were too large to go with the mail (agents are told).
    attachments_left_out = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="outmail_ticket_time")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=OutboundKind.values), name="outmail_kind_valid"
            )
        ]

    def __str__(self) -> str:
        return self.message_id


class AutoReply(models.Model):
    """One automatic mail sent to an address (loop protection counts them per hour)."""

    address = models.CharField(max_length=254)
    sent_at = models.DateTimeField(default=clock.now)

    class Meta:
        indexes = [models.Index(fields=["address", "sent_at"], name="autoreply_address_time")]

    def __str__(self) -> str:
        return f"{self.address} at {self.sent_at:%Y-%m-%d %H:%M}"
