"""The version token of the desk's reference data (tickets.desk_cache)."""

from __future__ import annotations

from django.db import models


class DeskVersion(models.Model):
    """One row whose ``token`` database triggers replace in the same transaction as any write to
    the tables intake caches in each process (taxonomy nodes, teams, skills, SLA policies,
    calendars, holidays). A random token, so a rolled-back edit never makes an old one valid."""

    id = models.PositiveSmallIntegerField(primary_key=True)
    token = models.BigIntegerField()

    def __str__(self) -> str:
        return f"desk version {self.token}"
