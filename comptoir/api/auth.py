"""Bearer-token authentication for the API (tokens from POST /api/v1/auth/token), and sessions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from comptoir.accounts.selectors import user_for_api_token

        user = user_for_api_token(key=token)
        if user is not None:
            request.user = user
        return user


class SessionAuthNoCsrfForSafe(SessionAuth):
    """Session cookies work too (the site's own pages call the API); CSRF is checked on writes."""


bearer = TokenAuth()
session = SessionAuthNoCsrfForSafe()
AUTH = [bearer, session]
