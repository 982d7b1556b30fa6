"""Dispute pages: open from an order, the dispute page, the seller's list. Parse, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.core.errors import ApplicationError, NotFound
from comptoir.core.money import Money
from comptoir.core.uploads.models import UploadKind
from comptoir.core.uploads.services import upload_create
from comptoir.orders.selectors import order_get

from . import selectors, services
from .api import ActionIn, dispute_action
from .forms import ActionForm, OpenForm
from .transitions import TRANSITIONS


def _line_choices(order: object) -> list[tuple[int, str]]:
    en = (get_language() or "fr").startswith("en")
    return [
        (line.pk, line.title_en if en else line.title_fr)
        for line in order.lines.order_by("position")  # type: ignore[attr-defined]
    ]


@login_required
def dispute_open(request: HttpRequest, number: str) -> HttpResponse:
    try:
        order = order_get(user=request.user, number=number)
    except NotFound as exc:
        raise Http404 from exc
    if order.buyer_id != request.user.pk:
        raise Http404
    form = OpenForm(request.POST or None, request.FILES or None, line_choices=_line_choices(order))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        amount = data["amount"]
        try:
            with transaction.atomic(durable=True):
                evidence = []
                if data["evidence"]:
                    evidence.append(
                        upload_create(
                            owner=request.user,
                            file=data["evidence"],
                            allowed_kinds={UploadKind.IMAGE, UploadKind.VIDEO, UploadKind.PDF},
                        )
                    )
                dispute = services.dispute_open(
                    user=request.user,
                    order=order,
                    line_ids=data["lines"],
                    reason=data["reason"],
                    request=data["request"],
                    description=data["description"],
                    amount=Money(amount, order.currency) if amount is not None else None,
                    evidence=evidence,
                )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your dispute is open. The seller has 5 days to answer."))
            return redirect("disputes:detail", public_id=dispute.public_id)
    return render(request, "disputes/open.html", {"order": order, "form": form})


@login_required
def dispute_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        view = selectors.dispute_view(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc
    return render(request, "disputes/detail.html", {"view": view, "d": view.dispute})


@login_required
@require_POST
def dispute_act(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    if action not in TRANSITIONS:
        raise Http404
    form = ActionForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    amount = data.get("amount")
    payload = ActionIn(
        message=data.get("message") or "",
        outcome=data.get("outcome") or "",
        amount=str(amount) if amount is not None else None,
        request=data.get("request") or "",
        description=data.get("message") or "",
    )
    try:
        dispute_action(request, public_id, action, payload)
    except NotFound as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Done."))
    return redirect("disputes:detail", public_id=public_id)


@login_required
def seller_disputes(request: HttpRequest) -> HttpResponse:
    try:
        page = selectors.dispute_list_for_seller(
            user=request.user, cursor=request.GET.get("cursor") or None
        )
    except ApplicationError:
        return redirect(request.path)
    waiting = selectors.dispute_list_for_seller_waiting(user=request.user)
    return render(request, "disputes/seller_list.html", {"page": page, "waiting": waiting})
