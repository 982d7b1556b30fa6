"""The "Ouvrir un litige" form and the action form (parse only; the services decide)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import DisputeReason, DisputeRequest, Outcome


class OpenForm(forms.Form):
    lines = forms.TypedMultipleChoiceField(
        label=_("Which items?"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.ChoiceField(label=_("What happened?"), choices=DisputeReason.choices)
    request = forms.ChoiceField(
        label=_("What do you ask for?"),
        choices=DisputeRequest.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Refund: when the item was not received, the full amount; otherwise keep the item "
            "and choose an amount up to its price. Return and refund: send the item back "
            "(the seller pays return shipping) for a full refund."
        ),
    )
    amount = forms.DecimalField(
        label=_("Amount asked (refund, item received)"),
        required=False,
        min_value=0,
        decimal_places=2,
    )
    description = forms.CharField(
        label=_("Describe the problem"), widget=forms.Textarea, max_length=5000
    )
    evidence = forms.FileField(
        label=_("Photo or video of the item (required when received)"), required=False
    )

    def __init__(
        self, *args: object, line_choices: list[tuple[int, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["lines"].choices = line_choices  # type: ignore[attr-defined]


class ActionForm(forms.Form):
    message = forms.CharField(required=False, max_length=5000)
    outcome = forms.ChoiceField(required=False, choices=[("", "")] + list(Outcome.choices))
    amount = forms.DecimalField(required=False, min_value=0, decimal_places=2)
    request = forms.ChoiceField(required=False, choices=[("", "")] + list(DisputeRequest.choices))
