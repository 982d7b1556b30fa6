"""Every write on accounts: ``<entity>_<action>(*, …)``, atomic, keyword-only.

Rate-limited entry points count the attempt *before* their transaction (see core.ratelimit)."""

from .auth import (
    IssuedToken,
    api_token_create,
    api_token_obtain,
    api_token_revoke,
    auth_check_credentials,
)
from .passwords import (
    password_change,
    password_reset_confirm,
    password_reset_request,
    password_reset_user,
)
from .totp import (
    totp_disable,
    totp_enable,
    totp_matching_step,
    totp_new_secret,
    totp_provisioning_uri,
    totp_verify,
)
from .users import (
    is_staff_role,
    normalise_email,
    user_create,
    user_signup,
    user_update,
    user_verification_resend,
    user_verify_email,
)

__all__ = [
    "IssuedToken",
    "api_token_create",
    "api_token_obtain",
    "api_token_revoke",
    "auth_check_credentials",
    "is_staff_role",
    "normalise_email",
    "password_change",
    "password_reset_confirm",
    "password_reset_request",
    "password_reset_user",
    "totp_disable",
    "totp_enable",
    "totp_matching_step",
    "totp_new_secret",
    "totp_provisioning_uri",
    "totp_verify",
    "user_create",
    "user_signup",
    "user_update",
    "user_verification_resend",
    "user_verify_email",
]
