"""Disputes over lines of one order, their lines, timeline events, proposals and evidence; return
requests (a dispute's return, or a change-of-mind return outside any dispute) and the officers'
requests for more evidence.

Timeline: ONE model, ``DisputeEvent``, for disputes and returns. An event of a dispute has
``dispute`` set; an event of a return has ``return_request`` set, and ``dispute`` too when the
return belongs to a dispute (so the dispute's timeline shows its return's steps). A change-of-mind
return's events have ``dispute=None``. Every event goes through ``notify.event_recorded``."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.core import clock
from comptoir.core.ids import new_public_id
from comptoir.core.models import BaseModel
from comptoir.core.money import Money

from .enums import (
    ACTIVE_RETURN_STATUSES,
    ACTIVE_STATUSES,
    ActorKind,
    AddressSource,
    DisputeReason,
    DisputeRequest,
    DisputeStatus,
    EvidenceRequestStatus,
    Outcome,
    ProposalKind,
    ReturnKind,
    ReturnStatus,
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
    # The deadline of the current waiting step (seller's answer, agreement, evidence, appeal
    # window) or, with the officers (escalated, appealed), the target decision time.
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
    """The timeline: one row per transition (and per note), never changed. See the module
    docstring for how return events are attached (``return_request``)."""

    dispute = models.ForeignKey(
        Dispute, on_delete=models.CASCADE, related_name="events", null=True, blank=True
    )
    return_request = models.ForeignKey(
        "disputes.ReturnRequest",
        on_delete=models.CASCADE,
        related_name="events",
        null=True,
        blank=True,
    )
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
        indexes = [
            models.Index(fields=["dispute", "created_at"], name="dispute_event_idx"),
            models.Index(fields=["return_request", "created_at"], name="dispute_event_return_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(dispute__isnull=False) | models.Q(return_request__isnull=False),
                name="dispute_event_has_subject",
            )
        ]

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
    """A file (``upload``) or a message of the order's buyer–seller conversation (``message``)."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="evidence")
    upload = models.ForeignKey(
        "core.Upload", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    message = models.ForeignKey(
        "messaging.ConversationMessage",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    # The officer's request this answers, if any.
    request = models.ForeignKey(
        "disputes.EvidenceRequest",
        on_delete=models.SET_NULL,
        related_name="evidence",
        null=True,
        blank=True,
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    side = models.CharField(_("side"), max_length=10, choices=ActorKind.choices)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dispute", "upload"], name="evidence_upload_once"),
            models.UniqueConstraint(fields=["dispute", "message"], name="evidence_message_once"),
            models.CheckConstraint(
                condition=(
                    models.Q(upload__isnull=False, message__isnull=True)
                    | models.Q(upload__isnull=True, message__isnull=False)
                ),
                name="evidence_file_or_message",
            ),
        ]

    def __str__(self) -> str:
        return f"evidence {self.upload_id or self.message_id} of dispute {self.dispute_id}"


class EvidenceRequest(models.Model):
    """An officer asks one party (buyer or seller) for more evidence, with a deadline."""

    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, related_name="evidence_requests")
    party = models.CharField(max_length=10, choices=ActorKind.choices)
    message = models.TextField(max_length=5000)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=EvidenceRequestStatus.choices, default=EvidenceRequestStatus.OPEN
    )
    due_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(party__in=[ActorKind.BUYER, ActorKind.SELLER]),
                name="evidence_request_party",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=EvidenceRequestStatus.values),
                name="evidence_request_status_valid",
            ),
            models.UniqueConstraint(
                fields=["dispute"],
                condition=models.Q(status=EvidenceRequestStatus.OPEN),
                name="evidence_request_one_open",
            ),
        ]

    def __str__(self) -> str:
        return f"evidence request to the {self.party} of dispute {self.dispute_id}"


