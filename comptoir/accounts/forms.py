"""Forms parse and shape input; the services validate and write. ``apply_error`` maps a service
refusal onto the form, so every page shows field errors the same way."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import django.forms
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from comptoir.core.errors import ApplicationError

from .enums import Language


class AccessibleFormMixin:
    """Fields with errors point to their messages (aria-describedby, aria-invalid) and the page
    shows an error summary linking to each field (templates/includes/form_errors.html)."""

    def _annotate(self) -> None:
        form: Any = self
        for name in form.errors:
            if name in form.fields:
                bound = form[name]
                ids = [f"{bound.auto_id}_error"]
                if form.fields[name].help_text:
                    ids.append(f"{bound.auto_id}_helptext")
                form.fields[name].widget.attrs["aria-describedby"] = " ".join(ids)
                form.fields[name].widget.attrs["aria-invalid"] = "true"

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        self._annotate()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        self._annotate()

    def apply_error(self, exc: ApplicationError) -> None:
        """Put a service refusal on the form: field errors on their fields, the rest on top."""
        form: Any = self
        placed = False
        for field, messages in (exc.details or {}).items():
            if not isinstance(messages, list | tuple):
                continue
            target = field if field in form.fields else None
            for message in messages:
                form.add_error(target, str(message))
                placed = True
        if not placed:
            form.add_error(None, exc.message)


class ComptoirFormRenderer(DjangoTemplates):
    """Django's form renderer, also seeing the project's templates (``includes/field.html``…),
    so forms render with the site's accessible markup."""

    @cached_property
    def engine(self) -> Any:
        return self.backend(
            {
                "APP_DIRS": True,
                "DIRS": [
                    Path(settings.PACKAGE_DIR) / "templates",
                    Path(django.forms.__file__).parent / "templates",
                ],
                "NAME": "comptoir-forms",
                "OPTIONS": {},
            }
        )


FORM_RENDERER = ComptoirFormRenderer()


class BaseForm(AccessibleFormMixin, forms.Form):
    default_renderer = FORM_RENDERER
    template_name = "includes/form_fields.html"
    template_name_div = "includes/form_fields.html"


def _email_field(**kwargs: Any) -> forms.EmailField:
    return forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autocapitalize": "none"}),
        error_messages={
            "required": _("Enter your e-mail address."),
            "invalid": _("Enter a valid e-mail address."),
        },
        **kwargs,
    )


class LoginForm(BaseForm):
    email = _email_field()
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password.")},
    )


class OtpForm(BaseForm):
    code = forms.CharField(
        label=_("6-digit code"),
        max_length=12,
        help_text=_("Open your authenticator app and enter the code shown for Comptoir."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
                "class": "otp-input",
            }
        ),
        error_messages={"required": _("Enter the code from your app.")},
    )


class SignupForm(BaseForm):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Enter your name.")},
    )
    email = _email_field()
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=4096,
        help_text=_("At least 8 characters; not only digits, not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Choose a password.")},
    )
    password_confirm = forms.CharField(
        label=_("Password (again)"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Type your password again.")},
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=Language.choices,
        help_text=_("E-mails and pages will be in this language."),
        error_messages={"invalid_choice": _("Choose French or English.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password, confirm = data.get("password"), data.get("password_confirm")
        if password and confirm and password != confirm:
            self.add_error("password_confirm", _("The two passwords are different."))
        return data


class EmailRequestForm(BaseForm):
    email = _email_field()


class SetPasswordForm(BaseForm):
    new_password = forms.CharField(
        label=_("New password"),
        strip=False,
        max_length=4096,
        help_text=_("At least 8 characters; not only digits, not a common password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Choose a password.")},
    )
    new_password_confirm = forms.CharField(
        label=_("New password (again)"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": _("Type your password again.")},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        password, confirm = data.get("new_password"), data.get("new_password_confirm")
        if password and confirm and password != confirm:
            self.add_error("new_password_confirm", _("The two passwords are different."))
        return data


class PasswordChangeForm(SetPasswordForm):
    current_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your current password.")},
    )
    field_order = ["current_password", "new_password", "new_password_confirm"]


class ProfileForm(BaseForm):
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": _("Enter your name.")},
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=Language.choices,
        help_text=_("Pages, e-mails and notifications use this language."),
        error_messages={"invalid_choice": _("Choose French or English.")},
    )


class TotpDisableForm(BaseForm):
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password.")},
    )
    code = OtpForm.base_fields["code"]


class NotificationPreferencesForm(BaseForm):
    """One checkbox per (notification kind, channel), built from the preferences we are given."""

    def __init__(
        self,
        *args: Any,
        rows: list[dict[str, Any]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            for channel in row["channels"]:
                self.fields[f"{row['kind']}__{channel['code']}"] = forms.BooleanField(
                    label=f"{row['label']} — {channel['label']}",
                    required=False,
                    initial=channel["enabled"],
                    disabled=channel.get("locked", False),
                )

    def preferences(self) -> dict[str, dict[str, bool]]:
        result: dict[str, dict[str, bool]] = {}
        for row in self.rows:
            result[row["kind"]] = {
                channel["code"]: bool(self.cleaned_data.get(f"{row['kind']}__{channel['code']}"))
                for channel in row["channels"]
                if not channel.get("locked", False)
            }
        return result
