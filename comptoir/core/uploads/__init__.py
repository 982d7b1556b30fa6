"""Uploads (see services.py). Public API re-exported here."""

from .models import Upload, UploadKind
from .services import (
    UploadRefused,
    download_name,
    sanitise_filename,
    upload_access,
    upload_can_access,
    upload_create,
    upload_create_anonymous,
    uploads_bound_to,
    uploads_delete_anonymous,
)

__all__ = [
    "Upload",
    "UploadKind",
    "UploadRefused",
    "download_name",
    "sanitise_filename",
    "upload_access",
    "upload_can_access",
    "upload_create",
    "upload_create_anonymous",
    "uploads_bound_to",
    "uploads_delete_anonymous",
]
