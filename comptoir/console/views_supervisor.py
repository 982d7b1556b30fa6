"""Supervisor pages: live view of queues and agents, agents (teams, skills, languages, cap),
SLA policies, calendars and holidays, macros, a link to the taxonomy editor."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from comptoir.accounts.models import AgentProfile, User
from comptoir.core.errors import ApplicationError
from comptoir.core.pagination import InvalidCursor
from comptoir.tickets.models import BusinessCalendar, Macro, SlaPolicy

from . import selectors
from .access import supervisor_required
from .forms import AgentForm, CalendarForm, HolidayForm, MacroForm, SlaPolicyForm
from .models import SupervisorEdit
from .services import supervisor as sv
from .views import _nav, _taxonomy_url


def _ctx(request: HttpRequest, section: str, **extra: Any) -> dict[str, Any]:
    return {**_nav(request), "section": section, "taxonomy_url": _taxonomy_url(), **extra}


@supervisor_required
def overview(request: HttpRequest) -> HttpResponse:
    context = _ctx(
        request,
        "overview",
        teams=selectors.team_queue_counts(),
        agents=selectors.agents_live(),
    )
    template = (
        "console/sup/_live.html"
        if request.headers.get("HX-Request")
        else "console/sup/overview.html"
    )
    return render(request, template, context)


@supervisor_required
def agents(request: HttpRequest) -> HttpResponse:
    return render(
        request, "console/sup/agents.html", _ctx(request, "agents", agents=selectors.agents_live())
    )


@supervisor_required
def agent_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    agent = User.objects.filter(public_id=public_id).first()
    if agent is None or not agent.is_staff_member:
        raise Http404
    profile = AgentProfile.objects.filter(user=agent).first()
    if request.method == "POST":
        form = AgentForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic(durable=True):
                    sv.agent_update(
                        user=request.user,
                        agent=agent,
                        teams=list(data["teams"]),
                        languages=data["languages"],
                        skills=list(data["skills"]),
                        max_open_tickets=data["max_open_tickets"],
                    )
            except ApplicationError as exc:
                form.apply_error(exc)
            else:
                messages.success(request, _("Agent saved."))
                return redirect("console:sup_agents")
    else:
        form = AgentForm(
            initial={
                "teams": list(agent.teams.all()),
                "languages": profile.languages if profile else [],
                "skills": list(profile.skills.all()) if profile else [],
                "max_open_tickets": profile.max_open_tickets if profile else 25,
            }
        )
    return render(
        request,
        "console/sup/form.html",
        _ctx(request, "agents", form=form, heading=str(agent), back="console:sup_agents"),
    )


@supervisor_required
def sla(request: HttpRequest) -> HttpResponse:
    policies = list(
        SlaPolicy.objects.select_related("team", "calendar").order_by("team__code", "channel")
    )
    return render(request, "console/sup/sla.html", _ctx(request, "sla", policies=policies))


@supervisor_required
def sla_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    policy = SlaPolicy.objects.filter(pk=pk).first() if pk else None
    if pk and policy is None:
        raise Http404
    if request.method == "POST":
        form = SlaPolicyForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic(durable=True):
                    sv.sla_policy_save(user=request.user, policy=policy, **form.cleaned_data)
            except ApplicationError as exc:
                form.apply_error(exc)
            else:
                messages.success(request, _("SLA policy saved."))
                return redirect("console:sup_sla")
    else:
        initial = {}
        if policy is not None:
            initial = {f: getattr(policy, f) for f in SlaPolicyForm.base_fields}
        form = SlaPolicyForm(initial=initial)
    heading = _("SLA policy") if policy else _("New SLA policy")
    return render(
        request,
        "console/sup/form.html",
        _ctx(request, "sla", form=form, heading=heading, back="console:sup_sla"),
    )


@supervisor_required
def calendars(request: HttpRequest) -> HttpResponse:
    items = list(BusinessCalendar.objects.prefetch_related("holidays").order_by("code"))
    return render(
        request,
        "console/sup/calendars.html",
        _ctx(request, "calendars", calendars=items, holiday_form=HolidayForm()),
    )


@supervisor_required
def calendar_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    calendar = BusinessCalendar.objects.filter(code=code).first() if code else None
    if code and calendar is None:
        raise Http404
    if request.method == "POST":
        form = CalendarForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic(durable=True):
                    sv.calendar_save(user=request.user, calendar=calendar, **form.cleaned_data)
            except (ApplicationError, ValueError) as exc:
                form.add_error(None, getattr(exc, "message", str(exc)))
            else:
                messages.success(request, _("Calendar saved."))
                return redirect("console:sup_calendars")
    else:
        initial: dict[str, Any] = {"hours": {str(d): [["09:00", "18:00"]] for d in range(5)}}
        if calendar is not None:
            initial = {f: getattr(calendar, f) for f in CalendarForm.base_fields}
        form = CalendarForm(initial=initial)
    if calendar is not None:
        form.fields["code"].disabled = True
    heading = calendar.name if calendar else _("New calendar")
    return render(
        request,
        "console/sup/form.html",
        _ctx(request, "calendars", form=form, heading=heading, back="console:sup_calendars"),
    )


@supervisor_required
@require_POST
def holiday(request: HttpRequest, code: str) -> HttpResponse:
    calendar = BusinessCalendar.objects.filter(code=code).first()
    if calendar is None:
        raise Http404
    try:
        with transaction.atomic(durable=True):
            if request.POST.get("remove"):
                from django.utils.dateparse import parse_date

                day = parse_date(request.POST["remove"])
                if day is None:
                    raise Http404
                sv.holiday_remove(user=request.user, calendar=calendar, date=day)
                messages.success(request, _("Holiday removed."))
            else:
                form = HolidayForm(request.POST)
                if not form.is_valid():
                    messages.error(request, _("Give a date and a name."))
                    return redirect("console:sup_calendars")
                sv.holiday_add(user=request.user, calendar=calendar, **form.cleaned_data)
                messages.success(request, _("Holiday added."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("console:sup_calendars")


@supervisor_required
def macros(request: HttpRequest) -> HttpResponse:
    items = list(Macro.objects.select_related("team").order_by("code"))
    return render(request, "console/sup/macros.html", _ctx(request, "macros", macros=items))


@supervisor_required
def macro_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    macro = Macro.objects.filter(code=code).first() if code else None
    if code and macro is None:
        raise Http404
    if request.method == "POST":
        form = MacroForm(request.POST)
        if form.is_valid():
            try:
                with transaction.atomic(durable=True):
                    sv.macro_save(user=request.user, macro=macro, **form.cleaned_data)
            except ApplicationError as exc:
                form.apply_error(exc)
            else:
                messages.success(request, _("Macro saved."))
                return redirect("console:sup_macros")
    else:
        initial = (
            {f: getattr(macro, f) for f in MacroForm.base_fields} if macro else {"active": True}
        )
        form = MacroForm(initial=initial)
    if macro is not None:
        form.fields["code"].disabled = True
    heading = macro.code if macro else _("New macro")
    return render(
        request,
        "console/sup/form.html",
        _ctx(request, "macros", form=form, heading=heading, back="console:sup_macros"),
    )


@supervisor_required
def history(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", "")
    try:
        page = selectors.supervisor_edits(kind=kind, cursor=request.GET.get("cursor") or None)
    except InvalidCursor:
        return redirect(f"{request.path}?kind={kind}" if kind else request.path)
    return render(
        request,
        "console/sup/history.html",
        _ctx(request, "history", page=page, kind=kind, kinds=SupervisorEdit.Kind.choices),
    )
