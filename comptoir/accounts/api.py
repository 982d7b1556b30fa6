"""Accounts API: bearer tokens and the current user."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.security import HttpBearer
from pydantic import ConfigDict, Field

from . import services
from .models import User
from .selectors import client_ip, user_for_api_token, user_shops, user_teams

router = Router(tags=["accounts"])


class _BearerOnly(HttpBearer):
    """Bearer tokens only (revoking "the calling token" needs one; sessions have none)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = user_for_api_token(key=token)
        if user is not None:
            request.user = user
        return user


bearer_only = _BearerOnly()


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid", strict=True)


class TokenIn(StrictIn):
    email: str = Field(max_length=254)
    password: str = Field(max_length=4096)
    otp: str | None = Field(default=None, max_length=12)
    label: str = Field(default="", max_length=100)


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"
    expires_at: dt.datetime


class ErrorOut(Schema):
    code: str
    message: str
    details: dict


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Get a bearer token",
    description=(
        "E-mail and password; staff with two-factor authentication also give `otp`. The key is "
        "shown once (only its SHA-256 is kept) and lasts 30 days. Errors: 401 "
        "`invalid_credentials`, `otp_required`, `otp_invalid`; 403 `email_unverified`; 429 "
        "`rate_limited` with Retry-After."
    ),
)
def token_obtain(request: HttpRequest, payload: TokenIn) -> TokenOut:
    issued = services.api_token_obtain(
        email=payload.email,
        password=payload.password,
        otp=payload.otp,
        label=payload.label,
        ip=client_ip(request),
    )
    return TokenOut(token=issued.key, expires_at=issued.token.expires_at)


@router.post(
    "/auth/token/revoke",
    auth=bearer_only,
    response={204: None, 401: ErrorOut},
    summary="Revoke the token of this request",
)
def token_revoke(request: HttpRequest) -> HttpResponse:
    header = request.headers.get("Authorization", "")
    key = header.partition(" ")[2].strip()
    services.api_token_revoke(key=key)
    return HttpResponse(status=204)


class ShopOut(Schema):
    slug: str
    name: str
    role: str


class TeamOut(Schema):
    code: str
    name: str


class MeOut(Schema):
    id: str
    email: str
    full_name: str
    role: str
    language: str
    email_verified: bool
    is_staff_member: bool
    shops: list[ShopOut]
    teams: list[TeamOut]


class MeIn(StrictIn):
    full_name: str | None = Field(default=None, max_length=150)
    language: str | None = Field(default=None, max_length=5)


def _me(user: User) -> MeOut:
    return MeOut(
        id=user.public_id,
        email=user.email,
        full_name=user.full_name,
        role=user.role,
        language=user.language,
        email_verified=user.email_verified,
        is_staff_member=user.is_staff_member,
        shops=[
            ShopOut(slug=m.shop.slug, name=m.shop.name, role=m.shop_role)
            for m in user_shops(user=user)
        ],
        teams=[
            TeamOut(code=team.code, name=team.name(user.language)) for team in user_teams(user=user)
        ],
    )


@router.get("/me", response=MeOut, summary="The current user")
def me(request: HttpRequest) -> MeOut:
    return _me(request.user)  # type: ignore[arg-type]


@router.patch(
    "/me",
    response={200: MeOut, 401: ErrorOut, 422: ErrorOut},
    summary="Change the current user's name or language",
)
def me_update(request: HttpRequest, payload: MeIn) -> MeOut:
    user: User = request.user  # type: ignore[assignment]
    services.user_update(user=user, full_name=payload.full_name, language=payload.language)
    return _me(user)
