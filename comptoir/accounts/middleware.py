from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class UserLanguageMiddleware:
    """The account's language wins; else the language cookie; else the browser's (LocaleMiddleware).

    It sets the cookie value LocaleMiddleware reads, before it runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None:
            # AuthenticationMiddleware runs later; read the session lazily through auth.
            from django.contrib.auth import get_user

            user = get_user(request)
            request._cached_user = user  # type: ignore[attr-defined]  # reused by AuthenticationMiddleware
        if user is not None and user.is_authenticated:
            request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = user.language  # type: ignore[union-attr]
        return self.get_response(request)
