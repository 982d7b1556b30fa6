"""Uploads of visitors without an account: images and PDF only, a smaller size limit, bound to
a secret, never downloadable by anyone but staff (and the upload_access rules)."""

from __future__ import annotations

import io

import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from PIL import Image

from comptoir.accounts.enums import Role
from comptoir.core.uploads import (
    Upload,
    UploadRefused,
    upload_can_access,
    upload_create,
    upload_create_anonymous,
    uploads_bound_to,
)
from comptoir.testing.factories import UserFactory

SECRET = "a-secret-verification-token-0123456789"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (10, 200, 30)).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.django_db
def test_anonymous_upload_is_bound_and_private(client: Client) -> None:
    upload = upload_create_anonymous(
        binding=SECRET, file=("photo.png", _png()), allowed_kinds={"image", "pdf", "video"}
    )
    assert upload.owner_id is None and upload.anonymous_key and SECRET not in upload.anonymous_key
    assert (upload.kind, upload.width, upload.height) == ("image", 30, 20)
    assert uploads_bound_to(binding=SECRET, ids=[upload.pk]) == [upload]
    assert uploads_bound_to(binding="another-secret-of-16-chars", ids=[upload.pk]) == []
    customer = UserFactory()
    staff = UserFactory(role=Role.AGENT)
    assert not upload_can_access(user=None, upload=upload)
    assert not upload_can_access(user=customer, upload=upload)
    assert upload_can_access(user=staff, upload=upload)
    assert client.get(upload.url).status_code == 404  # not even its anonymous sender
    client.force_login(customer)
    assert client.get(upload.url).status_code == 404


@pytest.mark.django_db
def test_anonymous_limits(settings) -> None:
    with pytest.raises(UploadRefused) as refused:
        upload_create_anonymous(
            binding=SECRET,
            file=("clip.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64),
            allowed_kinds={"image", "pdf"},
        )
    assert refused.value.code == "upload_type_not_allowed"
    with pytest.raises(ValueError):  # videos are never accepted from visitors
        upload_create_anonymous(binding=SECRET, file=("a.mp4", b"x"), allowed_kinds={"video"})
    with pytest.raises(ValueError):  # the binding must be a secret
        upload_create_anonymous(binding="short", file=("a.png", _png()), allowed_kinds={"image"})
    settings.UPLOAD_ANONYMOUS_MAX_BYTES = 50
    with pytest.raises(UploadRefused) as refused:
        upload_create_anonymous(binding=SECRET, file=("a.png", _png()), allowed_kinds={"image"})
    assert refused.value.code == "upload_too_large" and refused.value.details == {"max_bytes": 50}
    assert Upload.objects.count() == 0


@pytest.mark.django_db
def test_an_upload_has_an_owner_or_a_binding() -> None:
    with pytest.raises(ValueError):
        upload_create(owner=None, file=("a.png", _png()), allowed_kinds={"image"})
    upload = upload_create_anonymous(
        binding=SECRET, file=("a.png", _png()), allowed_kinds={"image"}
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Upload.objects.filter(pk=upload.pk).update(anonymous_key="")
