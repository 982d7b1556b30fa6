"""Help-center pages: home, category, article (feedback, related, contact button), search,
"Contact us", and the three-level contact menu with deflection before the form."""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from comptoir.core.errors import ApplicationError, NotFound
from comptoir.core.ids import new_token
from comptoir.core.pagination import InvalidCursor
from comptoir.core.uploads import UploadKind, upload_create
from comptoir.orders.selectors import order_list_for_buyer
from comptoir.taxonomy.selectors import effective_settings, node_get, node_tree
from comptoir.tickets.enums import Channel
from comptoir.tickets.services import InboundMessage, intake_receive

from . import selectors, services
from .contact import contact_channels
from .forms import AnonymousContactForm, MenuContactForm

ATTACHMENT_KINDS: set[str] = {UploadKind.IMAGE, UploadKind.VIDEO, UploadKind.PDF}


def _lang(request: HttpRequest) -> str:
    asked = request.GET.get("lang", "")
    if asked in ("fr", "en"):
        return asked
    active = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return active if active in ("fr", "en") else "fr"


def home(request: HttpRequest) -> HttpResponse:
    language = _lang(request)
    categories = selectors.help_home(user=request.user, language=language)
    return render(request, "helpcenter/home.html", {"categories": categories})


def category(request: HttpRequest, code: str) -> HttpResponse:
    try:
        page = selectors.help_category(user=request.user, language=_lang(request), code=code)
    except NotFound as exc:
        raise Http404 from exc
    return render(request, "helpcenter/category.html", {"page": page})


def _voter(request: HttpRequest) -> str:
    user: Any = request.user
    if user.is_authenticated:
        return f"u:{user.pk}"
    if not request.session.session_key:
        request.session.save()
    key = request.session.session_key or ""
    return "s:" + hashlib.sha256(key.encode()).hexdigest()[:40]


def article(request: HttpRequest, slug: str) -> HttpResponse:
    language = _lang(request)
    try:
        found = selectors.article_get(user=request.user, slug=slug, language=language)
    except NotFound as exc:
        raise Http404 from exc
    context = {
        "article": found,
        "related": selectors.article_related(user=request.user, article=found),
        "translations": selectors.article_translations(user=request.user, article=found),
        "category": node_tree_path(found, language),
        "voted": request.session.get(f"help-vote-{found.pk}"),
    }
    return render(request, "helpcenter/article.html", context)


def node_tree_path(found: Any, language: str) -> list[tuple[str, str]]:
    """(code, label) of the article's category and sub-category, for the breadcrumbs."""
    path: list[tuple[str, str]] = []
    node = found.node
    while node is not None:
        path.insert(0, (node.code, node.label(language)))
        node = node.parent
    return path[:2]


@require_POST
def feedback(request: HttpRequest, slug: str) -> HttpResponse:
    language = _lang(request)
    try:
        found = selectors.article_get(user=request.user, slug=slug, language=language)
    except NotFound as exc:
        raise Http404 from exc
    helpful = request.POST.get("helpful") == "yes"
    with transaction.atomic(durable=True):
        services.feedback_record(article=found, voter=_voter(request), helpful=helpful)
    request.session[f"help-vote-{found.pk}"] = "yes" if helpful else "no"
    context = {"article": found, "voted": "yes" if helpful else "no"}
    if request.headers.get("HX-Request"):
        return render(request, "helpcenter/_feedback.html", context)
    messages.success(request, _("Thank you for your feedback."))
    return redirect(reverse("helpcenter:article", args=[slug]) + f"?lang={language}#feedback")


SEARCH_PAGE_SIZE = 10


def _start(request: HttpRequest) -> int:
    """The rank of a page's first result (display only: the cursor says where the page is)."""
    try:
        return max(1, min(int(request.GET.get("start", "1")), 100_000))
    except ValueError:
        return 1


def search(request: HttpRequest) -> HttpResponse:
    """Results ``SEARCH_PAGE_SIZE`` at a time; "More results" carries the API's keyset cursor
    (a plain link without JavaScript). A cursor that is forged, stale or of another query
    gives the first page again, with a note."""
    language = _lang(request)
    query = request.GET.get("q", "").strip()[:200]
    cursor = request.GET.get("cursor", "").strip()[:500] or None
    start, cursor_refused = (_start(request) if cursor else 1), False
    result = None
    if query:
        try:
            result = selectors.article_search(
                user=request.user,
                query=query,
                language=language,
                limit=SEARCH_PAGE_SIZE,
                cursor=cursor,
            )
        except InvalidCursor:
            cursor_refused, start = True, 1
            result = selectors.article_search(
                user=request.user, query=query, language=language, limit=SEARCH_PAGE_SIZE
            )
    template = (
        "helpcenter/_results.html"
        if request.headers.get("HX-Request")
        else "helpcenter/search.html"
    )
    context = {
        "query": query,
        "result": result,
        "language": language,
        "start": start,
        "next_start": start + len(result.hits) if result else 1,
        "cursor_refused": cursor_refused,
    }
    return render(request, template, context)


def contact_us(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "helpcenter/contact_us.html",
        {"channels": contact_channels(language=_lang(request))},
    )


