"""The order page's "Contact the seller" panel (a text box and "Send"), through the orders
panel registry: the order template is not edited."""

from __future__ import annotations

from typing import Any

from comptoir.orders.panels import Panel


def contact_seller_panel(*, order: Any, user: Any, actors: set[Any]) -> Panel | None:
    from .models import Conversation

    if order.buyer_id != getattr(user, "pk", None):
        return None
    conversation = Conversation.objects.filter(buyer=user, order=order).first()
    return Panel(
        template="messaging/_order_panel.html",
        context={"order": order, "conversation": conversation},
    )
