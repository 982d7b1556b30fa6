"""Console forms: they parse and shape input; the services validate and write."""

from __future__ import annotations

import functools
from html import escape  # what django.utils.html.escape does, without its wrappers
from typing import Any

from django import forms
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from comptoir.accounts.enums import Language
from comptoir.accounts.forms import AccessibleFormMixin
from comptoir.accounts.models import Skill, Team, User
from comptoir.tickets.enums import Channel, SlaState, TicketStatus
from comptoir.tickets.models import BusinessCalendar


def _str(choices: object) -> list[tuple[str, str]]:
    return [(str(value), str(label)) for value, label in choices]  # type: ignore[attr-defined]


def _blank(choices: list[tuple[str, str]], label: str) -> list[tuple[str, str]]:
    return [("", label), *choices]


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    language = forms.ChoiceField(label=_("Language"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    sla_state = forms.ChoiceField(label=_("SLA"), required=False)
    node = forms.CharField(label=_("Topic"), required=False, max_length=160)
    tag = forms.CharField(label=_("Tag"), required=False, max_length=60)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[("due", _("SLA due time")), ("recent", _("Latest activity"))],
    )

    def __init__(
        self, *args: object, node_choices: list[tuple[str, str]] | None = None, **kwargs: object
    ):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        choices = _filter_choices(get_language() or "")
        for name in ("channel", "language", "status", "sla_state"):
            self.fields[name].choices = choices[name]  # type: ignore[attr-defined]
        # Topics are only listed when the form is shown (the field itself is free text).
        self.fields["node"].widget = forms.Select(
            choices=_blank(node_choices or [], choices["any"])
        )


@functools.lru_cache(maxsize=16)
def _filter_choices(language: str) -> dict[str, Any]:
    """The filter form's fixed choices in ``language`` (the active one), built once each."""
    any_ = str(_("Any"))
    return {
        "any": any_,
        "channel": _blank(_str(Channel.choices), any_),
        "language": _blank(_str(Language.choices), any_),
        "status": _blank(
            [
                (s, str(label))
                for s, label in TicketStatus.choices
                if s in ("new", "open", "pending")
            ],
            any_,
        ),
        "sla_state": _blank(_str(SlaState.choices), any_),
    }


class ReplyForm(AccessibleFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Reply"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20_000
    )
    last_seen = forms.IntegerField(widget=forms.HiddenInput, min_value=0)
    force = forms.BooleanField(required=False, widget=forms.HiddenInput)
    then = forms.ChoiceField(
        required=False,
        choices=[("", ""), ("pend", "pend"), ("solve", "solve")],
        widget=forms.HiddenInput,
    )


class NoteForm(AccessibleFormMixin, forms.Form):
    text = forms.CharField(
        label=_("Internal note"), widget=forms.Textarea(attrs={"rows": 4}), max_length=20_000
    )


class AgentForm(AccessibleFormMixin, forms.Form):
    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"),
        queryset=Team.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    skills = forms.ModelMultipleChoiceField(
        label=_("Skills"),
        queryset=Skill.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    max_open_tickets = forms.IntegerField(label=_("Open-ticket cap"), min_value=1, max_value=500)


class SlaPolicyForm(AccessibleFormMixin, forms.Form):
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.order_by("code"),
        required=False,
        empty_label=_("Every team"),
    )
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    calendar = forms.ModelChoiceField(
        label=_("Calendar"), queryset=BusinessCalendar.objects.order_by("code")
    )
    first_response_minutes = forms.IntegerField(
        label=_("First response (business minutes)"), min_value=1
    )
    next_response_minutes = forms.IntegerField(
        label=_("Next response (business minutes)"), min_value=1
    )
    resolution_minutes = forms.IntegerField(label=_("Resolution (business minutes)"), min_value=1)
    warn_before_minutes = forms.IntegerField(label=_("Warn before (minutes)"), min_value=0)

    def __init__(self, *args: object, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["channel"].choices = _blank(  # type: ignore[attr-defined]
            _str(Channel.choices), str(_("Every channel"))
        )


class CalendarForm(AccessibleFormMixin, forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=60)
    name = forms.CharField(label=_("Name"), max_length=120)
    timezone = forms.CharField(label=_("Time zone"), max_length=60, initial="Europe/Paris")
    hours = forms.JSONField(
        label=_("Opening hours"),
        help_text=_('Weekday (Monday = 0) → intervals, e.g. {"0": [["09:00", "18:00"]]}'),
        widget=forms.Textarea(attrs={"rows": 4, "class": "mono"}),
    )


class HolidayForm(AccessibleFormMixin, forms.Form):
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    name = forms.CharField(label=_("Name"), max_length=120)


class MacroForm(AccessibleFormMixin, forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=80)
    title_fr = forms.CharField(label=_("Title (French)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200)
    body_fr = forms.CharField(label=_("Text (French)"), widget=forms.Textarea(attrs={"rows": 6}))
    body_en = forms.CharField(label=_("Text (English)"), widget=forms.Textarea(attrs={"rows": 6}))
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.order_by("code"),
        required=False,
        empty_label=_("Every team"),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)


def staff_choices() -> list[tuple[str, str]]:
    """Active staff as (public id, name): ``str(user)`` without building users."""
    rows = (
        User.objects.filter(is_active=True, role__in=["agent", "supervisor", "officer"])
        .order_by("full_name", "email")
        .values_list("public_id", "full_name", "email")[:300]
    )
    return [(public_id, full_name or email) for public_id, full_name, email in rows]


def staff_options(selected: str) -> SafeString:
    """``staff_choices()`` as ``<option>`` elements, ``selected`` marked (the bulk bar lists
    every agent: built here in one pass rather than by a template loop)."""
    return mark_safe(  # every value and label is escaped here
        "".join(
            f'<option value="{escape(value)}"{" selected" if value == selected else ""}>'
            f"{escape(label)}</option>"
            for value, label in staff_choices()
        )
    )
