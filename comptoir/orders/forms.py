"""Page forms: parse and show errors; the rules live in the services (shared with the API)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from comptoir.core import clock

from . import conf
from .carriers import carrier_choices
from .services import ShippingAddress, address_errors
from .services.checkout import COUNTRIES
from .services.orders import normalise_tracking_number, validate_shipping


class CheckoutForm(forms.Form):
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1)
    name = forms.CharField(
        label=_("Full name of the recipient"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "shipping name"}),
    )
    line1 = forms.CharField(
        label=_("Address"),
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "shipping address-line1"}),
    )
    line2 = forms.CharField(
        label=_("Apartment, building, floor"),
        max_length=120,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "shipping address-line2"}),
    )
    postal_code = forms.CharField(
        label=_("Postal code"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "shipping postal-code"}),
    )
    city = forms.CharField(
        label=_("City"),
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "shipping address-level2"}),
    )
    country = forms.ChoiceField(
        label=_("Country"),
        choices=[],
        initial="FR",
        widget=forms.Select(attrs={"autocomplete": "shipping country"}),
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=25,
        required=False,
        help_text=_("For the carrier, if they need to reach you."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )
    checkout_key = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit = conf.max_quantity()
        self.fields["quantity"].validators.append(MaxValueValidator(limit))
        self.fields["quantity"].widget.attrs.update({"max": limit, "min": 1})
        country: Any = self.fields["country"]
        country.choices = [(code, label) for code, label in COUNTRIES.items()]

    def address(self) -> ShippingAddress:
        data = self.cleaned_data
        return ShippingAddress(
            name=data.get("name", ""),
            line1=data.get("line1", ""),
            line2=data.get("line2", ""),
            postal_code=data.get("postal_code", ""),
            city=data.get("city", ""),
            country=data.get("country", ""),
            phone=data.get("phone", ""),
        ).cleaned()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name, messages in address_errors(self.address()).items():
            if name in self.fields and name not in self.errors:
                for message in messages:
                    self.add_error(name, message)
        return cleaned


class ShipForm(forms.Form):
    carrier = forms.ChoiceField(label=_("Carrier"), choices=[])
    tracking_number = forms.CharField(
        label=_("Tracking number"),
        max_length=40,
        help_text=_("As printed on the label, e.g. LP00123456789CN."),
    )
    promised_delivery_date = forms.DateField(
        label=_("Promised delivery date"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_(
            "The buyer may open a “not received” dispute after this date. At most 60 days from today."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        carrier: Any = self.fields["carrier"]
        carrier.choices = carrier_choices()
        today = clock.today()
        widget = self.fields["promised_delivery_date"].widget
        widget.attrs["min"] = (today + dt.timedelta(days=1)).isoformat()
        widget.attrs["max"] = (
            today + dt.timedelta(days=conf.promised_delivery_max_days())
        ).isoformat()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        errors = validate_shipping(
            carrier=cleaned.get("carrier", ""),
            tracking_number=normalise_tracking_number(cleaned.get("tracking_number", "")),
            promised_delivery_date=cleaned.get("promised_delivery_date"),
            today=clock.today(),
        )
        for name, messages in errors.items():
            if name not in self.errors:
                for message in messages:
                    self.add_error(name, message)
        return cleaned