# --- the contact menu ------------------------------------------------------------------------------


def _menu_state(request: HttpRequest, language: str) -> dict[str, Any]:
    tree = node_tree(language=language, include_retired=False, include_restricted=False)
    chosen = {
        "c": request.GET.get("c", ""),
        "s": request.GET.get("s", ""),
        "n": request.GET.get("n", ""),
    }
    # A deeper choice implies the levels above it.
    if chosen["n"]:
        parts = chosen["n"].split(".")
        chosen["c"], chosen["s"] = parts[0], ".".join(parts[:2])
    elif chosen["s"]:
        chosen["c"] = chosen["s"].split(".")[0]
    category = next((c for c in tree if c.code == chosen["c"]), None)
    sub = next((s for s in category.children if s.code == chosen["s"]), None) if category else None
    concern = None
    if sub is not None:
        if chosen["n"]:
            concern = next((n for n in sub.children if n.code == chosen["n"]), None)
        elif sub.is_leaf:
            concern = sub
    return {"tree": tree, "category": category, "sub": sub, "concern": concern}


def contact(request: HttpRequest) -> HttpResponse:
    """Step by step: category → sub-category → concern → suggested articles. Plain links work
    without JavaScript; htmx swaps only the menu."""
    language = _lang(request)
    state = _menu_state(request, language)
    if state["concern"] is not None:
        node = node_get(code=state["concern"].code, include_retired=False)
        state["suggestions"] = selectors.suggestions_for_node(
            user=request.user, node=node, language=language
        )
    template = (
        "helpcenter/_menu.html" if request.headers.get("HX-Request") else "helpcenter/contact.html"
    )
    return render(request, template, state)


def _offered_node(code: str) -> Any:
    try:
        node = node_get(code=code, include_retired=False)
    except NotFound as exc:
        raise Http404 from exc
    settings_ = effective_settings(node)
    if settings_.restricted or node.level == 1 or (node.level == 2 and node.children.exists()):
        raise Http404
    return node, settings_


@require_POST
def solved(request: HttpRequest) -> HttpResponse:
    node, _settings = _offered_node(request.POST.get("node", ""))
    language = _lang(request)
    article = None
    slug = request.POST.get("article", "")
    if slug:
        try:
            article = selectors.article_get(user=request.user, slug=slug, language=language)
        except NotFound:
            article = None
    with transaction.atomic(durable=True):
        services.deflection_record(node=node, language=language, user=request.user, article=article)
    return render(request, "helpcenter/solved.html", {"node": node})


@require_http_methods(["GET", "POST"])
def contact_form(request: HttpRequest, code: str) -> HttpResponse:
    node, node_settings = _offered_node(code)
    language = _lang(request)
    user: Any = request.user
    context: dict[str, Any] = {
        "node": node,
        "node_label": _node_label(node, language),
        "needs_order": node_settings.needs_order,
    }
    if not user.is_authenticated:
        return _anonymous_form(request, node, language, context)
    orders = order_list_for_buyer(user=user, limit=20).items
    if request.method == "POST":
        form = MenuContactForm(
            request.POST, request.FILES, orders=orders, needs_order=node_settings.needs_order
        )
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
                            node_code=node.code,
                            order_number=data.get("order") or None,
                            attachments=uploads,
                            language_hint=language,
                        )
                    )
            except ApplicationError as exc:
                form.apply_error(exc)
            else:
                messages.success(
                    request,
                    _("Your request %(number)s was sent.") % {"number": result.ticket.number},
                )
                return redirect("tickets:detail", number=result.ticket.number)
    else:
        initial = {"idempotency_key": new_token(18), "order": request.GET.get("order", "")}
        form = MenuContactForm(
            initial=initial, orders=orders, needs_order=node_settings.needs_order
        )
    context["form"] = form
    return render(request, "helpcenter/contact_form.html", context)


def _node_label(node: Any, language: str) -> str:
    labels: list[str] = []
    current = node
    while current is not None:
        labels.insert(0, current.label(language))
        current = current.parent
    return " › ".join(labels)


def _anonymous_form(
    request: HttpRequest, node: Any, language: str, context: dict[str, Any]
) -> HttpResponse:
    if request.method == "POST":
        form = AnonymousContactForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic(durable=True):
                    services.pending_request_create(
                        email=data["email"],
                        node_code=node.code,
                        text=data["text"],
                        subject=data["subject"],
                        order_number=data["order_number"],
                        language=language,
                        attachments=data["attachments"],
                    )
            except ApplicationError as exc:
                form.apply_error(exc)
            else:
                return render(request, "helpcenter/check_email.html", {"email": data["email"]})
    else:
        form = AnonymousContactForm()
    context["form"] = form
    context["anonymous"] = True
    return render(request, "helpcenter/contact_form.html", context)


def verify(request: HttpRequest, token: str) -> HttpResponse:
    try:
        with transaction.atomic(durable=True):
            number = services.pending_request_verify(token=token)
    except NotFound as exc:
        raise Http404 from exc
    return render(request, "helpcenter/verified.html", {"number": number})
