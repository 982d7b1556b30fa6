from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class PayoutForm(forms.Form):
    amount = forms.CharField(label=_("Amount to pay out"), max_length=20)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
