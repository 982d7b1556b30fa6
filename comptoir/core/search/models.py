"""One generic index table keyed by (doc_type, doc_id); the backends add their full-text
structure on top of it in the migration (an FTS5 table on SQLite, a GIN index on PostgreSQL)."""

from __future__ import annotations

from django.db import models

from comptoir.core import clock


class SearchDocument(models.Model):
    doc_type = models.CharField(max_length=40)
    doc_id = models.BigIntegerField()
    language = models.CharField(max_length=8, default="")
    # The normalised text (normaliser.normalise): what both backends index.
    text = models.TextField(default="")
    updated_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["doc_type", "doc_id"], name="searchdoc_type_id_unique")
        ]

    def __str__(self) -> str:
        return f"{self.doc_type}:{self.doc_id}"
