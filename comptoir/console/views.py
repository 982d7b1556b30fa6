"""Console pages for agents: queues, bulk actions, the ticket view and its actions. Thin:
parse, call one service or selector, render or redirect."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_GET, require_POST

from comptoir.accounts.models import Team, User
from comptoir.core.errors import ApplicationError, Conflict, NotFound
from comptoir.core.uploads import UploadKind, upload_create
from comptoir.taxonomy.models import Node
from comptoir.tickets import services as desk
from comptoir.tickets.enums import Presence
from comptoir.tickets.models import Macro, Ticket

from . import selectors
from .access import staff_required
from .forms import NoteForm, QueueFilterForm, ReplyForm, staff_options
from .fragments import cached_fragment
from .queues import QUEUES, Who
from .services.desk import BULK_ACTIONS, console_bulk, console_presence, console_reply
from .timeline import customer_timeline

MAX_REPLY_FILES = 10


def _viewer(request: HttpRequest) -> selectors.Viewer:
    viewer = getattr(request, "_console_viewer", None)
    if viewer is None:
        viewer = selectors.console_viewer(request.user)
        request._console_viewer = viewer  # type: ignore[attr-defined]
    return viewer


def _who(request: HttpRequest) -> Who:
    return _viewer(request).who


def _nav(request: HttpRequest, current: str = "") -> dict[str, Any]:
    viewer = _viewer(request)
    counts = selectors.queue_counts(viewer.who)
    return {
        "queue_items": [(q, counts[q.code]) for q in QUEUES.values()],
        "counts": counts,
        "current_queue": current,
        "presence": viewer.presence,
        "presence_choices": Presence.choices,
        "is_supervisor": viewer.who.supervisor,
    }


def _node_choices() -> list[tuple[str, str]]:
    lang = get_language() or "fr"
    return [
        (n.code, ("— " * (n.level - 1)) + n.label(lang))
        for n in Node.objects.filter(retired_at__isnull=True, level__lte=2).order_by(
            "level", "position", "code"
        )
    ][:200]


FILTER_FIELDS = tuple(QueueFilterForm.base_fields)
FILTER_TTL = 60.0  # seconds; a taxonomy edit drops it at once in this process


def _filter_fields(request: HttpRequest) -> SafeString:
    """The filter form's fields as HTML, rendered once per language and submitted values."""
    data = request.GET
    key = ("filters", get_language(), tuple(data.get(name) for name in FILTER_FIELDS))

    def render_fields() -> str:
        form = QueueFilterForm(data or None, node_choices=_node_choices())
        return render_to_string("console/_queue_filters.html", {"form": form})

    return cached_fragment(key, FILTER_TTL, render_fields)


@staff_required
@require_GET
def queue(request: HttpRequest, code: str = "mine") -> HttpResponse:
    if code not in QUEUES:
        raise Http404
    form = QueueFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    filters = selectors.QueueFilters(
        **{k: data.get(k) or "" for k in selectors.QueueFilters.__dataclass_fields__}
    )
    sort = data.get("sort") or "due"
    try:
        page = selectors.queue_page(
            user=request.user,
            who=_who(request),
            queue=code,
            filters=filters,
            sort=sort,
            cursor=request.GET.get("cursor"),
        )
    except ApplicationError as exc:
        raise Http404 from exc
    params = request.GET.copy()
    params.pop("cursor", None)
    rows = {"page": page, "params": params.urlencode()}
    if request.headers.get("HX-Request") and request.GET.get("cursor"):
        return render(request, "console/_queue_rows.html", rows)  # the next rows only
    context = {
        **_nav(request, code),
        **rows,
        "queue": QUEUES[code],
        "filter_fields": _filter_fields(request),
        "filters": filters,
        "staff_options": staff_options(str(getattr(request.user, "public_id", ""))),
        "status_actions": [
            ("open", _("Open")),
            ("pend", _("Wait for the customer")),
            ("solve", _("Solve")),
        ],
    }
    return render(request, "console/queue.html", context)


@staff_required
@require_GET
def counts(request: HttpRequest) -> HttpResponse:
    return render(request, "console/_queue_nav.html", _nav(request, request.GET.get("q", "")))


