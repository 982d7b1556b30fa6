"""The forms of the dispute and return pages (parse only; the services decide)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .enums import DisputeReason, DisputeRequest, Outcome

REASON_HELP = {
    DisputeReason.NOT_RECEIVED: _(
        "The parcel never arrived. From the promised delivery date (earlier if the carrier "
        "reports it lost or returned); you ask for the full amount of the items."
    ),
    DisputeReason.DAMAGED: _("The item or its packaging arrived broken."),
    DisputeReason.WRONG_ITEM: _("Another product, size, colour or quantity than ordered."),
    DisputeReason.NOT_AS_DESCRIBED: _("Material, size, colour or quality differ from the page."),
    DisputeReason.DEFECTIVE: _("It does not work, or stopped working."),
    DisputeReason.EMPTY_PARCEL: _("The box was empty or only partly filled."),
}
REQUEST_HELP = {
    DisputeRequest.REFUND: _(
        "Keep the item and get money back: any amount up to the items' price (the full amount "
        "when the parcel was not received)."
    ),
    DisputeRequest.RETURN_AND_REFUND: _(
        "Send the item back and get 100 % of its price. The seller pays return shipping: "
        "declare your postage with the receipt when you ship."
    ),
}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (at most ``max_files``)."""

    def __init__(self, *args: Any, max_files: int = 10, **kwargs: Any) -> None:
        self.max_files = max_files
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        cleaned = [single(f, initial) for f in files if f]
        if len(cleaned) > self.max_files:
            raise forms.ValidationError(
                _("At most %(n)d files.") % {"n": self.max_files}, code="too_many"
            )
        if self.required and not cleaned:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return cleaned


class OpenForm(forms.Form):
    lines = forms.TypedMultipleChoiceField(
        label=_("Which items?"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    reason = forms.ChoiceField(
        label=_("What happened?"), choices=DisputeReason.choices, widget=forms.RadioSelect
    )
    request = forms.ChoiceField(
        label=_("What do you ask for?"), choices=DisputeRequest.choices, widget=forms.RadioSelect
    )
    amount = forms.DecimalField(
        label=_("Amount you ask for"),
        required=False,
        min_value=0,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    description = forms.CharField(
        label=_("Describe the problem"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )
    evidence = MultipleFileField(
        label=_("Photos, videos or documents"),
        help_text=_(
            "Required when you received the item: at least one photo or video. Images up to "
            "5 MB, videos up to 100 MB, PDF up to 10 MB, 10 files at most."
        ),
    )
    messages = forms.MultipleChoiceField(
        label=_("Messages with the seller to attach"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self,
        *args: Any,
        line_choices: list[tuple[int, str]],
        message_choices: list[tuple[str, str]] = (),  # type: ignore[assignment]
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lines"].choices = line_choices  # type: ignore[attr-defined]
        self.fields["messages"].choices = list(message_choices)  # type: ignore[attr-defined]


DECISION_OUTCOMES: list[tuple[str, Any]] = [
    (Outcome.FULL_REFUND, Outcome.FULL_REFUND.label),
    (Outcome.PARTIAL_REFUND, Outcome.PARTIAL_REFUND.label),
    (Outcome.RETURN_AND_REFUND, Outcome.RETURN_AND_REFUND.label),
    (Outcome.NO_REFUND, Outcome.NO_REFUND.label),
]
COUNTER_OUTCOMES: list[tuple[str, Any]] = [
    (Outcome.PARTIAL_REFUND, _("Offer a partial refund")),
    (Outcome.RETURN_AND_REFUND, _("Offer a return and refund")),
    (Outcome.NO_REFUND, _("No refund")),
]
PARTIES: list[tuple[str, Any]] = [("buyer", _("The buyer")), ("seller", _("The seller"))]


class ActionForm(forms.Form):
    """Every field any dispute action may need; each action reads its own."""

    message = forms.CharField(required=False, max_length=5000)
    outcome = forms.ChoiceField(required=False, choices=[("", "")] + DECISION_OUTCOMES)
    amount = forms.DecimalField(required=False, min_value=0, decimal_places=2)
    request = forms.ChoiceField(required=False, choices=[("", ""), *DisputeRequest.choices])
    party = forms.ChoiceField(required=False, choices=[("", "")] + PARTIES)
    evidence = MultipleFileField(label=_("Files"))
    messages = forms.MultipleChoiceField(required=False, choices=[])
    confirm = forms.CharField(required=False)

    def __init__(self, *args: Any, message_choices: list[tuple[str, str]] = (), **kwargs: Any):  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["messages"].choices = list(message_choices)  # type: ignore[attr-defined]


class ReturnRequestForm(forms.Form):
    """A change-of-mind return request from the order page."""

    lines = forms.TypedMultipleChoiceField(
        label=_("Which items do you send back?"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    unused = forms.BooleanField(
        label=_("The items are unused, complete, in their packaging"), required=True
    )
    note = forms.CharField(
        label=pgettext_lazy("return form", "Note for the seller (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, line_choices: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lines"].choices = line_choices  # type: ignore[attr-defined]


class ReturnAddressForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    line1 = forms.CharField(label=_("Address"), max_length=200)
    line2 = forms.CharField(label=_("Address (continued)"), max_length=200, required=False)
    postal_code = forms.CharField(label=_("Postal code"), max_length=12)
    city = forms.CharField(label=_("City"), max_length=80)
    country = forms.CharField(label=_("Country (2 letters)"), max_length=2, initial="FR")


class ReturnShipForm(forms.Form):
    carrier = forms.ChoiceField(label=_("Carrier"), choices=[])
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=40)
    postage = forms.DecimalField(
        label=_("Postage paid (refunded when the seller pays return shipping)"),
        required=False,
        min_value=0,
        decimal_places=2,
    )
    postage_receipt = forms.FileField(label=_("Postage receipt (photo or PDF)"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from comptoir.orders.carriers import carrier_choices

        super().__init__(*args, **kwargs)
        self.fields["carrier"].choices = carrier_choices()  # type: ignore[attr-defined]
