"""Seller balance pages: held / available / paid out with the journal lines behind each, and
the payout request (form → confirmation → done); for staff, the refunds and payouts the
provider refused, with a confirmed retry. Thin: parse, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from comptoir.core.errors import ApplicationError, NotFound
from comptoir.core.ids import new_token
from comptoir.core.money import Money

from . import conf, selectors, services
from .forms import PayoutForm
from .models import Refund

TABS = ("held", "available", "paid_out")


@login_required
def balance(request: HttpRequest) -> HttpResponse:
    try:
        shop = selectors.seller_shop(user=request.user, slug=request.GET.get("shop") or None)
    except NotFound as exc:
        raise Http404 from exc
    tab = request.GET.get("tab", "available")
    if tab not in TABS:
        tab = "available"
    try:
        page = selectors.seller_statement(
            shop=shop, account=tab, cursor=request.GET.get("cursor") or None
        )
    except ApplicationError:
        return redirect(f"{request.path}?tab={tab}")
    return render(
        request,
        "ledger/balance.html",
        {
            "balance": selectors.seller_balance(shop=shop),
            "shop": shop,
            "tab": tab,
            "page": page,
            "payouts": selectors.seller_payouts(shop=shop, limit=5).items,
            "hold_days": conf.hold_days(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def payout(request: HttpRequest) -> HttpResponse:
    """GET: the form; POST step=review: the confirmation; POST step=confirm: the payout."""
    try:
        shop = selectors.seller_shop(user=request.user, slug=request.GET.get("shop") or None)
    except NotFound as exc:
        raise Http404 from exc
    current = selectors.seller_balance(shop=shop)
    form = PayoutForm(
        request.POST or None,
        initial={"idempotency_key": new_token(24), "amount": current.available.quantize().amount},
    )
    step = request.POST.get("step", "form")
    amount = None
    if request.method == "POST" and form.is_valid():
        try:
            amount = Money.parse(form.cleaned_data["amount"], current.currency)
            if amount.amount <= 0:
                raise ApplicationError("invalid", _("The amount must be more than zero."))
            if amount > current.available:
                raise ApplicationError(
                    "insufficient_funds",
                    _("You can pay out at most %(amount)s.") % {"amount": current.available},
                )
            if step == "confirm":
                services.payout_request(
                    shop=shop,
                    amount=amount,
                    idempotency_key=form.cleaned_data["idempotency_key"],
                    requested_by=request.user,
                )
                messages.success(
                    request,
                    _("Payout requested. The money is on its way to your bank account."),
                )
                return redirect("ledger:balance")
        except ApplicationError as exc:
            form.add_error("amount", exc.message)
            step = "form"
    status = 422 if form.is_bound and form.errors else 200
    return render(
        request,
        "ledger/payout.html",
        {
            "form": form,
            "balance": current,
            "shop": shop,
            "confirm": step == "review" and amount is not None and not form.errors,
            "amount": amount,
        },
        status=status,
    )


# --- staff: failed refunds and payouts --------------------------------------------------------

STAFF_TABS = ("refunds", "payouts")


@login_required
@require_http_methods(["GET"])
def staff_failed(request: HttpRequest) -> HttpResponse:
    """Refunds and payouts the provider refused after the last retry (staff only; 404 else)."""
    tab = request.GET.get("tab", "refunds")
    if tab not in STAFF_TABS:
        tab = "refunds"
    try:
        page = selectors.failed_transfers(
            user=request.user, kind=tab, cursor=request.GET.get("cursor") or None
        )
    except NotFound as exc:
        raise Http404 from exc
    except ApplicationError:  # a forged or stale cursor: back to the first page
        return redirect(f"{request.path}?tab={tab}")
    return render(request, "ledger/staff_failed.html", {"tab": tab, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def staff_retry(request: HttpRequest, public_id: str) -> HttpResponse:
    """GET: what will be sent again, with a confirmation button; POST: the retry."""
    try:
        transfer = selectors.failed_transfer_get(user=request.user, public_id=public_id)
    except NotFound as exc:
        if request.method == "POST" and selectors.is_staff(request.user):
            messages.info(request, _("This transfer is no longer failed: nothing was sent again."))
            return redirect("ledger:staff_failed")
        raise Http404 from exc
    tab = "refunds" if isinstance(transfer, Refund) else "payouts"
    if request.method == "POST":
        services.failed_transfer_retry(user=request.user, public_id=public_id)
        messages.success(
            request, _("Sent to the payment provider again. It leaves this list while it is tried.")
        )
        return redirect(f"{reverse('ledger:staff_failed')}?tab={tab}")
    return render(request, "ledger/staff_retry.html", {"transfer": transfer, "tab": tab})
