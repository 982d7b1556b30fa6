"""Forms of the help center: the contact form after the menu, and the editors' forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.accounts.forms import BaseForm
from comptoir.core.order_numbers import format_order_number
from comptoir.intake.webform.forms import MultipleFileField, MultipleFileInput
from comptoir.taxonomy.enums import Resolution

from .enums import ArticleStatus


class MenuContactForm(BaseForm):
    """Signed-in customers: order picker (when the concern needs one), text, attachments."""

    order = forms.ChoiceField(label=_("Which order?"), required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    text = forms.CharField(
        label=_("Your message"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write a message.")},
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Photos (5 MB), videos (100 MB) or PDF (10 MB), up to 10 files."),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, orders: list[Any], needs_order: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["order"]
        field.required = needs_order and bool(orders)
        field.error_messages["required"] = _("Choose the order concerned.")
        empty = _("Choose…") if field.required else _("No order / not listed")
        field.choices = [("", empty)] + [
            (o.number, f"{format_order_number(o.number)} · {o.shop.name}") for o in orders
        ]
        if not orders:
            del self.fields["order"]


class AnonymousContactForm(BaseForm):
    """Visitors who are not signed in: their e-mail address is verified before anything is
    sent to customer service; an order number is linked only if it is theirs."""

    email = forms.EmailField(
        label=_("Your e-mail address"),
        help_text=_("We send you a link to confirm it; your request is sent once you open it."),
    )
    order_number = forms.CharField(
        label=_("Order number"),
        required=False,
        max_length=32,
        help_text=_("16 digits, as in 8012-3456-7890-1230."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    text = forms.CharField(
        label=_("Your message"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": _("Write a message.")},
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        widget=MultipleFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}
        ),
        help_text=_("Photos or PDF (5 MB each), up to 5 files."),
    )


class ArticleForm(BaseForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    node = forms.ChoiceField(label=_("Topic"), required=False)
    keywords = forms.CharField(
        label=_("Search keywords"),
        max_length=500,
        required=False,
        help_text=_("Words customers use, separated by commas."),
    )
    body_markdown = forms.CharField(
        label=_("Text (Markdown)"), widget=forms.Textarea(attrs={"rows": 18})
    )
    internal = forms.BooleanField(label=_("Internal only (staff)"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=ArticleStatus.choices)
    note = forms.CharField(label=_("Revision note"), max_length=200, required=False)

    def __init__(self, *args: Any, topics: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["node"]
        field.choices = [("", _("None"))] + topics


class NewArticleForm(ArticleForm):
    slug = forms.SlugField(label=_("Address (slug)"), max_length=120)
    language = forms.ChoiceField(
        label=_("Language"), choices=[("fr", "Français"), ("en", "English")]
    )

    field_order = ["slug", "language"]


BOOL_CHOICES = [("", _("Inherit")), ("yes", _("Yes")), ("no", _("No"))]


class NodeForm(BaseForm):
    label_fr = forms.CharField(label=_("Label (French)"), max_length=200)
    label_en = forms.CharField(label=_("Label (English)"), max_length=200)
    team = forms.ChoiceField(label=_("Team"), required=False)
    skill = forms.ChoiceField(label=_("Skill"), required=False)
    needs_order = forms.ChoiceField(label=_("Needs an order"), choices=BOOL_CHOICES, required=False)
    usual_resolution = forms.ChoiceField(label=_("Usual resolution"), required=False)
    restricted = forms.BooleanField(label=_("Restricted (staff only)"), required=False)

    def __init__(self, *args: Any, teams: list[Any], skills: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        team: Any = self.fields["team"]
        skill: Any = self.fields["skill"]
        resolution: Any = self.fields["usual_resolution"]
        team.choices = [("", _("Inherit"))] + [(t.code, str(t)) for t in teams]
        skill.choices = [("", _("Inherit"))] + [(s.code, str(s)) for s in skills]
        resolution.choices = [("", _("Inherit")), *Resolution.choices]


class NewNodeForm(NodeForm):
    pass
