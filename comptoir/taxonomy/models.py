"""The contact taxonomy: six categories, three levels (PRODUCT.md §5).

Settings (team, skill, needs-an-order, usual resolution) are set on level 2 and inherited by
level 3 unless overridden; ``taxonomy.selectors`` resolves the effective values. Codes never
change; nodes are retired, never deleted."""

from __future__ import annotations

from django.db import models

from comptoir.accounts.models import Skill, Team
from comptoir.core.models import BaseModel

from .enums import Resolution


class Node(BaseModel):
    code = models.CharField(max_length=160, unique=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    level = models.PositiveSmallIntegerField()
    position = models.PositiveIntegerField(default=0)
    label_fr = models.CharField(max_length=200)
    label_en = models.CharField(max_length=200)
    # Null on level 3 means "inherit from level 2".
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="nodes"
    )
    skill = models.ForeignKey(
        Skill, on_delete=models.PROTECT, null=True, blank=True, related_name="nodes"
    )
    needs_order = models.BooleanField(null=True, blank=True)
    usual_resolution = models.CharField(
        max_length=20, choices=Resolution.choices, null=True, blank=True
    )
    restricted = models.BooleanField(
        default=False, help_text="Only staff may file under this node."
    )
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["level", "position", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=3), name="node_level_1_to_3"
            ),
            models.CheckConstraint(
                condition=models.Q(level=1, parent__isnull=True)
                | models.Q(level__gt=1, parent__isnull=False),
                name="node_parent_matches_level",
            ),
            models.CheckConstraint(
                condition=models.Q(usual_resolution__isnull=True)
                | models.Q(usual_resolution__in=Resolution.values),
                name="node_resolution_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    def label(self, language: str) -> str:
        return self.label_fr if language == "fr" else self.label_en

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None
