"""Pages of messaging: the Message Center, the seller inbox, a conversation, writing to a seller
about a product or an order, deleting and reporting a message, staff's flagged messages.
Thin: parse, call one service or selector, render or redirect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from comptoir.core.errors import ApplicationError, NotFound
from comptoir.core.uploads import Upload, UploadKind, upload_create

from . import selectors, services
from .enums import AnswerFilter, InboxCategory, Side
from .forms import MessageForm, ReportForm
from .inbox import inbox_open, inbox_page
from .models import Conversation
from .selectors import STAFF


def _attachments(request: HttpRequest, form: MessageForm) -> list[Upload]:
    file = form.cleaned_data.get("attachment")
    if not file:
        return []
    return [
        upload_create(
            owner=request.user, file=file, allowed_kinds={UploadKind.IMAGE, UploadKind.PDF}
        )
    ]


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    category = request.GET.get("filter", "")
    if category not in InboxCategory.values:
        category = ""
    query = request.GET.get("q", "")[:200].strip()
    try:
        page = inbox_page(
            user=request.user,
            category=category or None,
            query=query,
            cursor=request.GET.get("cursor"),
        )
    except ApplicationError as exc:
        raise Http404 from exc
    return render(
        request,
        "messaging/inbox.html",
        {
            "page": page,
            "category": category,
            "categories": InboxCategory.choices,
            "q": query,
            "is_seller": bool(selectors.shop_ids_of(request.user)),
        },
    )


@login_required
def inbox_item(request: HttpRequest, key: str) -> HttpResponse:
    try:
        url = inbox_open(user=request.user, key=key)
    except NotFound as exc:
        raise Http404 from exc
    return redirect(url)


@login_required
def seller_inbox(request: HttpRequest) -> HttpResponse:
    shop_ids = selectors.shop_ids_of(request.user)
    if not shop_ids:
        raise Http404
    answer = request.GET.get("answer", AnswerFilter.ALL)
    if answer not in AnswerFilter.values:
        answer = AnswerFilter.ALL
    query = request.GET.get("q", "")[:200].strip()
    try:
        page = selectors.conversation_list(
            user=request.user,
            side=Side.SHOP,
            answer=answer,
            query=query,
            cursor=request.GET.get("cursor"),
        )
    except ApplicationError as exc:
        raise Http404 from exc
    from comptoir.accounts.models import Shop

    shops = [
        (shop, selectors.shop_median_first_response(shop_id=shop.pk))
        for shop in Shop.objects.filter(pk__in=shop_ids)
    ]
    return render(
        request,
        "messaging/seller_inbox.html",
        {
            "page": page,
            "answer": answer,
            "answers": AnswerFilter.choices,
            "q": query,
            "shops": shops,
        },
    )


def _conversation_context(
    request: HttpRequest, conversation: Conversation, side: str, form: MessageForm | None = None
) -> dict[str, Any]:
    page = selectors.conversation_messages(
        conversation=conversation, cursor=request.GET.get("cursor"), limit=50
    )
    other = Side.SHOP if side == Side.BUYER else Side.BUYER
    return {
        "conversation": conversation,
        "side": side,
        "read_only": side == STAFF,
        "messages_page": page,
        "thread": list(reversed(page.items)),
        "other_read_up_to": conversation.read_up_to_of(other) if side != STAFF else 0,
        "form": form or MessageForm.fresh(),
        "response_time": selectors.shop_median_first_response(shop_id=conversation.shop_id),
    }


@login_required
@require_http_methods(["GET", "POST"])
def conversation_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        conversation, side = selectors.conversation_get(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc
    if request.method == "POST":
        if side == STAFF:
            raise Http404
        form = MessageForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.message_send(
                    conversation=conversation,
                    sender=request.user,
                    text=form.cleaned_data["text"],
                    attachments=_attachments(request, form),
                    client_key=form.cleaned_data.get("client_key", ""),
                )
            except ApplicationError as exc:
                form.apply_error(exc)
            else:
                return redirect("messaging:conversation", public_id=conversation.public_id)
        return render(
            request,
            "messaging/conversation.html",
            _conversation_context(request, conversation, side, form),
            status=422,
        )
    if side != STAFF:
        conversation = services.conversation_mark_read(user=request.user, conversation=conversation)
    return render(
        request, "messaging/conversation.html", _conversation_context(request, conversation, side)
    )


def _start(
    request: HttpRequest, *, product: Any = None, order: Any = None, template_context: dict
) -> HttpResponse:
    existing = selectors.conversation_find(buyer=request.user, product=product, order=order)
    form = MessageForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            conversation, _message = services.conversation_start(
                buyer=request.user,
                product=product,
                order=order,
                text=form.cleaned_data["text"],
                attachments=_attachments(request, form),
                client_key=form.cleaned_data.get("client_key", ""),
            )
        except NotFound as exc:
            raise Http404 from exc
        except ApplicationError as exc:
            form.apply_error(exc)
        else:
            messages.success(request, _("Your message was sent to the seller."))
            return redirect("messaging:conversation", public_id=conversation.public_id)
    elif request.method == "GET":
        if existing is not None:
            return redirect("messaging:conversation", public_id=existing.public_id)
        form = MessageForm.fresh()
    return render(
        request,
        "messaging/start.html",
        {**template_context, "form": form},
        status=422 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def start_about_product(request: HttpRequest, public_id: str) -> HttpResponse:
    from comptoir.catalog.selectors import product_get

    try:
        product = product_get(public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc
    if product.shop_id in selectors.shop_ids_of(request.user):
        raise Http404
    return _start(
        request,
        product=product,
        template_context={
            "product": product,
            "shop": product.shop,
            "response_time": selectors.shop_median_first_response(shop_id=product.shop_id),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def start_about_order(request: HttpRequest, number: str) -> HttpResponse:
    from comptoir.orders.selectors import order_get

    try:
        order = order_get(user=request.user, number=number)
    except NotFound as exc:
        raise Http404 from exc
    if order.buyer_id != request.user.pk:
        raise Http404
    return _start(
        request,
        order=order,
        template_context={
            "order": order,
            "shop": order.shop,
            "response_time": selectors.shop_median_first_response(shop_id=order.shop_id),
        },
    )


@login_required
@require_POST
def message_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        message, _side = selectors.message_get(user=request.user, public_id=public_id)
        services.message_delete(user=request.user, message=message)
    except NotFound as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("messaging:conversation", public_id=message.conversation.public_id)
    messages.success(request, _("Your message was deleted."))
    return redirect("messaging:conversation", public_id=message.conversation.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def message_report(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        message, side = selectors.message_get(user=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc
    if side == STAFF or message.sender_side == side:
        raise Http404
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = services.message_report(
                user=request.user, message=message, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            form.apply_error(exc)
        else:
            messages.success(
                request,
                _("Thank you. Our team will look at this message (request %(number)s).")
                % {"number": report.ticket_number},
            )
            return redirect("messaging:conversation", public_id=message.conversation.public_id)
    return render(request, "messaging/report.html", {"message": message, "form": form})


@login_required
def flagged(request: HttpRequest) -> HttpResponse:
    if not selectors.is_staff(request.user):
        raise Http404
    try:
        page = selectors.flagged_messages(cursor=request.GET.get("cursor"))
    except ApplicationError as exc:
        raise Http404 from exc
    return render(request, "messaging/flagged.html", {"page": page})
