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


# --- ranked search (ranking.py): an inverted index in plain tables, so that the score is
# computed by the database with one formula on SQLite and PostgreSQL alike ------------------------


class SearchPosting(models.Model):
    """One normalised term of one ranked document: its field-weighted frequency, whether it is
    in the title or the keywords, and the document's weighted length (for BM25)."""

    doc_type = models.CharField(max_length=40)
    language = models.CharField(max_length=8)
    term = models.CharField(max_length=40)
    doc_id = models.BigIntegerField()
    tf = models.FloatField()
    in_title = models.SmallIntegerField(default=0)
    in_keywords = models.SmallIntegerField(default=0)
    length = models.FloatField()
    private = models.BooleanField(default=False)  # staff only (internal articles)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["doc_type", "doc_id", "term"], name="searchposting_doc_term_unique"
            )
        ]
        indexes = [
            # Covering: the ranking query reads nothing else.
            models.Index(
                fields=[
                    "doc_type", "language", "term", "private", "doc_id",
                    "tf", "in_title", "in_keywords", "length",
                ],
                name="searchposting_rank_idx",
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.doc_type}:{self.doc_id}:{self.term}"


class SearchTerm(models.Model):
    """The vocabulary of ranked documents, with document frequencies (idf, typo correction)."""

    doc_type = models.CharField(max_length=40)
    language = models.CharField(max_length=8)
    term = models.CharField(max_length=40)
    df = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["doc_type", "language", "term"], name="searchterm_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.doc_type}:{self.language}:{self.term}"


class SearchStats(models.Model):
    """Number and total weighted length of the ranked documents per type and language."""

    doc_type = models.CharField(max_length=40)
    language = models.CharField(max_length=8)
    documents = models.PositiveIntegerField(default=0)
    total_length = models.FloatField(default=0.0)
    version = models.PositiveBigIntegerField(default=0)  # bumped on every change (caches)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["doc_type", "language"], name="searchstats_unique")
        ]

    def __str__(self) -> str:
        return f"{self.doc_type}:{self.language}"
