"""Agent presence, macros, satisfaction ratings."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from comptoir.accounts.models import Team
from comptoir.core import clock
from comptoir.core.models import BaseModel
from comptoir.tickets.enums import Presence

from .tickets import Ticket


class AgentPresence(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="presence"
    )
    status = models.CharField(max_length=10, choices=Presence.choices, default=Presence.OFFLINE)
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=Presence.values), name="presence_status_valid"
            )
        ]
        indexes = [models.Index(fields=["status"], name="presence_status_idx")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.status}"


class Macro(BaseModel):
    """A canned reply in FR and EN with ``{{ placeholder }}`` slots (tickets.services.macros)."""

    code = models.SlugField(max_length=80, unique=True)
    title_fr = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    body_fr = models.TextField()
    body_en = models.TextField()
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.code


class Csat(models.Model):
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="csat")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="csat_score_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.score}/5"
