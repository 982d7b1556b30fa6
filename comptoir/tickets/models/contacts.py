"""Contacts: a customer with several identities (e-mail, phone, social handle) and usually an
account. Unknown senders become contacts whose identity awaits verification."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.core.ids import new_public_id
from comptoir.core.models import BaseModel
from comptoir.tickets.enums import IdentityKind


class Contact(BaseModel):
    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="support_contact",
    )
    display_name = models.CharField(_("name"), max_length=150, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True, default="")

    def __str__(self) -> str:
        return self.display_name or self.public_id


class ContactIdentity(BaseModel):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=10, choices=IdentityKind.choices)
    value = models.CharField(max_length=254)  # normalised (lower-case e-mail, E.164-ish phone…)
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="identity_kind_value_unique"),
            models.CheckConstraint(
                condition=models.Q(kind__in=IdentityKind.values), name="identity_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None
