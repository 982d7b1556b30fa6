"""Customer forms on a ticket page: reply and satisfaction."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.accounts.forms import BaseForm


class ReplyForm(BaseForm):
    text = forms.CharField(
        label=_("Your reply"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write a message.")},
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)


class CsatForm(BaseForm):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with our answer?"),
        coerce=int,
        choices=[(5, "5"), (4, "4"), (3, "3"), (2, "2"), (1, "1")],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a rating from 1 to 5.")},
    )
    comment = forms.CharField(
        label=_("Anything to add?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
