"""The dispute officers' pages: the queues (to decide, appeals) and the arbitration screen with
both sides' evidence, the buyer–seller messages of the order, the tracking, the ledger state of
the lines and the decision form. Officers only (404 for anyone else)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from comptoir.core.errors import ApplicationError, NotFound
from comptoir.disputes import selectors
from comptoir.ledger.selectors import order_protection, seller_balance

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


@login_required
def arbitration(request: HttpRequest, public_id: str) -> HttpResponse:
    if not selectors.is_officer(request.user):
        raise Http404
    try:
        view = selectors.dispute_view(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc
    d = view.dispute
    try:
        conversation = selectors.arbitration_messages(
            user=request.user, dispute=d, cursor=request.GET.get("messages") or None
        )
    except ApplicationError:  # a forged or stale cursor: back to the first messages
        return redirect(request.path)
    context = page_context(view, request.user)
    context.update(
        {
            "conversation": conversation,
            "messages_paged": bool(request.GET.get("messages")),
            "shipments": selectors.order_shipments(d.order),
            "protection": order_protection(order=d.order),
            "seller_balance": seller_balance(shop=d.shop, currency=d.order.currency),
            "disputed_lines": {dl.order_line_id for dl in d.lines.all()},
        }
    )
    return render(request, "disputes/arbitration.html", context)
