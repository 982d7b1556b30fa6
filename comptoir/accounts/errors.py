"""Account errors with stable codes (mapped to HTTP by api.errors, to form errors by the views)."""

from __future__ import annotations

from typing import Any

from comptoir.core.errors import ApplicationError


class AuthenticationFailed(ApplicationError):
    """Wrong credentials or a missing/wrong second factor: ``invalid_credentials``,
    ``otp_required``, ``otp_invalid``."""

    http_status = 401


class EmailUnverified(ApplicationError):
    http_status = 403

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__("email_unverified", message, details)


class TokenInvalid(ApplicationError):
    """A verification or password-reset link that is wrong, used or expired."""

    http_status = 400
