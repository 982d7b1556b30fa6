"""The seller's disputes and returns: what waits for them first, nearest deadline first."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from comptoir.core.errors import ApplicationError
from comptoir.disputes import selectors


@login_required
def seller_disputes(request: HttpRequest) -> HttpResponse:
    try:
        page = selectors.dispute_list_for_seller(
            user=request.user, cursor=request.GET.get("cursor") or None
        )
    except ApplicationError:
        return redirect(request.path)
    return render(
        request,
        "disputes/seller_list.html",
        {
            "page": page,
            "waiting": selectors.dispute_list_for_seller_waiting(user=request.user),
            "returns_waiting": selectors.return_list_for_seller_waiting(user=request.user),
        },
    )
