"""The contact taxonomy: six categories, three levels (PRODUCT.md §5).

Settings (team, skill, needs-an-order, usual resolution) are set on level 2 and inherited by
level 3 unless overridden; ``taxonomy.selectors`` resolves the effective values. Codes never
change; nodes are retired, never deleted."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.accounts.models import Skill, Team
from comptoir.core import clock
from comptoir.core.models import BaseModel

from .enums import NodeChangeAction, Resolution


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
        verbose_name = _("taxonomy node")
        verbose_name_plural = _("taxonomy nodes")
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


class NodeChange(models.Model):
    """One row per edit of the tree (creation, update, retirement), with old and new values."""

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(max_length=20, choices=NodeChangeAction.choices)
    # {"field": [old, new], ...}; team and skill as codes, datetimes as ISO strings.
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=clock.now, db_index=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("taxonomy change")
        verbose_name_plural = _("taxonomy changes")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=NodeChangeAction.values),
                name="nodechange_action_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.node_id}"
