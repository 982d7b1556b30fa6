"""uploads_delete_anonymous: rows at once, files after commit, owned uploads never."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from PIL import Image

from comptoir.core.uploads import (
    Upload,
    upload_create,
    upload_create_anonymous,
    uploads_delete_anonymous,
)
from comptoir.testing.factories import UserFactory

SECRET = "a-secret-verification-token-0123456789"


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (12, 10), (10, 200, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.django_db
def test_anonymous_uploads_go_owned_ones_stay(django_capture_on_commit_callbacks: Any) -> None:
    anonymous = upload_create_anonymous(
        binding=SECRET, file=("a.png", _png()), allowed_kinds={"image"}
    )
    owned = upload_create(owner=UserFactory(), file=("b.png", _png()), allowed_kinds={"image"})
    paths = [Path(anonymous.file.path), Path(owned.file.path)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert uploads_delete_anonymous(ids=[anonymous.pk, owned.pk, 999_999]) == 1
    assert paths[0].exists()  # the file waits for the commit
    for callback in callbacks:
        callback()
    assert not paths[0].exists() and paths[1].exists()
    assert list(Upload.objects.values_list("pk", flat=True)) == [owned.pk]
    with django_capture_on_commit_callbacks(execute=True):
        assert uploads_delete_anonymous(ids=[anonymous.pk]) == 0  # idempotent
    assert uploads_delete_anonymous(ids=[]) == 0


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_deletion_keeps_the_file() -> None:
    anonymous = upload_create_anonymous(
        binding=SECRET, file=("a.png", _png()), allowed_kinds={"image"}
    )
    with pytest.raises(RuntimeError), transaction.atomic():
        uploads_delete_anonymous(ids=[anonymous.pk])
        raise RuntimeError("the caller fails after the deletion")
    assert Path(anonymous.file.path).exists() and Upload.objects.filter(pk=anonymous.pk).exists()
