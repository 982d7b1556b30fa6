"""Users: creation, sign-up, profile, e-mail verification."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from comptoir.accounts import conf
from comptoir.accounts.emails import verification_email_enqueue
from comptoir.accounts.enums import STAFF_ROLES, Language, Role
from comptoir.accounts.errors import TokenInvalid
from comptoir.accounts.models import User
from comptoir.accounts.tokens import email_verification_token_read
from comptoir.core import clock
from comptoir.core.errors import Conflict, RateLimited, ValidationFailed
from comptoir.core.ids import new_public_id
from comptoir.core.ratelimit import rate_limit


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


def _clean_full_name(full_name: str) -> str:
    name = " ".join((full_name or "").split())
    if not name:
        raise ValidationFailed(_("Enter your name."), {"full_name": [_("Enter your name.")]})
    if len(name) > 150:
        message = _("Keep your name under %(max)s characters.") % {"max": 150}
        raise ValidationFailed(message, {"full_name": [message]})
    return name


def _check_language(language: str) -> str:
    if language not in Language.values:
        message = _("Choose French or English.")
        raise ValidationFailed(message, {"language": [message]})
    return language


def user_signup(*, email: str, full_name: str, password: str, language: str, ip: str) -> User:
    """Sign-up from the public form: a buyer account, unverified, with a verification e-mail.

    Rate-limited per IP (counted before the transaction, so refused attempts still count)."""

    limit, window = conf.signup_limit_per_ip()
    rate_limit(key=f"signup:ip:{ip}", limit=limit, window_seconds=window)
    return _user_signup(email=email, full_name=full_name, password=password, language=language)


@transaction.atomic
def _user_signup(*, email: str, full_name: str, password: str, language: str) -> User:
    name = _clean_full_name(full_name)
    _check_language(language)
    if not password:
        message = _("Choose a password.")
        raise ValidationFailed(message, {"password": [message]})
    user = user_create(
        email=email,
        password=password,
        full_name=name,
        role=Role.BUYER,
        language=language,
        email_verified=False,
        validate=True,
    )
    verification_email_enqueue(user=user)
    return user


@transaction.atomic
def user_update(*, user: User, full_name: str | None = None, language: str | None = None) -> User:
    """Change the profile fields that are given (``None`` leaves a field as it is)."""
    changes: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    if full_name is not None:
        try:
            changes["full_name"] = _clean_full_name(full_name)
        except ValidationFailed as exc:
            errors.update(exc.details)
    if language is not None:
        try:
            changes["language"] = _check_language(language)
        except ValidationFailed as exc:
            errors.update(exc.details)
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, errors)
    if changes:
        locked = User.objects.select_for_update().get(pk=user.pk)
        for field, value in changes.items():
            setattr(locked, field, value)
            setattr(user, field, value)
        locked.save(update_fields=list(changes))
    return user


@transaction.atomic
def user_verify_email(*, token: str) -> User:
    """Confirm the address named by a verification link. Idempotent for an already confirmed
    address; refuses forged, expired or outdated (address changed since) links."""
    invalid = TokenInvalid(
        "token_invalid", _("This confirmation link is not valid. Ask for a new one.")
    )
    try:
        public_id, email, expired = email_verification_token_read(token=token)
    except signing.BadSignature as exc:
        raise invalid from exc
    user = User.objects.select_for_update().filter(public_id=public_id, is_active=True).first()
    if user is None or user.email.lower() != email:
        raise invalid
    if user.email_verified_at is not None:
        return user
    if expired:
        raise TokenInvalid(
            "token_expired", _("This confirmation link has expired. Ask for a new one.")
        )
    user.email_verified_at = clock.now()
    user.save(update_fields=["email_verified_at"])
    return user


def user_verification_resend(*, email: str, ip: str) -> None:
    """Send a new verification link when the address belongs to an unverified account.

    The answer is the same whether or not the address exists; per-address overflow is silent."""
    limit, window = conf.email_request_limit_per_ip()
    rate_limit(key=f"verify-resend:ip:{ip}", limit=limit, window_seconds=window)
    address = normalise_email(email)
    limit, window = conf.email_request_limit_per_address()
    try:
        rate_limit(key=f"verify-resend:email:{address.lower()}", limit=limit, window_seconds=window)
    except RateLimited:
        return
    with transaction.atomic():
        user = User.objects.filter(
            email__iexact=address, is_active=True, email_verified_at__isnull=True
        ).first()
        if user is not None:
            verification_email_enqueue(user=user)
