"""Order pages: checkout, "My orders", order detail, confirm receipt, seller area. Thin: parse,
call one service or selector, render or redirect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from comptoir.catalog.selectors import product_get
from comptoir.core.errors import ApplicationError, NotFound
from comptoir.core.ids import new_token
from comptoir.core.order_numbers import format_order_number

from . import selectors, services
from .forms import CheckoutForm, ShipForm
from .panels import panels_for
from .transitions import Action, Actor


def _apply_errors(form: object, exc: ApplicationError) -> None:
    fields = exc.details.get("fields") if isinstance(exc.details, dict) else None
    added = False
    for name, errors in (fields or {}).items():
        key = name.removeprefix("address.")
        if key in form.fields:  # type: ignore[attr-defined]
            for error in errors:
                form.add_error(key, error)  # type: ignore[attr-defined]
                added = True
    if not added:
        form.add_error(None, exc.message)  # type: ignore[attr-defined]


@login_required
@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        product = product_get(public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc
    if request.method == "POST" and "name" in request.POST:
        form = CheckoutForm(request.POST)
        if form.is_valid():
            try:
                order = services.order_checkout(
                    buyer=request.user,
                    product_public_id=product.public_id,
                    quantity=form.cleaned_data["quantity"],
                    address=form.address(),
                    checkout_key=form.cleaned_data["checkout_key"],
                )
            except ApplicationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Thank you! Your order is paid. The seller has been told to ship it."),
                )
                return redirect("orders:detail", number=format_order_number(order.number))
    else:
        # From the product page ("Buy now" with a quantity) or a first visit.
        raw = request.POST.get("quantity") or request.GET.get("quantity") or "1"
        quantity = int(raw) if raw.isdigit() and 1 <= int(raw) <= 99 else 1
        form = CheckoutForm(
            initial={
                "quantity": quantity,
                "country": "FR",
                "checkout_key": new_token(24),
                "name": getattr(request.user, "full_name", ""),
            }
        )
    shown: Any = form.data.get("quantity") if form.is_bound else form.initial.get("quantity")
    try:
        quantity_value = max(1, min(int(shown or 1), 99))
    except (TypeError, ValueError):
        quantity_value = 1
    status = 422 if form.is_bound and form.errors else 200
    return render(
        request,
        "orders/checkout.html",
        {
            "product": product,
            "form": form,
            "subtotal": product.price * quantity_value,
            "total": product.price * quantity_value + product.shipping,
            "quantity": quantity_value,
        },
        status=status,
    )


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("status", "all")
    if tab not in selectors.BUYER_TABS:
        tab = "all"
    try:
        page = selectors.order_list_for_buyer(
            user=request.user, tab=tab, cursor=request.GET.get("cursor") or None
        )
    except ApplicationError:
        return redirect(f"{request.path}?status={tab}")
    return render(
        request, "orders/order_list.html", {"page": page, "tab": tab, "tabs": _buyer_tabs()}
    )


def _buyer_tabs() -> list[tuple[str, str]]:
    return [
        ("all", _("All")),
        ("to_ship", _("To be shipped")),
        ("shipped", _("Shipped")),
        ("delivered", _("Delivered")),
        ("cancelled", _("Cancelled")),
    ]


@login_required
def order_detail(request: HttpRequest, number: str) -> HttpResponse:
    try:
        view = selectors.order_view(user=request.user, number=number)
    except NotFound as exc:
        raise Http404 from exc
    formatted = format_order_number(view.order.number)
    if number != formatted:
        return redirect("orders:detail", number=formatted)
    return render(
        request,
        "orders/order_detail.html",
        {
            "view": view,
            "order": view.order,
            "Action": Action,
            "is_buyer": Actor.BUYER in view.actors,
            "is_seller": Actor.SELLER in view.actors,
            "action_codes": {str(t.action) for t in view.actions},
            "panels": panels_for(order=view.order, user=request.user, actors=view.actors),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def confirm_receipt(request: HttpRequest, number: str) -> HttpResponse:
    """A confirmation step: GET asks "did you receive everything?", POST confirms."""
    try:
        view = selectors.order_view(user=request.user, number=number)
    except NotFound as exc:
        raise Http404 from exc
    order = view.order
    if Actor.BUYER not in view.actors:
        raise Http404
    if request.method == "POST":
        try:
            services.order_confirm_receipt(number=order.number, buyer=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, _("Thank you, receipt confirmed. Your protection period has started.")
            )
        return redirect("orders:detail", number=format_order_number(order.number))
    if str(Action.CONFIRM_RECEIPT) not in {str(t.action) for t in view.actions}:
        messages.info(request, _("There is nothing to confirm on this order."))
        return redirect("orders:detail", number=format_order_number(order.number))
    return render(request, "orders/confirm_receipt.html", {"view": view, "order": order})


@login_required
def seller_orders(request: HttpRequest) -> HttpResponse:
    tab = request.GET.get("status", "to_ship")
    if tab not in selectors.SELLER_TABS:
        tab = "to_ship"
    shops = list(request.user.shops.all())  # type: ignore[union-attr]
    try:
        page = selectors.order_list_for_seller(
            user=request.user, tab=tab, cursor=request.GET.get("cursor") or None
        )
    except ApplicationError:
        return redirect(f"{request.path}?status={tab}")
    tabs = [
        ("to_ship", _("To ship")),
        ("shipped", _("Shipped")),
        ("delivered", _("Delivered")),
        ("all", _("All")),
    ]
    return render(
        request,
        "orders/seller_orders.html",
        {"page": page, "tab": tab, "tabs": tabs, "shops": shops},
    )


@login_required
@require_http_methods(["GET", "POST"])
def ship(request: HttpRequest, number: str) -> HttpResponse:
    try:
        view = selectors.order_view(user=request.user, number=number)
    except NotFound as exc:
        raise Http404 from exc
    order = view.order
    if Actor.SELLER not in view.actors:
        raise Http404
    if str(Action.SHIP) not in {str(t.action) for t in view.actions}:
        messages.info(request, _("This order has already been shipped."))
        return redirect("orders:detail", number=format_order_number(order.number))
    form = ShipForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.order_ship(
                number=order.number,
                seller=request.user,
                carrier=form.cleaned_data["carrier"],
                tracking_number=form.cleaned_data["tracking_number"],
                promised_delivery_date=form.cleaned_data["promised_delivery_date"],
            )
        except ApplicationError as exc:
            _apply_errors(form, exc)
        else:
            messages.success(
                request,
                _("Order %(number)s is marked as shipped. The buyer has been told.")
                % {"number": format_order_number(order.number)},
            )
            return redirect("orders:seller")
    status = 422 if form.is_bound and form.errors else 200
    return render(
        request, "orders/ship.html", {"view": view, "order": order, "form": form}, status=status
    )
