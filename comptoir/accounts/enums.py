from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    BUYER = "buyer", _("Buyer")
    SELLER = "seller", _("Seller")
    AGENT = "agent", _("Support agent")
    OFFICER = "officer", _("Dispute officer")
    SUPERVISOR = "supervisor", _("Supervisor")
    ADMIN = "admin", _("Administrator")


STAFF_ROLES = frozenset({Role.AGENT, Role.OFFICER, Role.SUPERVISOR, Role.ADMIN})


class Language(models.TextChoices):
    FR = "fr", "Français"
    EN = "en", "English"
