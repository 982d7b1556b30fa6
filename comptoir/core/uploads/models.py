"""Uploaded files: type detected by content, stored privately, served through a permission check."""

from __future__ import annotations

import os

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from comptoir.core import clock
from comptoir.core.ids import new_public_id, new_token


class UploadKind(models.TextChoices):
    IMAGE = "image", _("Image")
    VIDEO = "video", _("Video")
    PDF = "pdf", _("PDF document")


def upload_path(instance: Upload, filename: str) -> str:
    """``uploads/<yyyy>/<mm>/<random>.<ext>``: nothing of the client's file name is kept."""
    extension = os.path.splitext(filename)[1].lower()[:8]
    stamp = clock.now()
    return f"uploads/{stamp:%Y}/{stamp:%m}/{new_token(18)}{extension}"


class Upload(models.Model):
    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="uploads",
        verbose_name=_("owner"),
    )
    # Files of visitors without an account (contact form): no owner, but the SHA-256 of the
    # secret they are bound to (e.g. the pending request's verification token). Nobody but
    # staff (and the upload_access rules) can ever download them.
    anonymous_key = models.CharField(max_length=64, blank=True, default="", db_index=True)
    kind = models.CharField(_("kind"), max_length=10, choices=UploadKind.choices)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    file = models.FileField(_("file"), upload_to=upload_path, max_length=200)
    original_name = models.CharField(_("original name"), max_length=200, blank=True, default="")
    width = models.PositiveIntegerField(_("width"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=clock.now, editable=False)

    class Meta:
        app_label = "core"
        verbose_name = _("upload")
        verbose_name_plural = _("uploads")
        indexes = [models.Index(fields=["owner", "created_at"], name="upload_owner_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=UploadKind.values), name="upload_kind_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(owner__isnull=False) | ~models.Q(anonymous_key=""),
                name="upload_owner_or_anonymous",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.original_name or self.public_id} ({self.kind})"

    @property
    def url(self) -> str:
        """The private URL (permission-checked view), never the storage path."""
        return reverse("file-download", args=[self.public_id])

    @property
    def is_image(self) -> bool:
        return self.kind == UploadKind.IMAGE
