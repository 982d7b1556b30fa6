"""Every write of the orders app: ``<entity>_<action>(*, …)``, atomic, rows locked by pk."""

from .checkout import ShippingAddress, address_errors, order_checkout
from .orders import (
    order_cancel,
    order_complete,
    order_confirm_receipt,
    order_lock,
    order_ship,
)
from .tracking import TrackingResult, return_shipment_create, tracking_event_record

__all__ = [
    "ShippingAddress",
    "TrackingResult",
    "address_errors",
    "order_cancel",
    "order_checkout",
    "order_complete",
    "order_confirm_receipt",
    "order_lock",
    "order_ship",
    "return_shipment_create",
    "tracking_event_record",
]
