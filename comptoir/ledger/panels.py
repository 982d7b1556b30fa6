"""The protection box of the order page (``orders.panels.order_page_panels``)."""

from __future__ import annotations

from typing import Any

from comptoir.orders.panels import Panel

from .selectors import order_protection


def protection_panel(*, order: Any, user: Any, actors: set[Any]) -> Panel | None:
    protection = order_protection(order=order)
    if protection is None:
        return None
    return Panel(
        template="ledger/_protection_box.html",
        context={"protection": protection, "order": order},
    )
