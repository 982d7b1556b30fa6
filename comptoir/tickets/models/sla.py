"""SLA policies per team and channel, business-hours calendars and their holidays."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.accounts.models import Team
from comptoir.core.models import BaseModel


def default_hours() -> dict[str, list[list[str]]]:
    """Monday (0) to Friday (4), 9:00–18:00 local time."""
    return {str(day): [["09:00", "18:00"]] for day in range(5)}


class BusinessCalendar(BaseModel):
    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    timezone = models.CharField(max_length=60, default="Europe/Paris")
    # {"0": [["09:00", "18:00"]], …}: weekday (Monday = 0) → local opening intervals.
    hours = models.JSONField(default=default_hours)

    def __str__(self) -> str:
        return self.code


class Holiday(models.Model):
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.CASCADE, related_name="holidays"
    )
    date = models.DateField()
    name = models.CharField(max_length=120)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["calendar", "date"], name="holiday_calendar_date_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class SlaPolicy(BaseModel):
    """Targets in business minutes of the calendar. ``team`` null = every team; ``channel``
    blank = every channel; the most specific policy wins."""

    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="sla_policies"
    )
    channel = models.CharField(max_length=10, blank=True, default="")
    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.PROTECT, related_name="+")
    first_response_minutes = models.PositiveIntegerField(_("first response (business minutes)"))
    next_response_minutes = models.PositiveIntegerField(_("next response (business minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (business minutes)"))
    # Warn this many business minutes before a target.
    warn_before_minutes = models.PositiveIntegerField(default=60)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team", "channel"],
                name="sla_team_channel_unique",
                condition=models.Q(team__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["channel"],
                name="sla_default_channel_unique",
                condition=models.Q(team__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"SLA {self.team_id or '*'}/{self.channel or '*'}"
