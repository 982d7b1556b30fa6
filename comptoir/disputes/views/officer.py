"""The dispute officers' pages: the queues (to decide, appeals) and the arbitration screen with
both sides' evidence, the buyer–seller messages of the order, the tracking, the ledger state of
the lines and the decision form. Officers only (404 for anyone else)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from comptoir.core.errors import NotFound
from comptoir.disputes import selectors
from comptoir.ledger.selectors import order_protection

from .detail import page_context


@login_required
def officer_queues(request: HttpRequest) -> HttpResponse:
    try:
        to_decide = selectors.officer_queue(user=request.user)
        appeals = selectors.appeal_queue(user=request.user)
    except NotFound as exc:
        raise Http404 from exc
    tab = "appeals" if request.GET.get("tab") == "appeals" else "decide"
    return render(
        request,
        "disputes/officer_queue.html",
        {"to_decide": to_decide, "appeals": appeals, "tab": tab},
    )


def _conversation(order: Any) -> list[Any]:
    from comptoir.messaging.models import ConversationMessage

    return list(
        ConversationMessage.objects.filter(conversation__order=order, deleted_at=None)
        .select_related("sender")
        .order_by("created_at", "pk")[:200]
    )


def _shipments(order: Any) -> list[Any]:
    return list(order.shipments.prefetch_related("events").order_by("shipped_at", "pk"))


@login_required
def arbitration(request: HttpRequest, public_id: str) -> HttpResponse:
    if not selectors.is_officer(request.user):
        raise Http404
    try:
        view = selectors.dispute_view(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc
    d = view.dispute
    context = page_context(view, request.user)
    context.update(
        {
            "conversation": _conversation(d.order),
            "shipments": _shipments(d.order),
            "protection": order_protection(order=d.order),
            "disputed_lines": {dl.order_line_id for dl in d.lines.all()},
        }
    )
    return render(request, "disputes/arbitration.html", context)
