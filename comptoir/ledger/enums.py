"""Kinds of accounts and entries, and the states of holds, refunds and payouts (FR/EN labels)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AccountKind(models.TextChoices):
    # The platform's money at the payment provider, as a source: its balance is minus what the
    # provider holds for us (captures make it more negative, refunds and payouts bring it back).
    PROVIDER_CLEARING = "provider_clearing", _("Provider clearing")
    ESCROW = "escrow", _("Escrow (one per order)")
    SELLER_PAYABLE = "seller_payable", _("Seller payable (available)")
    PLATFORM_REVENUE = "platform_revenue", _("Platform revenue (commission)")
    REFUNDS_IN_TRANSIT = "refunds_in_transit", _("Refunds in transit")
    PAYOUTS_IN_TRANSIT = "payouts_in_transit", _("Payouts in transit (one per shop)")
    # What a seller owes the platform (one per shop and currency): return postage the platform
    # advanced to a buyer because the seller's available balance could not cover it. An asset,
    # signed like the clearing account: never above 0; its negative balance is the debt, recovered
    # from the seller's next releases before anything is credited to their payable.
    SELLER_RECEIVABLE = "seller_receivable", _("Owed by the seller to the platform")


# Assets of the platform, signed negative: the clearing account and sellers' receivables.
NON_POSITIVE_KINDS = frozenset({AccountKind.PROVIDER_CLEARING, AccountKind.SELLER_RECEIVABLE})
# Every other account holds money someone is owed: it may never go below 0.
NON_NEGATIVE_KINDS = frozenset(k for k in AccountKind.values if k not in NON_POSITIVE_KINDS)


class EntryKind(models.TextChoices):
    CAPTURE = "capture", _("Payment captured into escrow")
    RELEASE = "release", _("Released to the seller")
    REFUND = "refund", _("Refund to the buyer")
    REFUND_SETTLED = "refund_settled", _("Refund paid by the provider")
    PAYOUT = "payout", _("Payout requested")
    PAYOUT_SETTLED = "payout_settled", _("Payout paid by the provider")


class HoldKind(models.TextChoices):
    LINE = "line", _("Order line")
    SHIPPING = "shipping", _("Shipping")


class HoldState(models.TextChoices):
    HELD = "held", pgettext_lazy("hold state", "Held")
    RELEASED = "released", pgettext_lazy("hold state", "Released")
    REFUNDED = "refunded", pgettext_lazy("hold state", "Refunded")


class TransferState(models.TextChoices):
    """A refund or a payout at the provider."""

    IN_TRANSIT = "in_transit", pgettext_lazy("transfer state", "In transit")
    SUCCEEDED = "succeeded", pgettext_lazy("transfer state", "Paid")
    FAILED = "failed", pgettext_lazy("transfer state", "Failed, needs staff")
