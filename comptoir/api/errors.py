"""ApplicationError (and validation errors) → {"code", "message", "details"} with the right status."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from comptoir.core.errors import ApplicationError, RateLimited


def _body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"code": code, "message": message, "details": details or {}}


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(ApplicationError)
    def application_error(request: HttpRequest, exc: ApplicationError) -> HttpResponse:
        response = api.create_response(request, exc.as_dict(), status=exc.http_status)
        if isinstance(exc, RateLimited):
            response["Retry-After"] = str(exc.retry_after)
        return response

    @api.exception_handler(NinjaValidationError)
    def validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        fields: dict[str, list[str]] = {}
        for error in exc.errors:
            loc = [
                str(part)
                for part in error.get("loc", [])
                if part not in {"body", "payload", "query", "path"}
            ]
            fields.setdefault(".".join(loc) or "__all__", []).append(str(error.get("msg", "")))
        return api.create_response(
            request, _body("invalid", _("Some fields are invalid."), {"fields": fields}), status=422
        )

    @api.exception_handler(AuthenticationError)
    def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return api.create_response(
            request, _body("unauthenticated", _("Authentication required.")), status=401
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return api.create_response(request, _body("not_found", _("Not found.")), status=404)

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
            body = _body("malformed_body", _("The request body is not valid JSON."))
        elif exc.status_code == 403:
            body = _body("forbidden", _("You are not allowed to do this."))
        elif exc.status_code == 405:
            body = _body("method_not_allowed", _("This method is not allowed here."))
        else:
            body = _body("http_error", str(exc))
        return api.create_response(request, body, status=exc.status_code)
