"""Statuses, reasons, requests and outcomes of disputes (FR/EN labels)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class DisputeStatus(models.TextChoices):
    AWAITING_SELLER = "awaiting_seller", _("Awaiting the seller's answer")
    ACCEPTED = "accepted", pgettext_lazy("dispute status", "Accepted")
    REFUSED = "refused", _("Refused by the seller")
    ESCALATED = "escalated", _("With the platform's dispute officers")
    EVIDENCE_REQUESTED = "evidence_requested", _("More evidence requested")
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
        DisputeStatus.EVIDENCE_REQUESTED,
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
    STAFF = "staff", _("Support staff")
    SYSTEM = "system", _("Comptoir (automatic)")


class ProposalKind(models.TextChoices):
    REQUEST = "request", _("Buyer's request")
    COUNTER = "counter", _("Seller's counter-proposal")
    DECISION = "decision", _("Platform decision")


# Return shipping is paid by the seller for a dispute about the item received (PRODUCT.md §3:
# damaged, wrong, not as described, defective; an empty parcel is the seller's fault too), by the
# buyer for a change-of-mind return request.
SELLER_PAYS_RETURN = frozenset(
    {
        DisputeReason.DAMAGED,
        DisputeReason.WRONG_ITEM,
        DisputeReason.NOT_AS_DESCRIBED,
        DisputeReason.DEFECTIVE,
        DisputeReason.EMPTY_PARCEL,
    }
)


class ReturnKind(models.TextChoices):
    DISPUTE = "dispute", _("Return of a dispute")
    CHANGE_OF_MIND = "change_of_mind", _("Change-of-mind return")


class ReturnStatus(models.TextChoices):
    AWAITING_ADDRESS = "awaiting_address", _("Waiting for the seller's return address")
    AWAITING_SHIPMENT = "awaiting_shipment", _("Waiting for the buyer to send the item back")
    SHIPPED = "shipped", _("Sent back, on its way")
    DELIVERED = "delivered", _("Delivered to the seller, waiting for confirmation")
    REFUNDED = "refunded", _("Received and refunded")
    CLOSED = "closed", _("Closed: not sent back in time")
    CANCELLED = "cancelled", pgettext_lazy("return status", "Cancelled")


ACTIVE_RETURN_STATUSES = frozenset(
    {
        ReturnStatus.AWAITING_ADDRESS,
        ReturnStatus.AWAITING_SHIPMENT,
        ReturnStatus.SHIPPED,
        ReturnStatus.DELIVERED,
    }
)


class AddressSource(models.TextChoices):
    SELLER = "seller", _("Given by the seller")
    PLATFORM = "platform", _("The platform's default return address")


class EvidenceRequestStatus(models.TextChoices):
    OPEN = "open", _("Waiting for evidence")
    ANSWERED = "answered", _("Evidence sent")
    EXPIRED = "expired", _("No evidence sent in time")
