"""The supervisors' pages: article editor (drafts, publication, internal flag, revisions) and
taxonomy editor (labels, per-node settings, add, retire). Everyone else gets a 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from comptoir.accounts.models import Skill, Team
from comptoir.core.errors import ApplicationError, NotFound
from comptoir.taxonomy.models import Node
from comptoir.taxonomy.selectors import leaf_choices, node_get, node_tree
from comptoir.taxonomy.services import node_create, node_retire, node_update

from . import selectors, services
from .enums import ArticleStatus
from .forms import ArticleForm, NewArticleForm, NewNodeForm, NodeForm


def editor_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not selectors.is_editor(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _topics(language: str) -> list[Any]:
    groups = leaf_choices(language=language, include_restricted=True)
    tree = node_tree(language=language, include_retired=False)
    subs = [(s.code, f"{c.label} › {s.label}") for c in tree for s in c.children]
    return [*groups, (_("Sub-categories"), subs)]


def _node(code: str) -> Node | None:
    return node_get(code=code) if code else None


@editor_only
def articles(request: HttpRequest) -> HttpResponse:
    language = request.GET.get("language") or None
    rows = selectors.editor_articles(language=language)
    return render(
        request, "helpcenter/manage/articles.html", {"articles": rows, "language": language}
    )


@editor_only
@require_http_methods(["GET", "POST"])
def article_new(request: HttpRequest) -> HttpResponse:
    topics = _topics(request.LANGUAGE_CODE)
    form = NewArticleForm(request.POST or None, topics=topics, initial={"status": "draft"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic(durable=True):
                created = services.article_create(
                    slug=data["slug"],
                    language=data["language"],
                    title=data["title"],
                    body_markdown=data["body_markdown"],
                    keywords=data["keywords"],
                    node=_node(data["node"]),
                    internal=data["internal"],
                    publish=data["status"] == ArticleStatus.PUBLISHED,
                    actor=request.user,
                )
        except ApplicationError as exc:
            form.apply_error(exc)
        else:
            messages.success(request, _("Article saved."))
            return redirect(
                "helpcenter:manage_article", language=created.language, slug=created.slug
            )
    return render(request, "helpcenter/manage/article_edit.html", {"form": form, "article": None})


@editor_only
@require_http_methods(["GET", "POST"])
def article_edit(request: HttpRequest, language: str, slug: str) -> HttpResponse:
    try:
        found = selectors.editor_article(slug=slug, language=language)
    except NotFound as exc:
        raise Http404 from exc
    initial = {
        "title": found.title,
        "node": found.node.code if found.node else "",
        "keywords": found.keywords,
        "body_markdown": found.body_markdown,
        "internal": found.internal,
        "status": found.status,
    }
    form = ArticleForm(request.POST or None, topics=_topics(language), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic(durable=True):
                services.article_update(
                    article=found,
                    actor=request.user,
                    title=data["title"],
                    body_markdown=data["body_markdown"],
                    keywords=data["keywords"],
                    node=_node(data["node"]),
                    internal=data["internal"],
                    status=data["status"],
                    note=data["note"],
                )
        except ApplicationError as exc:
            form.apply_error(exc)
        else:
            messages.success(request, _("Article saved."))
            return redirect("helpcenter:manage_article", language=language, slug=slug)
    revisions = found.revisions.select_related("actor")[:30]
    return render(
        request,
        "helpcenter/manage/article_edit.html",
        {"form": form, "article": found, "revisions": revisions},
    )


@editor_only
def taxonomy(request: HttpRequest) -> HttpResponse:
    tree = node_tree(language=request.LANGUAGE_CODE, include_retired=True)
    return render(request, "helpcenter/manage/taxonomy.html", {"tree": tree})


def _node_form_kwargs() -> dict[str, Any]:
    return {"teams": list(Team.objects.order_by("code")), "skills": list(Skill.objects.all())}


def _settings_from(data: dict[str, Any], level: int) -> tuple[dict[str, Any], list[str]]:
    values: dict[str, Any] = {}
    inherit: list[str] = []
    team = Team.objects.filter(code=data["team"]).first() if data["team"] else None
    skill = Skill.objects.filter(code=data["skill"]).first() if data["skill"] else None
    needs = {"yes": True, "no": False}.get(data["needs_order"] or "")
    pairs = {
        "team": team,
        "skill": skill,
        "needs_order": needs,
        "usual_resolution": data["usual_resolution"] or None,
    }
    for name, value in pairs.items():
        if value is not None:
            values[name] = value
        elif level == 3:
            inherit.append(name)
    return values, inherit


@editor_only
@require_http_methods(["GET", "POST"])
def node_edit(request: HttpRequest, code: str) -> HttpResponse:
    try:
        node = node_get(code=code)
    except NotFound as exc:
        raise Http404 from exc
    initial = {
        "label_fr": node.label_fr,
        "label_en": node.label_en,
        "team": node.team.code if node.team else "",
        "skill": node.skill.code if node.skill else "",
        "needs_order": {True: "yes", False: "no"}.get(node.needs_order, "")
        if node.needs_order is not None
        else "",
        "usual_resolution": node.usual_resolution or "",
        "restricted": node.restricted,
    }
    form = NodeForm(request.POST or None, initial=initial, **_node_form_kwargs())
    if request.method == "POST" and form.is_valid() and not node.is_retired:
        data = form.cleaned_data
        values, inherit = _settings_from(data, node.level)
        try:
            with transaction.atomic(durable=True):
                node_update(
                    node=node,
                    actor=request.user,  # type: ignore[arg-type]
                    label_fr=data["label_fr"],
                    label_en=data["label_en"],
                    restricted=data["restricted"],
                    inherit=inherit if node.level == 3 else (),
                    **(values if node.level > 1 else {}),
                )
        except ApplicationError as exc:
            form.apply_error(exc)
        else:
            messages.success(request, _("Topic saved. Its code does not change."))
            return redirect("helpcenter:manage_node", code=code)
    changes = node.changes.select_related("actor")[:20]
    add_form = (
        NewNodeForm(**_node_form_kwargs()) if node.level < 3 and not node.is_retired else None
    )
    return render(
        request,
        "helpcenter/manage/node_edit.html",
        {"node": node, "form": form, "changes": changes, "add_form": add_form},
    )


@editor_only
@require_POST
def node_add(request: HttpRequest, code: str) -> HttpResponse:
    parent = node_get(code=code) if code != "-" else None
    form = NewNodeForm(request.POST, **_node_form_kwargs())
    if form.is_valid():
        data = form.cleaned_data
        level = 1 if parent is None else parent.level + 1
        values, _inherit = _settings_from(data, level)
        try:
            with transaction.atomic(durable=True):
                created = node_create(
                    parent=parent,
                    label_fr=data["label_fr"],
                    label_en=data["label_en"],
                    actor=request.user,  # type: ignore[arg-type]
                    restricted=data["restricted"],
                    **(values if level > 1 else {}),
                )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Topic %(code)s added.") % {"code": created.code})
            return redirect("helpcenter:manage_node", code=created.code)
    else:
        messages.error(request, _("Check the new topic's labels."))
    return (
        redirect("helpcenter:manage_node", code=code)
        if parent
        else redirect("helpcenter:manage_taxonomy")
    )


@editor_only
@require_POST
def node_retire_view(request: HttpRequest, code: str) -> HttpResponse:
    try:
        node = node_get(code=code)
    except NotFound as exc:
        raise Http404 from exc
    with transaction.atomic(durable=True):
        node_retire(node=node, actor=request.user)  # type: ignore[arg-type]
    messages.success(request, _("Topic retired: it is no longer offered; past requests keep it."))
    return redirect("helpcenter:manage_node", code=code)
