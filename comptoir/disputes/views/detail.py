"""The dispute page (timeline, proposals side by side, evidence gallery, deadline, the actions
allowed now) and its actions, each confirmed first when it cannot be taken back."""

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
from comptoir.disputes import selectors
from comptoir.disputes.api import ActionIn, dispute_action
from comptoir.disputes.forms import COUNTER_OUTCOMES, DECISION_OUTCOMES, PARTIES, ActionForm
from comptoir.disputes.transitions import TRANSITIONS

from ._common import (
    IRREVERSIBLE,
    deadline_text,
    evidence_by_side,
    message_choices,
    proposal_sides,
    save_uploads,
    timeline_rows,
)

DONE = {
    "accept": gettext_lazy("You accepted the request: the refund is on its way."),
    "refuse": gettext_lazy("Your answer is sent to the buyer."),
    "accept-counter": gettext_lazy("You accepted the seller's proposal."),
    "modify": gettext_lazy("Your new request is sent. The seller has 5 days to answer."),
    "cancel": gettext_lazy("The dispute is cancelled."),
    "reopen": gettext_lazy("The dispute is open again. The seller has 5 days to answer."),
    "escalate": gettext_lazy("The platform's dispute officers will decide within 2 business days."),
    "request-evidence": gettext_lazy("The request for evidence is sent."),
    "submit-evidence": gettext_lazy("Your evidence is sent to the dispute officer."),
    "decide": gettext_lazy("The decision is recorded. Either party may appeal within 5 days."),
    "appeal": gettext_lazy("Your appeal is sent: another officer will review the case."),
    "decide-appeal": gettext_lazy("The appeal is decided: the decision is final."),
    "add-evidence": gettext_lazy("Your evidence is added to the dispute."),
}


def page_context(view: Any, user: Any) -> dict[str, Any]:
    d = view.dispute
    deadline_label, deadline_help = deadline_text(d.status)
    return {
        "view": view,
        "deadline_label": deadline_label,
        "deadline_help": deadline_help,
        "d": d,
        "sides": proposal_sides(d),
        "evidence": evidence_by_side(d),
        "timeline": timeline_rows(d),
        "evidence_request": selectors.open_evidence_request(d),
        "returns": list(d.returns.select_related("shipment").order_by("pk")),
        "counter_outcomes": COUNTER_OUTCOMES,
        "decision_outcomes": DECISION_OUTCOMES,
        "parties": PARTIES,
        "message_choices": message_choices(d.order) if "buyer" in view.actors else [],
        "irreversible": IRREVERSIBLE,
        "is_officer": selectors.is_officer(user),
    }


@login_required
def dispute_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        view = selectors.dispute_view(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc
    return render(request, "disputes/detail.html", page_context(view, request.user))


@login_required
@require_POST
def dispute_act(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    if action not in TRANSITIONS and action != "add-evidence":
        raise Http404
    try:
        view = selectors.dispute_view(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc
    d = view.dispute
    form = ActionForm(request.POST, request.FILES, message_choices=message_choices(d.order))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("disputes:detail", public_id=public_id)
    data = form.cleaned_data
    allowed = {t.action for t in view.actions}
    if action in IRREVERSIBLE and action in allowed and data.get("confirm") != "yes":
        return render(
            request,
            "disputes/confirm.html",
            {
                "d": d,
                "view": view,
                "transition": TRANSITIONS[action],
                "data": data,
                "outcome_label": dict(DECISION_OUTCOMES).get(data.get("outcome") or "", ""),
                "sides": proposal_sides(d),
            },
        )
    amount = data.get("amount")
    try:
        uploads = save_uploads(request.user, data.get("evidence") or [])
        dispute_action(
            request,
            public_id,
            action,
            ActionIn(
                message=data.get("message") or "",
                outcome=data.get("outcome") or "",
                amount=str(amount) if amount is not None else None,
                request=data.get("request") or "",
                description=data.get("message") or "",
                evidence=[u.public_id for u in uploads],
                messages=list(data.get("messages") or []),
                party=data.get("party") or "",
            ),
        )
    except NotFound as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, str(DONE.get(action, _("Done."))))
    if action in ("decide", "decide-appeal", "request-evidence") and selectors.is_officer(
        request.user
    ):
        return redirect("disputes:arbitrate", public_id=public_id)
    return redirect("disputes:detail", public_id=public_id)
