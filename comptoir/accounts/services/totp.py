"""Two-factor authentication with time-based one-time passwords (RFC 6238), for staff."""

from __future__ import annotations

import base64
import hmac
import secrets

import pyotp
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from comptoir.accounts import conf
from comptoir.accounts.emails import security_notice_enqueue
from comptoir.accounts.errors import AuthenticationFailed
from comptoir.accounts.models import TotpDevice, User
from comptoir.core import clock
from comptoir.core.errors import PermissionDenied, ValidationFailed
from comptoir.core.ratelimit import rate_limit

STEP_SECONDS = 30
DIGITS = 6
# Accept the previous and the next step too (clock drift on phones).
DRIFT_STEPS = 1


def totp_new_secret() -> str:
    """160 random bits in base32, the usual size for authenticator apps."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def totp_provisioning_uri(*, user: User, secret: str, issuer: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=user.email, issuer_name=issuer
    )


def _normalise_code(code: str | None) -> str | None:
    digits = "".join(str(code or "").split()).replace("-", "")
    if len(digits) != DIGITS or not digits.isdigit():
        return None
    return digits


def totp_matching_step(*, secret: str, code: str | None) -> int | None:
    """The time step ``code`` belongs to, within the allowed drift, or None."""
    digits = _normalise_code(code)
    if digits is None:
        return None
    totp = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS)
    current = int(clock.now().timestamp()) // STEP_SECONDS
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), digits):
            return step
    return None


def _otp_invalid() -> AuthenticationFailed:
    return AuthenticationFailed("otp_invalid", _("This code is not valid. Enter the current code."))


def totp_verify(*, user: User, code: str | None) -> None:
    """Accept a code of the user's active device once (a used step is never accepted again).

    Rate-limited per user, counted before the check so refused codes count."""
    limit, window = conf.totp_limit_per_user()
    rate_limit(key=f"totp:user:{user.pk}", limit=limit, window_seconds=window)
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        raise _otp_invalid()
    step = totp_matching_step(secret=device.secret, code=code)
    if step is None:
        raise _otp_invalid()
    # A conditional UPDATE: of two requests racing with the same code, one wins.
    with transaction.atomic():
        accepted = (
            TotpDevice.objects.filter(pk=device.pk)
            .filter(Q(last_used_step__isnull=True) | Q(last_used_step__lt=step))
            .update(last_used_step=step, updated_at=clock.now())
        )
    if not accepted:
        raise _otp_invalid()


def totp_enable(*, user: User, secret: str, code: str | None) -> TotpDevice:
    """Turn two-factor authentication on with a secret the user loaded into their app, once
    they prove it with a current code."""
    if not user.is_staff_member:
        raise PermissionDenied(_("Two-factor authentication is for staff accounts."))
    limit, window = conf.totp_limit_per_user()
    rate_limit(key=f"totp:setup:{user.pk}", limit=limit, window_seconds=window)
    if not secret:
        raise ValidationFailed(
            _("Start the set-up again."), {"code": [_("Start the set-up again.")]}
        )
    step = totp_matching_step(secret=secret, code=code)
    if step is None:
        message = _(
            "This code is not valid. Check the time of your phone and enter the current code."
        )
        raise ValidationFailed(message, {"code": [message]})
    return _totp_enable(user=user, secret=secret, step=step)


@transaction.atomic
def _totp_enable(*, user: User, secret: str, step: int) -> TotpDevice:
    User.objects.select_for_update().filter(pk=user.pk).first()
    device, _created = TotpDevice.objects.update_or_create(
        user=user,
        defaults={"secret": secret, "confirmed_at": clock.now(), "last_used_step": step},
    )
    security_notice_enqueue(user=user, event="totp_enabled")
    return device


def totp_disable(*, user: User, password: str, code: str | None) -> None:
    """Turn two-factor authentication off: needs the password and a current code."""
    errors: dict[str, list[str]] = {}
    if not password or not user.check_password(password):
        errors["password"] = [_("The password is incorrect.")]
    limit, window = conf.totp_limit_per_user()
    rate_limit(key=f"totp:disable:{user.pk}", limit=limit, window_seconds=window)
    device = TotpDevice.objects.filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        message = _("Two-factor authentication is not on.")
        raise ValidationFailed(message, {"__all__": [message]})
    step = totp_matching_step(secret=device.secret, code=code)
    if step is None or (device.last_used_step is not None and step <= device.last_used_step):
        errors["code"] = [_("This code is not valid. Enter the current code.")]
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], errors)
    _totp_disable(user=user)


@transaction.atomic
def _totp_disable(*, user: User) -> None:
    TotpDevice.objects.filter(user=user).delete()
    security_notice_enqueue(user=user, event="totp_disabled")
