"""Statuses of orders, payments and shipments, and the carriers' tracking codes (FR/EN labels)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OrderStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting_payment", _("Awaiting payment")
    PAID = "paid", pgettext_lazy("order status", "Awaiting shipment")
    SHIPPED = "shipped", pgettext_lazy("order status", "Shipped")
    DELIVERED = "delivered", pgettext_lazy("order status", "Delivered")
    COMPLETED = "completed", pgettext_lazy("order status", "Completed")
    CANCELLED = "cancelled", pgettext_lazy("order status", "Cancelled")


class PaymentStatus(models.TextChoices):
    UNPAID = "unpaid", _("Unpaid")
    CAPTURED = "captured", _("Paid")
    PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
    REFUNDED = "refunded", _("Refunded")
    FAILED = "failed", _("Payment failed")


class ShipmentDirection(models.TextChoices):
    OUTBOUND = "outbound", _("To the buyer")
    RETURN = "return", _("Return to the seller")


class ShipmentStatus(models.TextChoices):
    LABEL_CREATED = "label_created", _("Label created")
    IN_TRANSIT = "in_transit", _("In transit")
    HELD_AT_CUSTOMS = "held_at_customs", _("Held at customs")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    AWAITING_PICKUP = "awaiting_pickup", _("Awaiting pickup")
    DELIVERED = "delivered", pgettext_lazy("shipment status", "Delivered")
    LOST = "lost", _("Lost")
    RETURNED_TO_SENDER = "returned_to_sender", _("Returned to sender")


class TrackingCode(models.TextChoices):
    INFO_RECEIVED = "info_received", _("Shipping information received")
    PICKED_UP = "picked_up", _("Picked up by the carrier")
    DEPARTED_ORIGIN = "departed_origin", _("Departed the country of origin")
    IN_TRANSIT = "in_transit", _("In transit")
    ARRIVED_DESTINATION_COUNTRY = (
        "arrived_destination_country",
        _("Arrived in the destination country"),
    )
    HELD_AT_CUSTOMS = "held_at_customs", _("Held at customs")
    CUSTOMS_CLEARED = "customs_cleared", _("Cleared customs")
    ARRIVED_AT_FACILITY = "arrived_at_facility", _("Arrived at the local delivery centre")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    DELIVERY_ATTEMPTED_NOTICE_LEFT = (
        "delivery_attempted_notice_left",
        _("Delivery attempted, notice left"),
    )
    AT_PICKUP_POINT = "at_pickup_point", _("Available at a pickup point")
    DELIVERED = "delivered", pgettext_lazy("tracking event", "Delivered")
    LOST = "lost", _("Parcel lost by the carrier")
    RETURNED_TO_SENDER = "returned_to_sender", pgettext_lazy("tracking event", "Returned to sender")


# What each tracking code says about where the parcel is (the shipment's status after it).
SHIPMENT_STATUS_AFTER: dict[str, str] = {
    TrackingCode.INFO_RECEIVED: ShipmentStatus.LABEL_CREATED,
    TrackingCode.PICKED_UP: ShipmentStatus.IN_TRANSIT,
    TrackingCode.DEPARTED_ORIGIN: ShipmentStatus.IN_TRANSIT,
    TrackingCode.IN_TRANSIT: ShipmentStatus.IN_TRANSIT,
    TrackingCode.ARRIVED_DESTINATION_COUNTRY: ShipmentStatus.IN_TRANSIT,
    TrackingCode.HELD_AT_CUSTOMS: ShipmentStatus.HELD_AT_CUSTOMS,
    TrackingCode.CUSTOMS_CLEARED: ShipmentStatus.IN_TRANSIT,
    TrackingCode.ARRIVED_AT_FACILITY: ShipmentStatus.IN_TRANSIT,
    TrackingCode.OUT_FOR_DELIVERY: ShipmentStatus.OUT_FOR_DELIVERY,
    TrackingCode.DELIVERY_ATTEMPTED_NOTICE_LEFT: ShipmentStatus.AWAITING_PICKUP,
    TrackingCode.AT_PICKUP_POINT: ShipmentStatus.AWAITING_PICKUP,
    TrackingCode.DELIVERED: ShipmentStatus.DELIVERED,
    TrackingCode.LOST: ShipmentStatus.LOST,
    TrackingCode.RETURNED_TO_SENDER: ShipmentStatus.RETURNED_TO_SENDER,
}
# A parcel in one of these states does not move any more: later scans do not change it.
FINAL_SHIPMENT_STATUSES = frozenset(
    {ShipmentStatus.DELIVERED, ShipmentStatus.LOST, ShipmentStatus.RETURNED_TO_SENDER}
)
