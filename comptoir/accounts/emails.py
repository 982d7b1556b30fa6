"""The account e-mails, rendered in the recipient's language and queued in the outbox.

Called inside the business transaction: the outbox row commits (or rolls back) with it, and the
message goes out after commit."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from comptoir.core.outbox import email_enqueue

from .models import User
from .tokens import email_verification_token_make, password_reset_tokens


def absolute_url(path: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + path


def _enqueue(*, user: User, template: str, subject: str, context: dict[str, Any]) -> None:
    context = {"user": user, "site_name": settings.SITE_NAME, "subject": subject, **context}
    body_text = render_to_string(f"accounts/email/{template}.txt", context)
    body_html = render_to_string(f"accounts/email/{template}.html", context)
    email_enqueue(to=[user.email], subject=subject, body_text=body_text, body_html=body_html)


def verification_email_enqueue(*, user: User) -> None:
    token = email_verification_token_make(user=user)
    url = absolute_url(reverse("accounts:verify_email", kwargs={"token": token}))
    with translation.override(user.language):
        _enqueue(
            user=user,
            template="verify_email",
            subject=_("Confirm your e-mail address for %(site)s") % {"site": settings.SITE_NAME},
            context={"url": url},
        )


def password_reset_email_enqueue(*, user: User) -> None:
    uid = urlsafe_base64_encode(user.public_id.encode("ascii"))
    token = password_reset_tokens.make_token(user)
    url = absolute_url(
        reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    )
    with translation.override(user.language):
        _enqueue(
            user=user,
            template="password_reset",
            subject=_("Reset your %(site)s password") % {"site": settings.SITE_NAME},
            context={"url": url},
        )


SECURITY_EVENTS = ("password_changed", "totp_enabled", "totp_disabled")


def security_notice_enqueue(*, user: User, event: str) -> None:
    """Tell the account holder that something security-related changed on their account."""
    if event not in SECURITY_EVENTS:
        raise ValueError(f"Unknown security event {event!r}.")
    with translation.override(user.language):
        subjects = {
            "password_changed": _("Your %(site)s password was changed"),
            "totp_enabled": _("Two-factor authentication is now on for your %(site)s account"),
            "totp_disabled": _("Two-factor authentication was turned off on your %(site)s account"),
        }
        _enqueue(
            user=user,
            template="security_notice",
            subject=subjects[event] % {"site": settings.SITE_NAME},
            context={
                "event": event,
                "reset_url": absolute_url(reverse("accounts:password_reset")),
                "support_email": settings.SUPPORT_EMAIL,
            },
        )
