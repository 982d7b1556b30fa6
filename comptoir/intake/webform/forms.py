"""The plain contact form (the Help center issue puts its menu and deflection in front of it)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.accounts.forms import BaseForm
from comptoir.core.order_numbers import format_order_number


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/*,video/*,application/pdf"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ContactForm(BaseForm):
    taxonomy = forms.ChoiceField(
        label=_("What is it about?"),
        error_messages={"required": _("Choose a topic."), "invalid_choice": _("Choose a topic.")},
    )
    order = forms.ChoiceField(
        label=_("Which order?"),
        required=False,
        help_text=_("Choose the order concerned, if any."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=200, required=False)
    text = forms.CharField(
        label=_("Your message"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 7}),
        error_messages={"required": _("Write a message.")},
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Photos (5 MB), videos (100 MB) or PDF (10 MB), up to 10 files."),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, topics: list[Any], orders: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        taxonomy: Any = self.fields["taxonomy"]
        order: Any = self.fields["order"]
        taxonomy.choices = [("", _("Choose…")), *topics]
        order.choices = [("", _("No order / not listed"))] + [
            (o.number, f"{format_order_number(o.number)} · {o.shop.name}") for o in orders
        ]
