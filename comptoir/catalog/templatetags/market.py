"""Template helpers shared by the catalog and orders pages: money, FR/EN fields, images."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import get_language

from comptoir.core.money import Money, format_money
from comptoir.core.order_numbers import format_order_number

register = template.Library()


def _language() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


@register.filter
def money(value: Money | None) -> str:
    """``12,34 €`` in French, ``€12.34`` in English."""
    if value is None:
        return ""
    return format_money(value, _language())


@register.filter
def loc(obj: Any, field: str) -> str:
    """``{{ product|loc:"title" }}``: the field in the current language (``title_fr``/``title_en``)."""
    if obj is None:
        return ""
    if isinstance(obj, dict):
        return str(obj.get(f"{field}_{_language()}") or obj.get(f"{field}_en") or "")
    return str(getattr(obj, f"{field}_{_language()}", "") or "")


@register.filter
def image_url(image: Any) -> str:
    return reverse("catalog:image", args=[image.public_id]) if image is not None else ""


@register.filter
def order_number(value: str) -> str:
    try:
        return format_order_number(value)
    except ValueError:
        return value


@register.filter
def first_image(product: Any) -> Any:
    images = list(product.images.all())
    return images[0] if images else None


@register.filter
def status_class(status: str) -> str:
    return {
        "paid": "pill-paid",
        "shipped": "pill-shipped",
        "delivered": "pill-delivered",
        "completed": "pill-completed",
        "cancelled": "pill",
        "lost": "pill-bad",
        "returned_to_sender": "pill-bad",
        "held_at_customs": "pill-warn",
        "awaiting_pickup": "pill-warn",
    }.get(status, "pill")


@register.filter
def buyer_actions(order: Any) -> set[str]:
    """The actions the order's buyer may take now, from the one transition table."""
    from comptoir.orders.transitions import Actor, allowed_actions

    return {str(t.action) for t in allowed_actions(order, {Actor.BUYER})}


@register.filter
def tracking_label(code: str) -> str:
    from comptoir.orders.enums import TrackingCode

    return str(TrackingCode(code).label) if code in TrackingCode.values else ""


@register.filter
def outbound_shipment(order: Any) -> Any:
    shipments = getattr(order, "outbound", None)
    if shipments is None:
        shipments = [s for s in order.shipments.all() if s.direction == "outbound"]
    return shipments[0] if shipments else None


@register.filter
def carrier_label(code: str) -> str:
    from comptoir.orders.carriers import carrier_name

    return carrier_name(code)


@register.filter
def country_name(code: str) -> str:
    from comptoir.orders.services.checkout import COUNTRIES

    return str(COUNTRIES.get(code, code))
