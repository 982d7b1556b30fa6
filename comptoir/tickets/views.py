"""Customer pages "Mes demandes": the list, a ticket page, reply from the page, CSAT after
solve. Thin: parse, call one service or selector, render or redirect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from comptoir.core.errors import ApplicationError, NotFound
from comptoir.core.ids import new_token

from . import selectors, services
from .enums import Channel, TicketStatus
from .forms import CsatForm, ReplyForm
from .models import Csat, Ticket


def _ticket(request: HttpRequest, number: str) -> Ticket:
    try:
        return selectors.ticket_get(user=request.user, number=number)
    except NotFound as exc:
        raise Http404 from exc


@login_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    try:
        page = selectors.ticket_list(
            user=request.user, q=request.GET.get("q", "")[:200], cursor=request.GET.get("cursor")
        )
    except ApplicationError as exc:
        raise Http404 from exc
    return render(request, "tickets/list.html", {"page": page, "q": request.GET.get("q", "")[:200]})


def _detail_context(request: HttpRequest, ticket: Ticket, **forms: Any) -> dict[str, Any]:
    csat = Csat.objects.filter(ticket=ticket).first()
    can_rate = (
        ticket.status in (TicketStatus.SOLVED, TicketStatus.CLOSED)
        and csat is None
        and ticket.contact.user_id == request.user.pk
    )
    return {
        "ticket": ticket,
        "conversation": selectors.ticket_messages(user=request.user, ticket=ticket),
        "reply_form": forms.get("reply_form")
        or ReplyForm(initial={"idempotency_key": new_token(18)}),
        "csat_form": forms.get("csat_form") or (CsatForm() if can_rate else None),
        "csat": csat,
        "closed": ticket.status == TicketStatus.CLOSED,
    }


@login_required
def ticket_detail(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    return render(request, "tickets/detail.html", _detail_context(request, ticket))


@login_required
@require_POST
def ticket_reply(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    form = ReplyForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic(durable=True):
                if selectors.is_staff(request.user):
                    services.ticket_reply(user=request.user, ticket=ticket, text=data["text"])
                    target = ticket.number
                else:
                    result = services.intake_receive(
                        inbound=services.InboundMessage(
                            channel=Channel.WEB,
                            channel_message_id=f"web:{request.user.pk}:{data['idempotency_key']}",
                            text=data["text"],
                            sender_user=request.user,  # type: ignore[arg-type]
                            thread_ticket_number=ticket.number,
                        )
                    )
                    target = result.ticket.number
        except ApplicationError as exc:
            form.add_error("text", exc.message)
        else:
            if target != ticket.number:
                messages.info(
                    request,
                    _("This request was closed, so your message opened a new one: %(number)s.")
                    % {"number": target},
                )
            else:
                messages.success(request, _("Your reply was sent."))
            return redirect("tickets:detail", number=target)
    context = _detail_context(request, ticket, reply_form=form)
    return render(request, "tickets/detail.html", context, status=422)


@login_required
@require_http_methods(["POST"])
def ticket_csat(request: HttpRequest, number: str) -> HttpResponse:
    ticket = _ticket(request, number)
    form = CsatForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic(durable=True):
                services.csat_submit(
                    user=request.user,
                    ticket=ticket,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                )
        except NotFound as exc:
            raise Http404 from exc
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Thank you for your feedback!"))
            return redirect("tickets:detail", number=ticket.number)
    context = _detail_context(request, ticket, csat_form=form)
    return render(request, "tickets/detail.html", context, status=422)
