"""One error type with machine-readable codes, mapped once to HTTP (api.errors) and to UI messages."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A refusal the caller can act on. ``code`` is stable and machine-readable; ``message``
    is translated text for people; ``details`` carries field errors or context."""

    http_status = 400

    def __init__(self, code: str, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = str(message)
        self.details = details or {}

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class NotFound(ApplicationError):
    """Both "does not exist" and "not yours": the caller cannot tell them apart."""

    http_status = 404

    def __init__(self, message: str | None = None, details: dict[str, Any] | None = None) -> None:
        from django.utils.translation import gettext

        super().__init__("not_found", message or gettext("Not found."), details)


class PermissionDenied(ApplicationError):
    http_status = 403

    def __init__(self, message: str | None = None, details: dict[str, Any] | None = None) -> None:
        from django.utils.translation import gettext

        super().__init__(
            "forbidden", message or gettext("You are not allowed to do this."), details
        )


class ValidationFailed(ApplicationError):
    http_status = 422

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__("invalid", message, details)


class Conflict(ApplicationError):
    http_status = 409


class RateLimited(ApplicationError):
    http_status = 429

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__("rate_limited", message, {"retry_after": retry_after})
        self.retry_after = retry_after
