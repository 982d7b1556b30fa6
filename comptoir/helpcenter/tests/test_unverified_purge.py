"""Requests of visitors who never open the verification link are deleted with their files
(sweep "helpcenter.unverified_requests") once the retention has passed; verified requests,
requests still in their window and uploads with an owner are never touched."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from comptoir.core import clock
from comptoir.core.sweeps import run_sweep
from comptoir.core.uploads import Upload
from comptoir.helpcenter.models import PendingContactRequest
from comptoir.helpcenter.services import pending_request_create, pending_request_verify
from comptoir.tickets.models import MessageAttachment

T0 = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
NODE = "account.login.forgot_password"


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _png(name: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), (10, 10, 200)).save(out, format="PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def _request(email: str, *files: str) -> tuple[PendingContactRequest, str]:
    created = pending_request_create(
        email=email,
        node_code=NODE,
        text="Je n'arrive plus à me connecter.",
        subject="",
        order_number="",
        language="fr",
        attachments=[_png(name) for name in files],
    )
    return created.pending, created.token


def _paths(pending: PendingContactRequest) -> list[Path]:
    uploads = Upload.objects.filter(pk__in=pending.upload_ids)
    return [Path(upload.file.path) for upload in uploads]


def test_unverified_requests_and_their_files_go_after_the_retention(
    help_content: int, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.HELPCENTER_UNVERIFIED_RETENTION_DAYS = 7
    with clock.frozen_at(T0):
        forgotten, _token = _request("forgot@example.org", "a.png", "b.png")
        verified, token = _request("kept@example.org", "c.png")
    with clock.frozen_at(T0 + 2 * DAY):
        recent, _other = _request("recent@example.org", "d.png")
    with clock.frozen_at(T0 + DAY), django_capture_on_commit_callbacks(execute=True):
        pending_request_verify(token=token)
    files = _paths(forgotten)
    kept_files = _paths(verified) + _paths(recent)
    assert len(files) == 2 and all(path.exists() for path in files + kept_files)

    # The link has expired (3 days) but the retention (7 days) has not passed: nothing yet.
    assert run_sweep("helpcenter.unverified_requests", now=T0 + 6 * DAY).handled == 0
    assert PendingContactRequest.objects.count() == 3

    with django_capture_on_commit_callbacks(execute=True):
        result = run_sweep("helpcenter.unverified_requests", now=T0 + 7 * DAY)
    assert result.handled == 1
    assert set(PendingContactRequest.objects.values_list("email", flat=True)) == {
        "kept@example.org",
        "recent@example.org",
    }
    assert not Upload.objects.filter(pk__in=forgotten.upload_ids).exists()
    assert not any(path.exists() for path in files)
    assert all(path.exists() for path in kept_files)
    # The verified request's file is the ticket's now: untouched, still attached.
    assert MessageAttachment.objects.filter(upload_id__in=verified.upload_ids).count() == 1

    # Idempotent; the later request goes in its own time, the verified one never.
    assert run_sweep("helpcenter.unverified_requests", now=T0 + 7 * DAY).handled == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert run_sweep("helpcenter.unverified_requests", now=T0 + 90 * DAY).handled == 1
    assert list(PendingContactRequest.objects.values_list("email", flat=True)) == [
        "kept@example.org"
    ]
    assert Upload.objects.filter(pk__in=verified.upload_ids).count() == 1


def test_retention_setting_and_the_links_life(help_content: int, settings: Any) -> None:
    with clock.frozen_at(T0):
        _request("forgot@example.org")
    settings.HELPCENTER_UNVERIFIED_RETENTION_DAYS = 1  # never shorter than the link (3 days)
    assert run_sweep("helpcenter.unverified_requests", now=T0 + 2 * DAY).handled == 0
    assert run_sweep("helpcenter.unverified_requests", now=T0 + 3 * DAY).handled == 1
    with clock.frozen_at(T0):
        _request("later@example.org")
    settings.HELPCENTER_UNVERIFIED_RETENTION_DAYS = 30
    assert run_sweep("helpcenter.unverified_requests", now=T0 + 29 * DAY).handled == 0
    assert run_sweep("helpcenter.unverified_requests", now=T0 + 30 * DAY).handled == 1
