"""A return's page: the address to send to (or the seller's form to give it), shipping with a
tracking number, the seller's confirmation of receipt, with deadlines and the timeline."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from comptoir.core.errors import ApplicationError, NotFound
from comptoir.core.order_numbers import format_order_number
from comptoir.core.uploads.models import UploadKind
from comptoir.core.uploads.services import upload_create
from comptoir.disputes import selectors
from comptoir.disputes.api_returns import ReturnActionIn, return_action
from comptoir.disputes.forms import ReturnAddressForm, ReturnShipForm
from comptoir.disputes.notify import title_for

# The return table's actions → the API's action names.
API_ACTION = {
    "return-address": "address",
    "return-ship": "ship",
    "return-delivered": "delivered",
    "return-confirm": "confirm-receipt",
    "return-cancel": "cancel",
}
CONFIRM_FIRST = frozenset({"return-confirm", "return-cancel"})
DONE = {
    "return-address": gettext_lazy("The address is sent to the buyer: 10 days to ship."),
    "return-ship": gettext_lazy("Thank you: the seller is told the item is on its way."),
    "return-delivered": gettext_lazy("The return's delivery is recorded."),
    "return-confirm": gettext_lazy("Receipt confirmed: the buyer is refunded."),
    "return-cancel": gettext_lazy("Your return request is withdrawn."),
}


def _view(request: HttpRequest, public_id: str) -> Any:
    try:
        return selectors.return_view(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc


def _context(view: Any, **extra: Any) -> dict[str, Any]:
    ret = view.ret
    number = format_order_number(ret.order.number)
    return {
        "view": view,
        "r": ret,
        "allowed": {t.action for t in view.actions},
        "timeline": [(e, title_for(e, number)) for e in ret.events.all()],
        "address_form": extra.pop("address_form", None) or ReturnAddressForm(),
        "ship_form": extra.pop("ship_form", None) or ReturnShipForm(),
        **extra,
    }


@login_required
def return_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    return render(request, "disputes/return.html", _context(_view(request, public_id)))


@login_required
@require_POST
def return_act(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    if action not in API_ACTION:
        raise Http404
    view = _view(request, public_id)
    allowed = {t.action for t in view.actions}
    data = ReturnActionIn.model_validate({})
    if action == "return-address":
        form = ReturnAddressForm(request.POST)
        if not form.is_valid():
            return render(request, "disputes/return.html", _context(view, address_form=form))
        data = ReturnActionIn.model_validate(form.cleaned_data)
    elif action == "return-ship":
        ship = ReturnShipForm(request.POST, request.FILES)
        if not ship.is_valid():
            return render(request, "disputes/return.html", _context(view, ship_form=ship))
        receipt = None
        if ship.cleaned_data["postage_receipt"]:
            try:
                receipt = upload_create(
                    owner=request.user,
                    file=ship.cleaned_data["postage_receipt"],
                    allowed_kinds={UploadKind.IMAGE, UploadKind.PDF},
                )
            except ApplicationError as exc:
                ship.add_error("postage_receipt", exc.message)
                return render(request, "disputes/return.html", _context(view, ship_form=ship))
        postage = ship.cleaned_data["postage"]
        data = ReturnActionIn.model_validate(
            {
                "carrier": ship.cleaned_data["carrier"],
                "tracking_number": ship.cleaned_data["tracking_number"],
                "postage": str(postage) if postage is not None else None,
                "postage_receipt": receipt.public_id if receipt is not None else None,
            }
        )
    elif action in CONFIRM_FIRST and action in allowed and request.POST.get("confirm") != "yes":
        return render(request, "disputes/return_confirm.html", {"r": view.ret, "action": action})
    try:
        return_action(request, public_id, API_ACTION[action], data)
    except NotFound as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, str(DONE.get(action, _("Done."))))
    return redirect("disputes:return", public_id=public_id)
