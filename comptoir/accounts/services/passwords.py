"""Passwords: change, reset by e-mail."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _

from comptoir.accounts import conf
from comptoir.accounts.emails import password_reset_email_enqueue, security_notice_enqueue
from comptoir.accounts.errors import TokenInvalid
from comptoir.accounts.models import User
from comptoir.accounts.tokens import password_reset_tokens
from comptoir.core import clock
from comptoir.core.errors import RateLimited, ValidationFailed
from comptoir.core.ratelimit import rate_limit

from .users import normalise_email


def _check_new_password(*, user: User, password: str, field: str = "new_password") -> None:
    if not password:
        message = _("Choose a password.")
        raise ValidationFailed(message, {field: [message]})
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed(
            _("This password is too weak."), {field: list(exc.messages)}
        ) from exc


@transaction.atomic
def password_change(*, user: User, current_password: str, new_password: str) -> User:
    if not current_password or not user.check_password(current_password):
        message = _("Your current password is incorrect.")
        raise ValidationFailed(message, {"current_password": [message]})
    _check_new_password(user=user, password=new_password)
    user.set_password(new_password)
    user.save(update_fields=["password"])
    security_notice_enqueue(user=user, event="password_changed")
    return user


def password_reset_request(*, email: str, ip: str) -> None:
    """Send a reset link when the address belongs to an active account. The caller shows the same
    answer either way; per-address overflow is silent for the same reason."""
    limit, window = conf.email_request_limit_per_ip()
    rate_limit(key=f"password-reset:ip:{ip}", limit=limit, window_seconds=window)
    address = normalise_email(email)
    limit, window = conf.email_request_limit_per_address()
    try:
        rate_limit(
            key=f"password-reset:email:{address.lower()}", limit=limit, window_seconds=window
        )
    except RateLimited:
        return
    with transaction.atomic():
        user = User.objects.filter(email__iexact=address, is_active=True).first()
        if user is not None and user.has_usable_password():
            password_reset_email_enqueue(user=user)


def password_reset_user(*, uidb64: str, token: str) -> User:
    """The account a reset link is for, if the link is still valid (else ``TokenInvalid``)."""
    invalid = TokenInvalid(
        "token_invalid",
        _("This reset link is not valid any more: it was used or it expired. Ask for a new one."),
    )
    try:
        public_id = force_str(urlsafe_base64_decode(uidb64))
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise invalid from exc
    user = User.objects.filter(public_id=public_id, is_active=True).first()
    if user is None or not password_reset_tokens.check_token(user, token):
        raise invalid
    return user


@transaction.atomic
def password_reset_confirm(*, uidb64: str, token: str, new_password: str) -> User:
    user = password_reset_user(uidb64=uidb64, token=token)
    user = User.objects.select_for_update().get(pk=user.pk)
    _check_new_password(user=user, password=new_password)
    user.set_password(new_password)
    update = ["password"]
    if user.email_verified_at is None:
        # The link came to this address: it is verified now.
        user.email_verified_at = clock.now()
        update.append("email_verified_at")
    user.save(update_fields=update)
    security_notice_enqueue(user=user, event="password_changed")
    return user
