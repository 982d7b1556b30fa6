"""Help-center articles (one row per slug and language: translations share the slug), their
revisions, "was this helpful?" votes, deflections from the contact menu, and the contact
requests of anonymous visitors waiting for their e-mail address to be verified."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from comptoir.core import clock
from comptoir.core.models import BaseModel
from comptoir.taxonomy.models import Node

from .enums import ArticleLanguage, ArticleStatus


class Article(BaseModel):
    slug = models.SlugField(max_length=120)
    language = models.CharField(max_length=2, choices=ArticleLanguage.choices)
    node = models.ForeignKey(
        Node, on_delete=models.PROTECT, null=True, blank=True, related_name="articles"
    )
    title = models.CharField(_("title"), max_length=200)
    keywords = models.CharField(_("search keywords"), max_length=500, blank=True, default="")
    body_markdown = models.TextField(_("text (Markdown)"))
    body_html = models.TextField(editable=False, default="")  # sanitised with nh3
    excerpt = models.CharField(max_length=300, blank=True, default="")
    status = models.CharField(
        max_length=10, choices=ArticleStatus.choices, default=ArticleStatus.DRAFT
    )
    internal = models.BooleanField(
        _("internal only"), default=False, help_text=_("Shown to staff only.")
    )
    position = models.PositiveIntegerField(default=0)
    related_slugs = models.CharField(max_length=500, blank=True, default="")
    published_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)
    helpful_yes = models.PositiveIntegerField(default=0)
    helpful_no = models.PositiveIntegerField(default=0)
    deflections = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["language", "position", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "language"], name="article_slug_language"),
            models.CheckConstraint(
                condition=models.Q(status__in=ArticleStatus.values), name="article_status_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=ArticleLanguage.values),
                name="article_language_valid",
            ),
        ]
        indexes = [models.Index(fields=["language", "status", "internal", "node"])]

    def __str__(self) -> str:
        return f"{self.language}/{self.slug}"

    @property
    def is_public(self) -> bool:
        return self.status == ArticleStatus.PUBLISHED and not self.internal


class ArticleRevision(models.Model):
    """A snapshot of every saved version, with who saved it."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body_markdown = models.TextField()
    keywords = models.CharField(max_length=500, blank=True, default="")
    status = models.CharField(max_length=10, choices=ArticleStatus.choices)
    internal = models.BooleanField(default=False)
    node_code = models.CharField(max_length=160, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="revision_article_number")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} r{self.number}"


class ArticleFeedback(models.Model):
    """One "was this helpful?" vote per visitor (user or session) and article."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    voter = models.CharField(max_length=80)  # "u:<user id>" or "s:<session key hash>"
    helpful = models.BooleanField()
    created_at = models.DateTimeField(default=clock.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "voter"], name="feedback_article_voter")
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {'+' if self.helpful else '-'}"


class Deflection(models.Model):
    """A visitor who read the suggested articles for a concern and did not write to us."""

    node = models.ForeignKey(Node, on_delete=models.PROTECT, related_name="+")
    article = models.ForeignKey(
        Article, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    language = models.CharField(max_length=2)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=clock.now, db_index=True, editable=False)

    def __str__(self) -> str:
        return f"deflection {self.node_id}"


class PendingContactRequest(BaseModel):
    """A request from a visitor who is not signed in: kept here until the e-mail address is
    verified by the link we send, then handed to the tickets intake (nobody works it before)."""

    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    node_code = models.CharField(max_length=160)
    subject = models.CharField(max_length=200, blank=True, default="")
    text = models.TextField()
    order_number = models.CharField(max_length=32, blank=True, default="")
    language = models.CharField(max_length=2)
    upload_ids = models.JSONField(default=list, blank=True)
    expires_at = models.DateTimeField()
    verified_at = models.DateTimeField(null=True, blank=True)
    ticket_number = models.CharField(max_length=20, blank=True, default="")

    def __str__(self) -> str:
        return f"pending {self.email}"
