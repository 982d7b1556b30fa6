"""Forms of messaging: parse and shape input; the services validate and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from comptoir.accounts.forms import BaseForm
from comptoir.core.ids import new_token

from .safety import MAX_TEXT


class MessageForm(BaseForm):
    text = forms.CharField(
        label=_("Your message"),
        required=False,
        max_length=MAX_TEXT,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": MAX_TEXT}),
    )
    attachment = forms.FileField(
        label=_("Attach a photo or a PDF (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,.pdf"}),
    )
    client_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    @staticmethod
    def fresh() -> MessageForm:
        return MessageForm(initial={"client_key": new_token(18)})


class ReportForm(BaseForm):
    reason = forms.CharField(
        label=_("Why do you report this message?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Our team reads every report. Never pay outside the marketplace."),
    )
