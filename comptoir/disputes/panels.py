"""What disputes plug into other apps (from ``DisputesConfig.ready``): the order page panel and
the access rule for evidence files."""

from __future__ import annotations

from typing import Any

from comptoir.core.uploads.models import Upload
from comptoir.orders.panels import Panel

from .enums import ACTIVE_STATUSES
from .models import Dispute, Evidence, ReturnRequest
from .selectors import dispute_scope, return_scope


def dispute_order_panel(*, order: Any, user: Any, actors: set[Any]) -> Panel | None:
    disputes = list(Dispute.objects.filter(order=order).order_by("-created_at", "-pk"))
    returns = list(ReturnRequest.objects.filter(order=order, dispute__isnull=True).order_by("-pk"))
    is_buyer = order.buyer_id == getattr(user, "pk", None)
    if not disputes and not returns and not (is_buyer and order.paid_at is not None):
        return None
    return Panel(
        template="disputes/_order_panel.html",
        context={
            "order": order,
            "disputes": disputes,
            "returns": returns,
            "can_open": is_buyer and order.paid_at is not None,
            "can_return": is_buyer and order.delivered_at is not None,
            "active": [d for d in disputes if d.status in ACTIVE_STATUSES],
        },
    )


def evidence_access(user: Any, upload: Upload) -> bool:
    """Evidence files are shown to the dispute's parties (and staff, always allowed by core)."""
    dispute_ids = Evidence.objects.filter(upload=upload).values("dispute_id")
    if dispute_scope(user).filter(pk__in=dispute_ids).exists():
        return True
    # A return's postage receipt: the buyer who sent it and the seller who pays it back.
    return return_scope(user).filter(postage_receipt=upload).exists()
