"""Tickets, their messages (public replies and internal notes), attachments, tags and audit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from comptoir.accounts.models import Team
from comptoir.core import clock
from comptoir.core.models import BaseModel
from comptoir.core.uploads.models import Upload
from comptoir.orders.models import Order
from comptoir.taxonomy.models import Node
from comptoir.tickets.enums import Channel, Direction, MessageKind, Priority, SlaState, TicketStatus

from .contacts import Contact


class TicketNumberCounter(models.Model):
    """The next ticket number on databases without sequences (SQLite serialises writers)."""

    name = models.CharField(max_length=20, primary_key=True)
    value = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.name}={self.value}"


class Tag(models.Model):
    code = models.SlugField(max_length=60, unique=True)

    def __str__(self) -> str:
        return self.code


class Ticket(BaseModel):
    number = models.CharField(max_length=20, unique=True)  # "T-" + digits; never the id
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="tickets")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    language = models.CharField(max_length=8, default="fr")
    subject = models.CharField(max_length=200)
    node = models.ForeignKey(
        Node, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Copied from the node's effective settings when the node is set (the visibility rule reads it).
    restricted = models.BooleanField(default=False)
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tickets",
    )
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=10, choices=TicketStatus.choices, default=TicketStatus.NEW)
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    dispute_ref = models.CharField(max_length=40, blank=True, default="")
    reply_token = models.CharField(max_length=64, unique=True)  # ≥ 128 random bits
    merged_into = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="merged_tickets"
    )
    follow_up_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="follow_ups"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets")
    # SLA (tickets.services.sla): targets, the earliest one still running, pause bookkeeping.
    sla_policy = models.ForeignKey(
        "tickets.SlaPolicy", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    next_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    sla_due_at = models.DateTimeField(null=True, blank=True)
    sla_warn_at = models.DateTimeField(null=True, blank=True)
    sla_state = models.CharField(max_length=10, choices=SlaState.choices, default=SlaState.NONE)
    # Business minutes left on each running target when paused: {"first_response": 123, …}.
    sla_paused_remaining = models.JSONField(default=dict, blank=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    last_customer_message_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(default=clock.now)
    solved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Sweep claims (core.leases.claim_rows).
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=TicketStatus.values), name="ticket_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="ticket_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(priority__gte=1, priority__lte=4), name="ticket_priority_valid"
            ),
            models.CheckConstraint(
                condition=Q(sla_state__in=SlaState.values), name="ticket_sla_state_valid"
            ),
        ]
        indexes = [
            # "Mes demandes" and the customer's story.
            models.Index(
                fields=["contact", "-last_message_at", "-id"], name="ticket_contact_recent"
            ),
            # Queues: team / assignee by status, sorted by SLA due time or recency.
            models.Index(fields=["team", "status", "sla_due_at", "id"], name="ticket_team_queue"),
            models.Index(
                fields=["assignee", "status", "sla_due_at", "id"], name="ticket_assignee_queue"
            ),
            models.Index(fields=["status", "-last_message_at", "-id"], name="ticket_status_recent"),
            # Sweeps: running SLA targets, solved tickets to close.
            models.Index(
                fields=["sla_warn_at"],
                name="ticket_sla_warn",
                condition=Q(status__in=["new", "open"]),
            ),
            models.Index(
                fields=["sla_due_at"],
                name="ticket_sla_due",
                condition=Q(status__in=["new", "open"]),
            ),
            models.Index(fields=["solved_at"], name="ticket_solved", condition=Q(status="solved")),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_active(self) -> bool:
        return self.status in (TicketStatus.NEW, TicketStatus.OPEN, TicketStatus.PENDING)


class Message(models.Model):
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(max_length=10, choices=MessageKind.choices, default=MessageKind.PUBLIC)
    direction = models.CharField(max_length=3, choices=Direction.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    # The channel's own id for the message (e-mail Message-ID, API idempotency key…): the same
    # id twice never makes two messages.
    channel_message_id = models.CharField(max_length=255, blank=True, default="")
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    author_contact = models.ForeignKey(
        Contact, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    body_text = models.TextField()  # plain text, escaped when shown
    body_html = models.TextField(blank=True, default="")  # sanitised (nh3) before it is stored
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "channel_message_id"],
                name="message_channel_id_unique",
                condition=~Q(channel_message_id=""),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=MessageKind.values), name="message_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(direction__in=Direction.values), name="message_direction_valid"
            ),
        ]
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="message_ticket_time")]

    def __str__(self) -> str:
        return f"{self.kind} on {self.ticket_id}"


class MessageAttachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    upload = models.ForeignKey(Upload, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "upload"], name="attachment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.upload_id} on {self.message_id}"


class AuditEvent(models.Model):
    """One row per change of a ticket: who, which field, old and new value."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="audit_events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    field = models.CharField(max_length=40)
    old = models.CharField(max_length=200, blank=True, default="")
    new = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="audit_ticket_time")]

    def __str__(self) -> str:
        return f"{self.field}: {self.old} → {self.new}"
