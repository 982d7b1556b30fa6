"""The buyer's pages from an order: "Ouvrir un litige" step by step, and the change-of-mind
return request."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from comptoir.core.errors import ApplicationError, NotFound
from comptoir.core.money import Money
from comptoir.disputes import returns, services
from comptoir.disputes.enums import SELLER_PAYS_RETURN
from comptoir.disputes.forms import REASON_HELP, REQUEST_HELP, OpenForm, ReturnRequestForm
from comptoir.orders.selectors import order_get

from ._common import line_choices, message_choices, save_uploads


def _own_order(request: HttpRequest, number: str):  # type: ignore[no-untyped-def]
    try:
        order = order_get(user=request.user, number=number)
    except NotFound as exc:
        raise Http404 from exc
    if order.buyer_id != request.user.pk:
        raise Http404
    return order


@login_required
def dispute_open(request: HttpRequest, number: str) -> HttpResponse:
    order = _own_order(request, number)
    form = OpenForm(
        request.POST or None,
        request.FILES or None,
        line_choices=line_choices(order),
        message_choices=message_choices(order),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        amount = data["amount"]
        try:
            with transaction.atomic(durable=True):
                dispute = services.dispute_open(
                    user=request.user,
                    order=order,
                    line_ids=data["lines"],
                    reason=data["reason"],
                    request=data["request"],
                    description=data["description"],
                    amount=Money(amount, order.currency) if amount is not None else None,
                    evidence=save_uploads(request.user, data["evidence"]),
                    message_ids=data["messages"],
                )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your dispute is open. The seller has 5 days to answer."))
            return redirect("disputes:detail", public_id=dispute.public_id)
    return render(
        request,
        "disputes/open.html",
        {
            "order": order,
            "form": form,
            "reason_help": {str(k): v for k, v in REASON_HELP.items()},
            "request_help": {str(k): v for k, v in REQUEST_HELP.items()},
            "seller_pays": sorted(str(r) for r in SELLER_PAYS_RETURN),
        },
    )


@login_required
def return_request(request: HttpRequest, number: str) -> HttpResponse:
    order = _own_order(request, number)
    form = ReturnRequestForm(request.POST or None, line_choices=line_choices(order))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic(durable=True):
                ret = returns.return_request_open(
                    user=request.user,
                    order=order,
                    line_ids=data["lines"],
                    unused=data["unused"],
                    note=data["note"],
                )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Your return request is sent. The seller has 5 days to give an address.")
            )
            return redirect("disputes:return", public_id=ret.public_id)
    return render(request, "disputes/return_request.html", {"order": order, "form": form})
