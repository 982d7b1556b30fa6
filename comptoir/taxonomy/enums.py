from django.db import models
from django.utils.translation import gettext_lazy as _


class Resolution(models.TextChoices):
    ARTICLE = "article", _("Help article")
    BOT = "bot", _("Assistant")
    DISPUTE = "dispute", _("Dispute")
    AGENT = "agent", _("Agent")


class NodeChangeAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    RETIRE = "retire", _("Retired")
