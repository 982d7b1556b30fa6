"""What disputes plug into other apps (from ``DisputesConfig.ready``): the order page panel and
the access rule for evidence files."""

from __future__ import annotations

from typing import Any

from comptoir.core.uploads.models import Upload
from comptoir.orders.panels import Panel

from .enums import ACTIVE_STATUSES
from .models import Dispute, Evidence
from .selectors import dispute_scope


def dispute_order_panel(*, order: Any, user: Any, actors: set[Any]) -> Panel | None:
    disputes = list(Dispute.objects.filter(order=order).order_by("-created_at", "-pk"))
    is_buyer = order.buyer_id == getattr(user, "pk", None)
    if not disputes and not (is_buyer and order.paid_at is not None):
        return None
    return Panel(
        template="disputes/_order_panel.html",
        context={
            "order": order,
            "disputes": disputes,
            "can_open": is_buyer and order.paid_at is not None,
            "active": [d for d in disputes if d.status in ACTIVE_STATUSES],
        },
    )


def evidence_access(user: Any, upload: Upload) -> bool:
    """Evidence files are shown to the dispute's parties (and staff, always allowed by core)."""
    dispute_ids = Evidence.objects.filter(upload=upload).values("dispute_id")
    return dispute_scope(user).filter(pk__in=dispute_ids).exists()
