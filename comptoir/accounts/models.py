"""Users and roles, shops and their members, teams, skills and agent profiles, API tokens, TOTP."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from comptoir.core import clock
from comptoir.core.models import BaseModel

from .enums import STAFF_ROLES, Language, Role


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username)

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        # Accounts are created by accounts.services.user_create; this exists for Django's tooling.
        from .services import user_create

        return user_create(email=email, password=password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        from .services import user_create

        extra.setdefault("role", Role.ADMIN)
        extra.setdefault("email_verified", True)
        return user_create(email=email, password=password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("e-mail address"), max_length=254)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.BUYER)
    language = models.CharField(
        _("language"), max_length=5, choices=Language.choices, default=Language.FR
    )
    email_verified_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use the Django admin site.")
    date_joined = models.DateTimeField(default=clock.now)
    # Opaque public id for URLs and the API (never the database id).
    public_id = models.CharField(max_length=26, unique=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=Language.values), name="user_language_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.email

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_staff_member(self) -> bool:
        """Agents, dispute officers, supervisors and admins: the platform's own people."""
        return self.role in STAFF_ROLES

    @property
    def display_name(self) -> str:
        return self.full_name or self.email.split("@")[0]


class Team(BaseModel):
    """A support team: owns taxonomy nodes; agents belong to teams."""

    code = models.SlugField(max_length=60, unique=True)
    name_fr = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120)
    members = models.ManyToManyField(User, related_name="teams", blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name_en

    def name(self, language: str) -> str:
        return self.name_fr if language == "fr" else self.name_en


class Skill(BaseModel):
    """A kind of case an agent is used to (the brief: the person who handles it knows this kind)."""

    code = models.SlugField(max_length=60, unique=True)
    label_fr = models.CharField(max_length=120)
    label_en = models.CharField(max_length=120)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class AgentProfile(BaseModel):
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="agent_profile")
    languages = models.JSONField(default=list, help_text="Language codes the agent answers in.")
    skills = models.ManyToManyField(Skill, related_name="agents", blank=True)
    max_open_tickets = models.PositiveIntegerField(default=25)

    def __str__(self) -> str:
        return f"agent {self.user}"


class Shop(BaseModel):
    """An independent seller's shop."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    members: models.ManyToManyField[User, ShopMembership] = models.ManyToManyField(
        User, through="ShopMembership", related_name="shops"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ShopMembership(BaseModel):
    class ShopRole(models.TextChoices):
        OWNER = "owner", _("Owner")
        STAFF = "staff", _("Staff")

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="shop_memberships")
    shop_role = models.CharField(max_length=10, choices=ShopRole.choices, default=ShopRole.OWNER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["shop", "user"], name="shop_member_unique")]


class ApiToken(BaseModel):
    """A bearer token for the API. Only its SHA-256 is stored; the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    label = models.CharField(max_length=100, blank=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)


class TotpDevice(BaseModel):
    """Time-based one-time passwords (RFC 6238) for staff two-factor authentication."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="totp_device")
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last accepted time step: a code is accepted once (no replay).
    last_used_step = models.BigIntegerField(null=True, blank=True)

    @property
    def is_active(self) -> bool:
        return self.confirmed_at is not None
