"""Statuses, reasons, requests and outcomes of disputes (FR/EN labels)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DisputeStatus(models.TextChoices):
    AWAITING_SELLER = "awaiting_seller", _("Awaiting the seller's answer")
    ACCEPTED = "accepted", pgettext_lazy("dispute status", "Accepted")
    REFUSED = "refused", _("Refused by the seller")
    ESCALATED = "escalated", _("With the platform's dispute officers")
    DECIDED = "decided", _("Decided, open to appeal")
    APPEALED = "appealed", _("Appealed")
    FINAL = "final", _("Final decision")
    AWAITING_RETURN = "awaiting_return", _("Awaiting the return")
    CLOSED = "closed", pgettext_lazy("dispute status", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("dispute status", "Cancelled")


# A line is "in" a dispute while the dispute is in one of these statuses.
ACTIVE_STATUSES = frozenset(
    {
        DisputeStatus.AWAITING_SELLER,
        DisputeStatus.ACCEPTED,
        DisputeStatus.REFUSED,
        DisputeStatus.ESCALATED,
        DisputeStatus.DECIDED,
        DisputeStatus.APPEALED,
        DisputeStatus.FINAL,
        DisputeStatus.AWAITING_RETURN,
    }
)


class DisputeReason(models.TextChoices):
    NOT_RECEIVED = "not_received", _("Not received")
    DAMAGED = "damaged", _("Received damaged")
    WRONG_ITEM = "wrong_item", _("Wrong item received")
    NOT_AS_DESCRIBED = "not_as_described", _("Not as described")
    DEFECTIVE = "defective", _("Defective")
    EMPTY_PARCEL = "empty_parcel", _("Empty parcel")


class DisputeRequest(models.TextChoices):
    REFUND = "refund", _("Refund")
    RETURN_AND_REFUND = "return_and_refund", _("Return and refund")


class Outcome(models.TextChoices):
    FULL_REFUND = "full_refund", _("Full refund")
    PARTIAL_REFUND = "partial_refund", _("Partial refund")
    RETURN_AND_REFUND = "return_and_refund", _("Return and refund")
    NO_REFUND = "no_refund", _("No refund")


class ActorKind(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    SELLER = "seller", _("Seller")
    OFFICER = "officer", _("Dispute officer")
    SYSTEM = "system", _("Comptoir (automatic)")


class ProposalKind(models.TextChoices):
    REQUEST = "request", _("Buyer's request")
    COUNTER = "counter", _("Seller's counter-proposal")
    DECISION = "decision", _("Platform decision")