class ReturnRequest(BaseModel):
    """Items sent back to the seller: the return of a dispute whose outcome is "return and
    refund", or a change-of-mind return request (PRODUCT.md §3). One sub-flow for both: return
    address (seller, else the platform's default) → buyer ships with a tracking number → return
    delivered (carrier scan or staff) → seller confirms receipt (else automatic) → refunded."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="returns")
    buyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    shop = models.ForeignKey("accounts.Shop", on_delete=models.PROTECT, related_name="returns")
    dispute = models.ForeignKey(
        Dispute, on_delete=models.PROTECT, related_name="returns", null=True, blank=True
    )
    kind = models.CharField(max_length=20, choices=ReturnKind.choices)
    status = models.CharField(max_length=20, choices=ReturnStatus.choices)
    # Who pays the return postage (ActorKind.SELLER or ActorKind.BUYER).
    postage_payer = models.CharField(max_length=10, choices=ActorKind.choices)
    note = models.TextField(max_length=2000, blank=True, default="")
    currency = models.CharField(max_length=3)
    # The return address (seller's, or the platform's default when the seller is silent).
    address_source = models.CharField(
        max_length=10, choices=AddressSource.choices, blank=True, default=""
    )
    address_name = models.CharField(max_length=100, blank=True, default="")
    address_line1 = models.CharField(max_length=200, blank=True, default="")
    address_line2 = models.CharField(max_length=200, blank=True, default="")
    address_postal_code = models.CharField(max_length=12, blank=True, default="")
    address_city = models.CharField(max_length=80, blank=True, default="")
    address_country = models.CharField(max_length=2, blank=True, default="")
    # The parcel sent back (an orders.Shipment with direction "return").
    shipment = models.ForeignKey(
        "orders.Shipment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    postage_minor = models.BigIntegerField(null=True, blank=True)  # declared by the buyer
    postage_receipt = models.ForeignKey(
        "core.Upload", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # The deadline of the current waiting step (address, shipment, confirmation).
    due_at = models.DateTimeField(null=True, blank=True)
    refund_minor = models.BigIntegerField(null=True, blank=True)
    refund_id = models.CharField(max_length=26, blank=True, default="")
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, default="")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ReturnStatus.values), name="return_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=ReturnKind.values), name="return_kind_valid"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(kind=ReturnKind.DISPUTE, dispute__isnull=False)
                    | models.Q(kind=ReturnKind.CHANGE_OF_MIND, dispute__isnull=True)
                ),
                name="return_kind_dispute",
            ),
            models.CheckConstraint(
                condition=models.Q(postage_payer__in=[ActorKind.BUYER, ActorKind.SELLER]),
                name="return_postage_payer_valid",
            ),
            models.UniqueConstraint(
                fields=["dispute"],
                condition=models.Q(status__in=sorted(ACTIVE_RETURN_STATUSES)),
                name="return_one_active_per_dispute",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "due_at"], name="return_due_idx"),
            models.Index(fields=["shop", "due_at"], name="return_shop_due_idx"),
            models.Index(fields=["buyer", "-created_at"], name="return_buyer_idx"),
        ]

    def __str__(self) -> str:
        return f"return {self.public_id}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_RETURN_STATUSES

    @property
    def freeze_reference(self) -> str:
        """A dispute's return keeps the dispute's freeze; a change-of-mind return has its own."""
        if self.dispute is not None:
            return self.dispute.freeze_reference
        return f"return:{self.public_id}"

    @property
    def postage(self) -> Money | None:
        if self.postage_minor is None:
            return None
        return Money.from_minor(self.postage_minor, self.currency)

    @property
    def refund_amount(self) -> Money | None:
        if self.refund_minor is None:
            return None
        return Money.from_minor(self.refund_minor, self.currency)

    @property
    def address_lines(self) -> list[str]:
        """The return address, one line each (empty when not given yet)."""
        city = " ".join(p for p in (self.address_postal_code, self.address_city) if p)
        parts = [self.address_name, self.address_line1, self.address_line2, city]
        return [p for p in [*parts, self.address_country] if p]


class ReturnLine(models.Model):
    """One order line sent back. ``active`` mirrors the return's activity (partial unique)."""

    return_request = models.ForeignKey(
        ReturnRequest, on_delete=models.CASCADE, related_name="lines"
    )
    order_line = models.ForeignKey("orders.OrderLine", on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["order_line"],
                condition=models.Q(active=True),
                name="return_line_one_active",
            ),
            models.UniqueConstraint(
                fields=["return_request", "order_line"], name="return_line_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"line {self.order_line_id} of return {self.return_request_id}"