@staff_required
@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    """Step 1 shows what will change (confirmation); step 2 does it and shows the summary."""
    numbers = request.POST.getlist("tickets")[:200]
    action = request.POST.get("action", "")
    value = request.POST.get(f"value_{action}", request.POST.get("value", "")).strip()
    back = request.POST.get("back") or reverse("console:home")
    if action not in BULK_ACTIONS or not numbers:
        messages.error(request, _("Select requests and an action."))
        return redirect(back)
    if request.POST.get("confirm") != "1":
        tickets = list(
            selectors.ticket_scope(request.user)
            .filter(number__in=[n.upper() for n in numbers])
            .select_related("assignee", "team")
            .order_by("pk")
        )
        assignee = User.objects.filter(public_id=value).first() if action == "assign" else None
        return render(
            request,
            "console/bulk_confirm.html",
            {
                **_nav(request),
                "tickets": tickets,
                "action": action,
                "value": value,
                "assignee": assignee,
                "back": back,
            },
        )
    try:
        with transaction.atomic(durable=True):
            result = console_bulk(user=request.user, numbers=numbers, action=action, value=value)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    return render(
        request, "console/bulk_result.html", {**_nav(request), "result": result, "back": back}
    )


@staff_required
@require_POST
def presence(request: HttpRequest) -> HttpResponse:
    try:
        with transaction.atomic(durable=True):
            console_presence(user=request.user, status=request.POST.get("status", ""))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect(request.POST.get("back") or reverse("console:home"))


# --- the ticket view ---------------------------------------------------------------------------


def _ticket(request: HttpRequest, number: str) -> Ticket:
    try:
        return selectors.console_ticket(user=request.user, number=number)
    except NotFound as exc:
        raise Http404 from exc


ACTION_LABELS = {
    "open": _lazy("Mark as open"),
    "pend": _lazy("Wait for the customer"),
    "solve": _lazy("Solve"),
    "reopen": _lazy("Reopen"),
    "close": _lazy("Close"),
}


def _ticket_context(request: HttpRequest, ticket: Ticket, **extra: Any) -> dict[str, Any]:
    workspace = selectors.ticket_workspace(user=request.user, ticket=ticket)
    return {
        "status_buttons": [
            (t.action.value, ACTION_LABELS[t.action.value]) for t in workspace.actions
        ],
        **_nav(request),
        "w": workspace,
        "ticket": ticket,
        "timeline": customer_timeline(user=request.user, ticket=ticket),
        "reply_form": extra.get("reply_form")
        or ReplyForm(initial={"last_seen": workspace.last_message_id}),
        "note_form": extra.get("note_form") or NoteForm(),
        "collision": extra.get("collision"),
        "taxonomy_url": _taxonomy_url(),
    }


def _taxonomy_url() -> str:
    from django.urls import NoReverseMatch

    try:
        return reverse("helpcenter:manage_taxonomy")
    except NoReverseMatch:
        return reverse("admin:index")


@staff_required
@require_GET
def ticket(request: HttpRequest, number: str) -> HttpResponse:
    found = _ticket(request, number)
    if found.merged_into_id is not None and request.GET.get("stay") != "1":
        messages.info(
            request, _("%(number)s was merged into this request.") % {"number": found.number}
        )
        return redirect("console:ticket", number=found.merged_into.number)  # type: ignore[union-attr]
    return render(request, "console/ticket.html", _ticket_context(request, found))


@staff_required
@require_GET
def conversation(request: HttpRequest, number: str) -> HttpResponse:
    """The conversation alone (htmx refresh after a live event)."""
    found = _ticket(request, number)
    return render(request, "console/_conversation.html", _ticket_context(request, found))


