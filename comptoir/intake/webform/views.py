"""The web intake adapter: the contact form → one InboundMessage → tickets intake."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods

from comptoir.core.errors import ApplicationError
from comptoir.core.ids import new_token
from comptoir.core.uploads import UploadKind, upload_create
from comptoir.orders.selectors import order_list_for_buyer
from comptoir.taxonomy.selectors import leaf_choices
from comptoir.tickets.enums import Channel
from comptoir.tickets.services import InboundMessage, intake_receive

from .forms import ContactForm

ATTACHMENT_KINDS: set[str] = {UploadKind.IMAGE, UploadKind.VIDEO, UploadKind.PDF}


def _apply_error(form: ContactForm, exc: ApplicationError) -> None:
    fields = exc.details.get("fields") if isinstance(exc.details, dict) else None
    placed = False
    for name, errors in (fields or {}).items():
        target = "taxonomy" if name == "taxonomy" else name
        if target in form.fields:
            for error in errors:
                form.add_error(target, error)
                placed = True
    if not placed:
        form.add_error("attachments" if exc.code.startswith("upload_") else None, exc.message)


@login_required
@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    topics = leaf_choices(
        language=get_language() or "fr", include_restricted=bool(user.is_staff_member)
    )
    orders = order_list_for_buyer(user=user, limit=20).items
    initial = {"idempotency_key": new_token(18), "taxonomy": request.GET.get("topic", "")}
    order_param = request.GET.get("order", "")
    if order_param:
        initial["order"] = order_param.replace("-", "")
    if request.method == "POST":
        form = ContactForm(request.POST, request.FILES, topics=topics, orders=orders)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic(durable=True):
                    uploads = tuple(
                        upload_create(owner=user, file=f, allowed_kinds=ATTACHMENT_KINDS)
                        for f in data["attachments"][:10]
                    )
                    result = intake_receive(
                        inbound=InboundMessage(
                            channel=Channel.WEB,
                            channel_message_id=f"web:{user.pk}:{data['idempotency_key']}",
                            text=data["text"],
                            subject=data["subject"],
                            sender_user=user,
                            node_code=data["taxonomy"],
                            order_number=data["order"] or None,
                            attachments=uploads,
                            language_hint=get_language(),
                        )
                    )
            except ApplicationError as exc:
                _apply_error(form, exc)
            else:
                return redirect("tickets:detail", number=result.ticket.number)
    else:
        form = ContactForm(initial=initial, topics=topics, orders=orders)
    return render(request, "intake/contact.html", {"form": form})
