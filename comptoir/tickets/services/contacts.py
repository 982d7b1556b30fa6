"""Contacts and their identities."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction

from comptoir.core import clock
from comptoir.tickets.enums import IdentityKind
from comptoir.tickets.models import Contact, ContactIdentity


def normalise_identity(kind: str, value: str) -> str:
    value = (value or "").strip()
    if kind == IdentityKind.EMAIL:
        return value.lower()
    if kind == IdentityKind.PHONE:
        return "".join(ch for ch in value if ch.isdigit() or ch == "+")
    return value.lower()


def contact_for_user(*, user: Any) -> Contact:
    """The user's contact, created (with their e-mail as a verified identity when the account's
    address is verified) on first use. Safe when two requests race. Finding it is one read
    (no savepoint): the usual case once a customer has written."""
    contact = Contact.objects.filter(user=user).first()
    if contact is not None:
        return contact
    return _contact_create_for_user(user)


@transaction.atomic
def _contact_create_for_user(user: Any) -> Contact:
    try:
        with transaction.atomic():
            contact = Contact.objects.create(
                user=user, display_name=user.display_name, language=user.language
            )
    except IntegrityError:
        return Contact.objects.get(user=user)
    email = normalise_identity(IdentityKind.EMAIL, user.email)
    verified = clock.now() if user.email_verified else None
    existing = ContactIdentity.objects.filter(kind=IdentityKind.EMAIL, value=email).first()
    if existing is None:
        try:
            with transaction.atomic():
                ContactIdentity.objects.create(
                    contact=contact, kind=IdentityKind.EMAIL, value=email, verified_at=verified
                )
        except IntegrityError:
            pass
    elif existing.contact.user_id is None and verified is not None:
        # An unverified contact that wrote before signing up: its identity joins the account.
        ContactIdentity.objects.filter(pk=existing.pk).update(contact=contact, verified_at=verified)
    return contact


def contact_for_identity(*, kind: str, value: str, display_name: str = "") -> Contact:
    """The contact behind an identity; an unknown sender becomes a contact whose identity
    awaits verification."""
    normalised = normalise_identity(kind, value)
    identity = (
        ContactIdentity.objects.select_related("contact")
        .filter(kind=kind, value=normalised)
        .first()
    )
    if identity is not None:
        return identity.contact
    return _contact_create_for_identity(kind, normalised, display_name)


@transaction.atomic
def _contact_create_for_identity(kind: str, normalised: str, display_name: str) -> Contact:
    try:
        with transaction.atomic():
            contact = Contact.objects.create(display_name=display_name[:150])
            ContactIdentity.objects.create(contact=contact, kind=kind, value=normalised)
    except IntegrityError:
        return (
            ContactIdentity.objects.select_related("contact")
            .get(kind=kind, value=normalised)
            .contact
        )
    return contact


@transaction.atomic
def contact_identity_add(
    *, contact: Contact, kind: str, value: str, verified: bool = False
) -> ContactIdentity:
    identity, _created = ContactIdentity.objects.get_or_create(
        kind=kind,
        value=normalise_identity(kind, value),
        defaults={"contact": contact, "verified_at": clock.now() if verified else None},
    )
    if identity.contact_id != contact.pk:
        from django.utils.translation import gettext as _

        from comptoir.core.errors import Conflict

        raise Conflict("identity_taken", _("This identity belongs to another customer."))
    if verified and identity.verified_at is None:
        identity.verified_at = clock.now()
        identity.save(update_fields=["verified_at"])
    return identity
