"""What the orders app tells buyers (through core.notifications: in-app + e-mail, their language)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from comptoir.core.notifications import notify
from comptoir.core.notifications.kinds import NotificationKind, register_notification_kind
from comptoir.core.order_numbers import format_order_number

from .enums import TrackingCode
from .models import Order

ORDERS = register_notification_kind(
    NotificationKind(code="orders", label=_("Orders and deliveries"))
)

# Tracking codes worth a message to the buyer.
NOTIFIED_CODES: dict[str, Any] = {
    TrackingCode.HELD_AT_CUSTOMS: _(
        "Your parcel is held at customs. It usually clears in a few days; no action is needed unless the carrier asks for documents."
    ),
    TrackingCode.DELIVERY_ATTEMPTED_NOTICE_LEFT: _(
        "The carrier tried to deliver your parcel and left a notice."
    ),
    TrackingCode.AT_PICKUP_POINT: _("Your parcel is waiting for you at a pickup point."),
    TrackingCode.DELIVERED: _(
        "Your parcel has been delivered. Your payment stays protected until the end of the protection period."
    ),
    TrackingCode.LOST: _(
        "The carrier reports your parcel as lost. You can open a “not received” dispute from the order page."
    ),
    TrackingCode.RETURNED_TO_SENDER: _(
        "Your parcel is being returned to the seller. You can open a “not received” dispute from the order page."
    ),
}


def _fmt(template: Any, **values: Any) -> Any:
    return lazy(lambda: str(template) % values, str)()


def order_url(order: Order) -> str:
    return reverse("orders:detail", args=[format_order_number(order.number)])


def notify_shipped(order: Order, carrier: str, tracking_number: str) -> None:
    number = format_order_number(order.number)
    notify(
        user=order.buyer,
        kind=ORDERS.code,
        event_key=f"order:{order.number}:shipped",
        title=_fmt(_("Order %(number)s has shipped"), number=number),
        body=_fmt(
            _("The seller shipped your order %(number)s with tracking number %(tracking)s."),
            number=number,
            tracking=tracking_number,
        ),
        url=order_url(order),
    )


def notify_tracking(order: Order, code: str, event_id: int) -> None:
    if code not in NOTIFIED_CODES:
        return
    number = format_order_number(order.number)
    notify(
        user=order.buyer,
        kind=ORDERS.code,
        event_key=f"order:{order.number}:tracking:{event_id}",
        title=_fmt(_("Order %(number)s: %(event)s"), number=number, event=TrackingCode(code).label),
        body=NOTIFIED_CODES[code],
        url=order_url(order),
    )
