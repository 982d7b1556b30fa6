"""Logging in: credentials (rate-limited), second factor, API tokens."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.accounts import conf
from comptoir.accounts.errors import AuthenticationFailed, EmailUnverified
from comptoir.accounts.models import ApiToken, User
from comptoir.accounts.selectors import hash_api_key, user_has_active_totp
from comptoir.core import clock
from comptoir.core.errors import ValidationFailed
from comptoir.core.ids import new_token
from comptoir.core.ratelimit import rate_limit

from .totp import totp_verify

API_KEY_PREFIX = "cpt_"


def _invalid_credentials() -> AuthenticationFailed:
    return AuthenticationFailed(
        "invalid_credentials", _("The e-mail address or the password is incorrect.")
    )


def auth_check_credentials(*, email: str, password: str, ip: str, scope: str = "login") -> User:
    """The user behind an e-mail and a password, if they may log in.

    Counts the attempt per IP and per address first (``RateLimited``); then refuses wrong
    credentials (``invalid_credentials``, the same answer for an unknown address) and unverified
    addresses (``email_unverified``: only said once the password is right)."""
    address = (email or "").strip().lower()
    limit, window = conf.login_limit_per_ip()
    rate_limit(key=f"{scope}:ip:{ip}", limit=limit, window_seconds=window)
    if address:
        limit, window = conf.login_limit_per_email()
        rate_limit(key=f"{scope}:email:{address}", limit=limit, window_seconds=window)
    if not address or not password or len(password) > 4096:
        raise _invalid_credentials()
    user = authenticate(None, email=address, password=password)
    if not isinstance(user, User):
        raise _invalid_credentials()
    if not user.email_verified:
        raise EmailUnverified(
            _("Please confirm your e-mail address first: open the link we sent you.")
        )
    return user


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    key: str  # shown once; only its SHA-256 is stored


@transaction.atomic
def api_token_create(
    *, user: User, label: str = "", lifetime: dt.timedelta | None = None
) -> IssuedToken:
    label = (label or "").strip()
    if len(label) > 100:
        message = _("Keep the label under %(max)s characters.") % {"max": 100}
        raise ValidationFailed(message, {"label": [message]})
    key = API_KEY_PREFIX + new_token(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=hash_api_key(key),
        prefix=key[:8],
        label=label,
        expires_at=clock.now() + (lifetime or conf.api_token_lifetime()),
    )
    return IssuedToken(token=token, key=key)


def api_token_obtain(
    *, email: str, password: str, otp: str | None, label: str, ip: str
) -> IssuedToken:
    """``POST /api/v1/auth/token``: credentials, then the TOTP code when the account has one."""
    user = auth_check_credentials(email=email, password=password, ip=ip, scope="token")
    if user_has_active_totp(user=user):
        if not otp:
            raise AuthenticationFailed(
                "otp_required", _("Two-factor authentication is on: give the code of your app.")
            )
        totp_verify(user=user, code=otp)
    return api_token_create(user=user, label=label)


@transaction.atomic
def api_token_revoke(*, key: str) -> ApiToken | None:
    """Revoke the token with this key (idempotent). Returns it, or None when unknown."""
    token = ApiToken.objects.select_for_update().filter(key_hash=hash_api_key(key)).first()
    if token is None:
        return None
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
    return token
