"""Every write on accounts: ``<entity>_<action>(*, …)``, atomic, keyword-only."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from comptoir.core import clock
from comptoir.core.errors import Conflict, ValidationFailed
from comptoir.core.ids import new_public_id

from .enums import STAFF_ROLES, Language, Role
from .models import User


def normalise_email(email: str) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise ValidationFailed(
            _("Enter a valid e-mail address."), {"email": [_("Enter a valid e-mail address.")]}
        ) from exc
    local, _sep, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


@transaction.atomic
def user_create(
    *,
    email: str,
    password: str | None,
    full_name: str = "",
    role: str = Role.BUYER,
    language: str = Language.FR,
    email_verified: bool = False,
    validate: bool = False,
    **extra: Any,
) -> User:
    """Create an account. ``validate=True`` applies the password policy (sign-up forms)."""
    email = normalise_email(email)
    if role not in Role.values:
        raise ValidationFailed(_("Unknown role."), {"role": [role]})
    if language not in Language.values:
        raise ValidationFailed(_("Unsupported language."), {"language": [language]})
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict(
            "email_taken",
            _("An account already exists with this e-mail address."),
            {"email": [_("An account already exists with this e-mail address.")]},
        )
    user = User(
        email=email,
        full_name=full_name.strip(),
        role=role,
        language=language,
        public_id=new_public_id(),
        email_verified_at=clock.now() if email_verified else None,
        is_staff=role in {Role.SUPERVISOR, Role.ADMIN},
        is_superuser=role == Role.ADMIN,
        **extra,
    )
    if password:
        if validate:
            try:
                validate_password(password, user)
            except ValidationError as exc:
                raise ValidationFailed(
                    _("This password is too weak."), {"password": list(exc.messages)}
                ) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent sign-up with the same address
        raise Conflict(
            "email_taken", _("An account already exists with this e-mail address.")
        ) from exc
    return user


def is_staff_role(role: str) -> bool:
    return role in STAFF_ROLES
