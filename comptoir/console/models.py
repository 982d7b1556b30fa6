"""Queue counters: the number of active tickets per bucket (team, assignee, status, SLA state,
restricted), kept in the same transaction as each ticket change (``ticket_changed_hooks``) and
reconciled by the ``console.reconcile_counters`` sweep. A bucket is spread over a few shards
so that concurrent changes of one busy bucket do not queue on one row; readers sum them.

Keys are integers with 0 for "none" (no team / unassigned) so that one unique constraint holds
on both databases (NULLs are distinct in unique indexes).

Supervisor edits: the history of changes to agents, teams, SLA policies, calendars and macros."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.core import clock


class QueueCounter(models.Model):
    team_key = models.BigIntegerField()  # team id, 0 = no team
    assignee_key = models.BigIntegerField()  # user id, 0 = unassigned
    status = models.CharField(max_length=10)
    sla_state = models.CharField(max_length=10)
    restricted = models.BooleanField()
    shard = models.PositiveSmallIntegerField(default=0)
    n = models.BigIntegerField(default=0)  # one shard may go below 0; the sum never does

    objects: models.Manager[QueueCounter] = models.Manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["team_key", "assignee_key", "status", "sla_state", "restricted", "shard"],
                name="queue_counter_bucket_unique",
            )
        ]
        indexes = [models.Index(fields=["assignee_key", "team_key"], name="queue_counter_who")]

    def __str__(self) -> str:
        return (
            f"t{self.team_key}/a{self.assignee_key}/{self.status}/{self.sla_state}"
            f"/{'r' if self.restricted else '-'}#{self.shard}={self.n}"
        )


class SupervisorEdit(models.Model):
    """One change made by a supervisor to how the desk works (agents, teams, SLA policies,
    calendars, holidays, macros): who, when, what, and each field's value before and after.
    Written in the same transaction as the change by ``console.services.supervisor``."""

    class Kind(models.TextChoices):
        AGENT = "agent", _("Agent")
        TEAM = "team", _("Team membership")
        SLA_POLICY = "sla_policy", _("SLA policy")
        CALENDAR = "calendar", _("Calendar")
        HOLIDAY = "holiday", _("Holiday")
        MACRO = "macro", _("Macro")

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    target = models.CharField(max_length=200)  # what was changed, as a supervisor reads it
    created = models.BooleanField(default=False)  # a new object rather than a change
    changes = models.JSONField(default=dict)  # {"field": [before, after]}, values as text
    created_at = models.DateTimeField(default=clock.now)

    objects: models.Manager[SupervisorEdit] = models.Manager()

    class Meta:
        indexes = [models.Index(fields=["-created_at", "-id"], name="supervisor_edit_recent")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=["agent", "team", "sla_policy", "calendar", "holiday", "macro"]
                ),
                name="supervisor_edit_kind_valid",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.target}"

    def labelled_changes(self) -> list[tuple[str, str, str]]:
        """(field label in the reader's language, before, after) for the history page."""
        return [
            (str(FIELD_LABELS.get(name, name)), before, after)
            for name, (before, after) in self.changes.items()
        ]


FIELD_LABELS = {
    "teams": _("teams"),
    "languages": _("languages"),
    "skills": _("skills"),
    "max_open_tickets": _("open-ticket cap"),
    "member": _("member"),
    "team": _("team"),
    "channel": _("channel"),
    "calendar": _("calendar"),
    "first_response_minutes": _("first response (business minutes)"),
    "next_response_minutes": _("next response (business minutes)"),
    "resolution_minutes": _("resolution (business minutes)"),
    "warn_before_minutes": _("warning before (minutes)"),
    "name": _("name"),
    "timezone": _("time zone"),
    "hours": _("opening hours"),
    "title_fr": _("title (French)"),
    "title_en": _("title (English)"),
    "body_fr": _("text (French)"),
    "body_en": _("text (English)"),
    "active": _("active"),
}
