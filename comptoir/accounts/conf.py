"""Account settings with their defaults (override any of them in the settings module)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings


def _limit(name: str, default: tuple[int, int]) -> tuple[int, int]:
    value = getattr(settings, name, default)
    return int(value[0]), int(value[1])


def login_limit_per_email() -> tuple[int, int]:
    """(attempts, window in seconds) per e-mail address, for page logins and API tokens."""
    return _limit("RATE_LIMIT_LOGIN", (10, 900))


def login_limit_per_ip() -> tuple[int, int]:
    return _limit("RATE_LIMIT_LOGIN_IP", (50, 900))


def signup_limit_per_ip() -> tuple[int, int]:
    return _limit("RATE_LIMIT_SIGNUP_IP", (10, 3600))


def email_request_limit_per_ip() -> tuple[int, int]:
    """Password-reset and verification-resend requests, per IP."""
    return _limit("RATE_LIMIT_EMAIL_REQUEST_IP", (10, 3600))


def email_request_limit_per_address() -> tuple[int, int]:
    """…and per address (silently: the answer never tells whether the address exists)."""
    return _limit("RATE_LIMIT_EMAIL_REQUEST_ADDRESS", (3, 3600))


def totp_limit_per_user() -> tuple[int, int]:
    return _limit("RATE_LIMIT_TOTP", (5, 300))


def api_token_lifetime() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "API_TOKEN_LIFETIME_DAYS", 30)))


def email_verification_max_age() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "EMAIL_VERIFICATION_MAX_AGE_DAYS", 3)))


def password_reset_max_age() -> dt.timedelta:
    return dt.timedelta(seconds=int(getattr(settings, "PASSWORD_RESET_TIMEOUT", 3 * 24 * 3600)))


def login_otp_pending_max_age() -> dt.timedelta:
    """How long the second login step (the TOTP code) waits after the password was accepted."""
    return dt.timedelta(minutes=5)
