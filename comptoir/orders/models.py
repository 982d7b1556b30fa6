"""Orders (one shop each), lines, payments, shipments (outbound and return) and tracking events."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from comptoir.core.ids import new_public_id
from comptoir.core.models import BaseModel
from comptoir.core.money import Money, MoneyAttribute

from .enums import (
    OrderStatus,
    PaymentStatus,
    ShipmentDirection,
    ShipmentStatus,
    TrackingCode,
)


class Order(BaseModel):
    number = models.CharField(max_length=16, unique=True)  # 16 digits, Luhn (PRODUCT.md §9)
    buyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders"
    )
    shop = models.ForeignKey("accounts.Shop", on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(
        max_length=20, choices=OrderStatus.choices, default=OrderStatus.AWAITING_PAYMENT
    )
    payment_status = models.CharField(
        max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.UNPAID
    )
    currency = models.CharField(max_length=3, default="EUR")
    subtotal_minor = models.BigIntegerField()
    shipping_minor = models.BigIntegerField(default=0)
    total_minor = models.BigIntegerField()
    # Shipping address, as the buyer typed it at checkout.
    ship_name = models.CharField(max_length=100)
    ship_line1 = models.CharField(max_length=120)
    ship_line2 = models.CharField(max_length=120, blank=True)
    ship_postal_code = models.CharField(max_length=12)
    ship_city = models.CharField(max_length=80)
    ship_country = models.CharField(max_length=2)
    ship_phone = models.CharField(max_length=25, blank=True)
    # Dates of the life of the order (all from the one clock).
    paid_at = models.DateTimeField(null=True, blank=True)
    shipped_at = models.DateTimeField(null=True, blank=True)
    promised_delivery_date = models.DateField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    receipt_confirmed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # A checkout submitted twice (double click, API retry) creates one order.
    checkout_key = models.CharField(max_length=64, blank=True, default="")

    subtotal = MoneyAttribute("subtotal")

    class Meta:
        indexes = [
            models.Index(fields=["buyer", "-created_at", "-id"], name="order_buyer_recent"),
            models.Index(
                fields=["buyer", "status", "-created_at", "-id"], name="order_buyer_status"
            ),
            models.Index(fields=["shop", "status", "-created_at", "-id"], name="order_shop_status"),
            models.Index(fields=["shop", "-created_at", "-id"], name="order_shop_recent"),
            models.Index(fields=["status", "delivered_at"], name="order_status_delivered"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=OrderStatus.values), name="order_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(payment_status__in=PaymentStatus.values),
                name="order_payment_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(subtotal_minor__gt=0, shipping_minor__gte=0)
                & Q(total_minor=models.F("subtotal_minor") + models.F("shipping_minor")),
                name="order_total_consistent",
            ),
            models.CheckConstraint(
                condition=Q(status=OrderStatus.AWAITING_PAYMENT)
                | Q(status=OrderStatus.CANCELLED)
                | Q(paid_at__isnull=False),
                name="order_paid_at_set",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[OrderStatus.DELIVERED, OrderStatus.COMPLETED])
                | Q(delivered_at__isnull=False),
                name="order_delivered_at_set",
            ),
            models.UniqueConstraint(
                fields=["buyer", "checkout_key"],
                condition=~Q(checkout_key=""),
                name="order_checkout_key_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def shipping(self) -> Money:
        return Money.from_minor(self.shipping_minor, self.currency)

    @property
    def total(self) -> Money:
        return Money.from_minor(self.total_minor, self.currency)

    @property
    def subtotal_money(self) -> Money:
        return Money.from_minor(self.subtotal_minor, self.currency)

    @property
    def formatted_number(self) -> str:
        from comptoir.core.order_numbers import format_order_number

        return format_order_number(self.number)


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, related_name="order_lines"
    )
    position = models.PositiveSmallIntegerField(default=0)
    # Snapshot of what was bought, as it was at checkout.
    title_fr = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    unit_price_minor = models.BigIntegerField()
    quantity = models.PositiveIntegerField()
    line_total_minor = models.BigIntegerField()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1, unit_price_minor__gt=0)
                & Q(line_total_minor=models.F("unit_price_minor") * models.F("quantity")),
                name="order_line_total_consistent",
            ),
            models.UniqueConstraint(fields=["order", "position"], name="order_line_position"),
        ]

    def __str__(self) -> str:
        return f"{self.title_en} × {self.quantity}"

    def unit_price(self) -> Money:
        return Money.from_minor(self.unit_price_minor, self.order.currency)

    def line_total(self) -> Money:
        return Money.from_minor(self.line_total_minor, self.order.currency)


class OrderEvent(models.Model):
    """One row per transition (and per notable fact: parcel lost, returned…), never updated."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=40)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["order", "created_at"], name="order_event_order")]

    def __str__(self) -> str:
        return f"{self.action} {self.from_status}→{self.to_status}"


class Payment(models.Model):
    """What the payment provider took for an order (money movements live in the ledger)."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=30)
    reference = models.CharField(max_length=100)
    idempotency_key = models.CharField(max_length=100, unique=True)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, default="captured")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "reference"], name="payment_reference"),
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="payment_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} {self.reference}"

    @property
    def amount(self) -> Money:
        return Money.from_minor(self.amount_minor, self.currency)


class Shipment(BaseModel):
    """A parcel: to the buyer (outbound) or back to the seller (return), tracked the same way."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="shipments")
    direction = models.CharField(max_length=10, choices=ShipmentDirection.choices)
    carrier = models.CharField(max_length=30)
    tracking_number = models.CharField(max_length=40)
    status = models.CharField(
        max_length=20, choices=ShipmentStatus.choices, default=ShipmentStatus.LABEL_CREATED
    )
    shipped_at = models.DateTimeField()
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_event_at = models.DateTimeField(null=True, blank=True)
    last_event_code = models.CharField(max_length=40, blank=True)
    # Sandbox carrier only: the scripted route and how far along it the parcel is.
    sandbox_route = models.CharField(max_length=30, blank=True)
    sandbox_step = models.PositiveSmallIntegerField(default=0)
    sandbox_next_at = models.DateTimeField(null=True, blank=True)
    # Row claims for the sandbox sweep (core.leases.claim_rows).
    claimed_until = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["order", "direction"], name="shipment_order"),
            models.Index(fields=["carrier", "sandbox_next_at"], name="shipment_sandbox_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ShipmentStatus.values), name="shipment_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(direction__in=ShipmentDirection.values),
                name="shipment_direction_valid",
            ),
            models.UniqueConstraint(
                fields=["carrier", "tracking_number"], name="shipment_tracking_unique"
            ),
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(direction=ShipmentDirection.OUTBOUND),
                name="shipment_one_outbound_per_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number}"


class TrackingEvent(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    carrier = models.CharField(max_length=30)
    external_id = models.CharField(max_length=120)
    code = models.CharField(max_length=40, choices=TrackingCode.choices)
    location = models.CharField(max_length=120, blank=True)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [models.Index(fields=["shipment", "occurred_at"], name="tracking_shipment")]
        constraints = [
            models.UniqueConstraint(
                fields=["carrier", "external_id"], name="tracking_event_external_unique"
            ),
            models.CheckConstraint(
                condition=Q(code__in=TrackingCode.values), name="tracking_code_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.occurred_at:%Y-%m-%d %H:%M}"
