"""Disputes over lines of one order, their lines, timeline events, proposals and evidence."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.core import clock
from comptoir.core.ids import new_public_id
from comptoir.core.models import BaseModel
from comptoir.core.money import Money

from .enums import (
    ACTIVE_STATUSES,
    ActorKind,
    DisputeReason,
    DisputeRequest,
    DisputeStatus,
    Outcome,
    ProposalKind,
)


class Dispute(BaseModel):
    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="disputes")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    shop = models.ForeignKey("accounts.Shop", on_delete=models.PROTECT, related_name="disputes")
    status = models.CharField(max_length=20, choices=DisputeStatus.choices)
    reason = models.CharField(max_length=20, choices=DisputeReason.choices)
    request = models.CharField(max_length=20, choices=DisputeRequest.choices)
    requested_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    description = models.TextField(max_length=5000)
    # The deadline of the current waiting step (seller's answer, agreement, appeal window).
    due_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True, default="")
    outcome_minor = models.BigIntegerField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    appealed = models.BooleanField(default=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=DisputeStatus.values), name="dispute_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(requested_minor__gt=0), name="dispute_amount_pos"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="dispute_due_idx"),
            models.Index(fields=["shop", "due_at"], name="dispute_shop_due_idx"),
            models.Index(fields=["buyer", "-created_at"], name="dispute_buyer_idx"),
        ]

    def __str__(self) -> str:
        return f"dispute {self.public_id}"

    @property
    def requested(self) -> Money:
        return Money.from_minor(self.requested_minor, self.currency)

    @property
    def outcome_amount(self) -> Money | None:
        if self.outcome_minor is None:
            return None
        return Money.from_minor(self.outcome_minor, self.currency)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    @property
    def freeze_reference(self) -> str:
        return f"dispute:{self.public_id}"


class DisputeLine(models.Model):
    """One order line of a dispute. ``active`` mirrors the dispute's activity so that a partial
    unique constraint can say "a line is in at most one active dispute"."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["order_line"],
                condition=models.Q(active=True),
                name="dispute_line_one_active",
            ),
            models.UniqueConstraint(fields=["dispute", "order_line"], name="dispute_line_unique"),
        ]

    def __str__(self) -> str:
        return f"line {self.order_line_id} of dispute {self.dispute_id}"


class DisputeEvent(models.Model):
    """The timeline: one row per transition (and per note), never changed."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=30)
    old_status = models.CharField(max_length=20, blank=True, default="")
    new_status = models.CharField(max_length=20, blank=True, default="")
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        indexes = [models.Index(fields=["dispute", "created_at"], name="dispute_event_idx")]

    def __str__(self) -> str:
        return f"{self.action}: {self.old_status} → {self.new_status}"


class Proposal(models.Model):
    """What each side asks or offers: the buyer's request (and modifications), the seller's
    counter-proposals, the officers' decisions."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="proposals")
    kind = models.CharField(max_length=10, choices=ProposalKind.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    amount_minor = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3)
    message = models.TextField(max_length=5000, blank=True, default="")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_minor__gte=0), name="proposal_amount_pos"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.outcome} {self.amount_minor}"

    @property
    def amount(self) -> Money:
        return Money.from_minor(self.amount_minor, self.currency)


class Evidence(models.Model):
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="evidence")
    upload = models.ForeignKey("core.Upload", on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    side = models.CharField(_("side"), max_length=10, choices=ActorKind.choices)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dispute", "upload"], name="evidence_upload_once")
        ]

    def __str__(self) -> str:
        return f"evidence {self.upload_id} of dispute {self.dispute_id}"