def _done(request: HttpRequest, ticket: Ticket, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("console:ticket", number=ticket.number)


def _refused(request: HttpRequest, ticket: Ticket, exc: ApplicationError) -> HttpResponse:
    messages.error(request, exc.message)
    return redirect("console:ticket", number=ticket.number)


@staff_required
@require_POST
def reply(request: HttpRequest, number: str) -> HttpResponse:
    found = _ticket(request, number)
    form = ReplyForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic(durable=True):
                files = request.FILES.getlist("attachments")[:MAX_REPLY_FILES]
                console_reply(
                    user=request.user,
                    ticket=found,
                    text=data["text"],
                    last_seen_message_id=data["last_seen"],
                    force=bool(data["force"]),
                    then=data["then"] or None,
                    attachments=[
                        upload_create(
                            owner=request.user, file=f, allowed_kinds=set(UploadKind.values)
                        )
                        for f in files
                    ],
                )
        except Conflict as exc:
            if exc.code != "reply_collision":
                form.add_error("text", exc.message)
            else:
                # Keep the text; show what arrived; the next send confirms.
                bound = ReplyForm(
                    initial={
                        "text": data["text"],
                        "last_seen": data["last_seen"],
                        "force": True,
                        "then": data["then"],
                    }
                )
                context = _ticket_context(request, found, reply_form=bound, collision=exc.details)
                return render(request, "console/ticket.html", context, status=409)
        except ApplicationError as exc:
            form.add_error("text", exc.message)
        else:
            then = data["then"]
            text = {
                "solve": _("Reply sent; the request is solved."),
                "pend": _("Reply sent; waiting for the customer."),
            }.get(then or "", _("Reply sent."))
            if then == "solve" and request.POST.get("next") == "queue":
                messages.success(request, text)
                return redirect("console:home")
            return _done(request, found, text)
    return render(
        request, "console/ticket.html", _ticket_context(request, found, reply_form=form), status=422
    )


@staff_required
@require_POST
def note(request: HttpRequest, number: str) -> HttpResponse:
    found = _ticket(request, number)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic(durable=True):
                desk.ticket_note(user=request.user, ticket=found, text=form.cleaned_data["text"])
        except ApplicationError as exc:
            form.add_error("text", exc.message)
        else:
            return _done(request, found, _("Note added."))
    return render(
        request, "console/ticket.html", _ticket_context(request, found, note_form=form), status=422
    )


@staff_required
@require_POST
def status(request: HttpRequest, number: str) -> HttpResponse:
    found = _ticket(request, number)
    try:
        with transaction.atomic(durable=True):
            desk.ticket_change_status(
                user=request.user, ticket=found, action=request.POST.get("action", "")
            )
    except ApplicationError as exc:
        return _refused(request, found, exc)
    return _done(request, found, _("Status changed."))


@staff_required
@require_POST
def assign(request: HttpRequest, number: str) -> HttpResponse:
    found = _ticket(request, number)
    who = request.POST.get("assignee", "")
    assignee = None
    if who == "me":
        assignee = request.user
    elif who:
        assignee = User.objects.filter(public_id=who, is_active=True).first()
        if assignee is None:
            raise Http404
    team_code = request.POST.get("team", "")
    team = Team.objects.filter(code=team_code).first() if team_code else None
    try:
        with transaction.atomic(durable=True):
            desk.ticket_assign(user=request.user, ticket=found, assignee=assignee, team=team)  # type: ignore[arg-type]
    except ApplicationError as exc:
        return _refused(request, found, exc)
    return _done(request, found, _("Assignment saved."))


@staff_required
@require_POST
def tags(request: HttpRequest, number: str) -> HttpResponse:
    found = _ticket(request, number)
    add = [t for t in request.POST.get("add", "").replace(",", " ").split() if t][:10]
    remove = request.POST.getlist("remove")[:10]
    try:
        with transaction.atomic(durable=True):
            desk.ticket_tag(user=request.user, ticket=found, add=add, remove=remove)
    except ApplicationError as exc:
        return _refused(request, found, exc)
    return _done(request, found, _("Tags saved."))


@staff_required
@require_POST
def link_order(request: HttpRequest, number: str) -> HttpResponse:
    found = _ticket(request, number)
    try:
        with transaction.atomic(durable=True):
            desk.ticket_link_order(
                user=request.user, ticket=found, order_number=request.POST.get("order") or None
            )
    except ApplicationError as exc:
        return _refused(request, found, exc)
    return _done(request, found, _("Order link saved."))


@staff_required
@require_GET
def macro_preview(request: HttpRequest, number: str) -> HttpResponse:
    found = _ticket(request, number)
    macro = (
        Macro.objects.filter(code=request.GET.get("macro", ""), active=True).first()
        if request.GET.get("macro")
        else None
    )
    if macro is None or macro not in selectors.macros_for(found):
        return HttpResponse("")
    text = desk.macro_render(macro=macro, ticket=found)
    return render(request, "console/_macro_preview.html", {"macro": macro, "text": text})


@staff_required
@require_GET
def merge_search(request: HttpRequest, number: str) -> HttpResponse:
    found = _ticket(request, number)
    candidates = selectors.merge_candidates(
        user=request.user, ticket=found, q=request.GET.get("q", "")[:100]
    )
    return render(
        request, "console/_merge_candidates.html", {"ticket": found, "candidates": candidates}
    )


@staff_required
def merge(request: HttpRequest, number: str) -> HttpResponse:
    """GET: preview (what moves where); POST: merge."""
    found = _ticket(request, number)
    target_number = (request.POST.get("target") or request.GET.get("target") or "").upper()
    try:
        target = selectors.merge_target(user=request.user, ticket=found, number=target_number)
    except NotFound as exc:
        raise Http404 from exc
    if request.method != "POST":
        return render(
            request,
            "console/merge_preview.html",
            {
                **_nav(request),
                "ticket": found,
                "target": target,
                "moving": found.messages.count(),
            },
        )
    try:
        with transaction.atomic(durable=True):
            desk.ticket_merge(user=request.user, source=found, target=target)
    except ApplicationError as exc:
        return _refused(request, found, exc)
    messages.success(
        request,
        _("%(source)s was merged into %(target)s.")
        % {"source": found.number, "target": target.number},
    )
    return redirect("console:ticket", number=target.number)
