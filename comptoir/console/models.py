"""Queue counters: the number of active tickets per bucket (team, assignee, status, SLA state,
restricted), kept in the same transaction as each ticket change (``ticket_changed_hooks``) and
reconciled by the ``console.reconcile_counters`` sweep. A bucket is spread over a few shards
so that concurrent changes of one busy bucket do not queue on one row; readers sum them.

Keys are integers with 0 for "none" (no team / unassigned) so that one unique constraint holds
on both databases (NULLs are distinct in unique indexes)."""

from __future__ import annotations

from django.db import models


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
