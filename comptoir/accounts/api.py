"""Accounts API: tokens and the current user."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

router = Router(tags=["accounts"])


class MeOut(Schema):
    id: str
    email: str
    full_name: str
    role: str
    language: str


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> MeOut:
    user = request.user
    return MeOut(
        id=user.public_id,  # type: ignore[union-attr]
        email=user.email,  # type: ignore[union-attr]
        full_name=user.full_name,  # type: ignore[union-attr]
        role=user.role,  # type: ignore[union-attr]
        language=user.language,  # type: ignore[union-attr]
    )
