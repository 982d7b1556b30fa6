"""Signed, expiring links: e-mail verification and password reset.

Both read the time from the one clock, so tests (and ``run_sweeps --at``) can move it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core import signing

from comptoir.core import clock

from . import conf
from .models import User

_VERIFY_SALT = "comptoir.accounts.verify-email"


def email_verification_token_make(*, user: User) -> str:
    """A signed token naming the account and the address it confirms, with its issue time."""
    payload = {"u": user.public_id, "e": user.email.lower(), "t": int(clock.now().timestamp())}
    return signing.dumps(payload, salt=_VERIFY_SALT, compress=True)


def email_verification_token_read(*, token: str) -> tuple[str, str, bool]:
    """(public_id, e-mail, expired). Raises ``signing.BadSignature`` when forged or mangled."""
    payload: Any = signing.loads(token, salt=_VERIFY_SALT)
    if not isinstance(payload, dict) or not {"u", "e", "t"} <= payload.keys():
        raise signing.BadSignature("Malformed verification token.")
    issued = dt.datetime.fromtimestamp(int(payload["t"]), tz=dt.UTC)
    expired = clock.now() - issued > conf.email_verification_max_age()
    return str(payload["u"]), str(payload["e"]), expired


class ClockPasswordResetTokenGenerator(PasswordResetTokenGenerator):
    """Django's generator (single use: the hash covers the password and the last login),
    on the project clock."""

    def _now(self) -> dt.datetime:
        return clock.now().replace(tzinfo=None)

    def check_token(self, user: Any, token: str | None) -> bool:
        if not super().check_token(user, token):
            return False
        # Django compares with settings.PASSWORD_RESET_TIMEOUT; enforce our configured age too.
        try:
            ts_b36 = str(token).split("-")[0]
            from django.utils.http import base36_to_int

            age = self._num_seconds(self._now()) - base36_to_int(ts_b36)
        except (ValueError, IndexError):
            return False
        return age <= conf.password_reset_max_age().total_seconds()

    def _make_hash_value(self, user: Any, timestamp: int) -> str:
        # The e-mail and the account's verification state change the hash too.
        return f"{super()._make_hash_value(user, timestamp)}{user.email}"


password_reset_tokens = ClockPasswordResetTokenGenerator()
