"""Template tags of messaging: the header's Message Center link with its unread badge, safe
message text, the shop's median response time, the delete window."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comptoir.core import clock
from comptoir.messaging.safety import render_text
from comptoir.messaging.services import DELETE_WINDOW

register = template.Library()


@register.inclusion_tag("messaging/_header_link.html", takes_context=True)
def message_center_link(context: Any) -> dict[str, Any]:
    from comptoir.messaging.inbox import inbox_unread_count

    request = context.get("request")
    user = getattr(request, "user", None)
    count = inbox_unread_count(user=user) if user is not None else 0
    return {"unread": count, "authenticated": bool(getattr(user, "is_authenticated", False))}


@register.filter
def message_html(text: str) -> SafeString:
    return render_text(text)


@register.filter
def deletable_by(message: Any, user: Any) -> bool:
    return (
        message.sender_id == getattr(user, "pk", None)
        and message.deleted_at is None
        and clock.now() - message.created_at <= DELETE_WINDOW
    )


@register.filter
def response_duration(seconds: int | None) -> str:
    if seconds is None:
        return ""
    minutes = max(1, round(seconds / 60))
    if minutes < 60:
        return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}
    hours = round(minutes / 60)
    if hours < 48:
        return ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}
    days = round(hours / 24)
    return ngettext("%(n)s day", "%(n)s days", days) % {"n": days}


@register.inclusion_tag("messaging/_response_time.html")
def shop_response_time(shop: Any) -> dict[str, Any]:
    from comptoir.messaging.selectors import shop_median_first_response

    result = shop_median_first_response(shop_id=shop.pk)
    return {"result": result, "shop": shop}


@register.simple_tag
def inbox_label(category: str) -> str:
    from comptoir.messaging.inbox import category_label

    return category_label(category) if category else _("All")
