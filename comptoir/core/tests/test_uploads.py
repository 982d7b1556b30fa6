import hashlib
import io
import random
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

from comptoir.core import clock
from comptoir.core.uploads import (
    Upload,
    UploadRefused,
    download_name,
    sanitise_filename,
    upload_access,
    upload_can_access,
    upload_create,
)

ALL = {"image", "video", "pdf"}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def image_bytes(fmt="JPEG", size=(40, 20), color=(200, 30, 30), **save):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt, **save)
    return out.getvalue()


def jpeg_with_exif(orientation=6):
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation: rotate 90° clockwise to display
    exif[0x010F] = "SpyCam"  # Make
    exif[0x0131] = "Secret software"  # Software
    return image_bytes("JPEG", size=(40, 20), exif=exif.tobytes())


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb(width=100_000, height=100_000):
    """A tiny PNG whose header claims a huge canvas (a decompression bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", ihdr)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free" + b"\x00" * 2000
WEBM = (
    b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\xf2\x81\x04\x42\xf3\x81\x08"
    b"\x42\x82\x84webm\x42\x87\x81\x04\x42\x85\x81\x02" + b"\x00" * 2000
)
PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n"
    b"2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


def pdf_with(text: bytes) -> bytes:
    return PDF.replace(b"/Type /Catalog", b"/Type /Catalog " + text)


def test_jpeg_is_reencoded_with_orientation_applied_and_exif_stripped(user):
    data = jpeg_with_exif()
    upload = upload_create(owner=user, file=("holiday.JPG", data), allowed_kinds={"image"})
    assert upload.kind == "image"
    assert upload.content_type == "image/jpeg"
    assert (upload.width, upload.height) == (20, 40)  # rotated by the EXIF orientation
    assert upload.original_name == "holiday.JPG"
    stored = upload.file.read()
    assert upload.size == len(stored)
    assert upload.sha256 == hashlib.sha256(stored).hexdigest()
    reopened = Image.open(io.BytesIO(stored))
    assert reopened.format == "JPEG"
    assert reopened.size == (20, 40)
    assert dict(reopened.getexif()) == {}
    assert b"SpyCam" not in stored
    assert b"Secret software" not in stored


def test_stored_under_year_month_with_a_random_name(user):
    import datetime as dt

    with clock.frozen_at(dt.datetime(2025, 7, 14, 12, 0, tzinfo=dt.UTC)):
        upload = upload_create(
            owner=user, file=("../../etc/passwd.png", image_bytes("PNG")), allowed_kinds={"image"}
        )
    parts = upload.file.name.split("/")
    assert parts[:3] == ["uploads", "2025", "07"]
    assert parts[3].endswith(".png")
    assert "passwd" not in parts[3]
    assert upload.original_name == "passwd.png"
    assert upload.created_at == dt.datetime(2025, 7, 14, 12, 0, tzinfo=dt.UTC)
    assert len(upload.public_id) == 26


def test_png_text_chunks_are_dropped_and_transparency_kept(user):
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "gps 48.85,2.35")
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 255, 128)).save(out, format="PNG", pnginfo=info)
    upload = upload_create(owner=user, file=("a.png", out.getvalue()), allowed_kinds={"image"})
    stored = upload.file.read()
    assert b"gps 48.85" not in stored
    image = Image.open(io.BytesIO(stored))
    assert image.format == "PNG"
    assert image.mode == "RGBA"
    assert image.getpixel((0, 0)) == (0, 0, 255, 128)


def test_webp_stays_webp(user):
    upload = upload_create(
        owner=user, file=("a.webp", image_bytes("WEBP")), allowed_kinds={"image"}
    )
    assert upload.content_type == "image/webp"
    assert Image.open(upload.file).format == "WEBP"
    assert (upload.width, upload.height) == (40, 20)


def test_type_comes_from_content_not_from_name_or_client_type(user):
    # A real PNG with a misleading client content type and no extension is a PNG.
    file = SimpleUploadedFile("picture", image_bytes("PNG"), content_type="application/pdf")
    upload = upload_create(owner=user, file=file, allowed_kinds={"image"})
    assert upload.content_type == "image/png"
    assert download_name(upload) == "picture.png"


def test_pdf_named_jpg_is_refused_as_not_allowed_for_images(user):
    with pytest.raises(UploadRefused) as info:
        upload_create(owner=user, file=("photo.jpg", PDF), allowed_kinds={"image"})
    assert info.value.code == "upload_type_not_allowed"
    assert info.value.http_status == 422
    assert info.value.details == {"detected": "application/pdf"}
    assert Upload.objects.count() == 0


def test_pdf_named_jpg_is_a_mismatch_when_pdfs_are_allowed(user):
    with pytest.raises(UploadRefused) as info:
        upload_create(owner=user, file=("photo.jpg", PDF), allowed_kinds=ALL)
    assert info.value.code == "upload_type_mismatch"
    assert Upload.objects.count() == 0


def test_executable_disguised_as_jpeg_is_refused(user, media_root):
    elf = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 200
    with pytest.raises(UploadRefused) as info:
        upload_create(owner=user, file=("cute-cat.jpg", elf), allowed_kinds=ALL)
    assert info.value.code == "upload_type_not_allowed"
    assert info.value.details == {"detected": "application/x-executable"}
    assert list(media_root.rglob("*.*")) == []


def test_text_file_is_refused_with_a_translated_message(user):
    from django.utils import translation

    with translation.override("fr"), pytest.raises(UploadRefused) as info:
        upload_create(
            owner=user, file=("notes.txt", b"hello world"), allowed_kinds={"image", "pdf"}
        )
    assert info.value.code == "upload_type_not_allowed"
    assert (
        info.value.message
        == "Ce type de fichier n’est pas accepté. Acceptés : images, documents PDF."
    )


def test_empty_file_is_refused(user):
    with pytest.raises(UploadRefused) as info:
        upload_create(owner=user, file=("a.png", b""), allowed_kinds={"image"})
    assert info.value.code == "upload_empty"


def test_oversized_image_is_refused(user, settings):
    settings.UPLOAD_MAX_IMAGE_BYTES = 1000
    noisy = io.BytesIO()
    Image.frombytes("L", (100, 100), random.Random(1).randbytes(10_000)).save(noisy, format="PNG")
    assert len(noisy.getvalue()) > 1000
    with pytest.raises(UploadRefused) as info:
        upload_create(owner=user, file=("big.png", noisy.getvalue()), allowed_kinds={"image"})
    assert info.value.code == "upload_too_large"
    assert info.value.details == {"max_bytes": 1000}


def test_size_limit_is_per_kind(user, settings):
    settings.UPLOAD_MAX_PDF_BYTES = 100
    assert len(PDF) > 100
    with pytest.raises(UploadRefused) as info:
        upload_create(owner=user, file=("doc.pdf", PDF), allowed_kinds={"pdf", "video"})
    assert info.value.code == "upload_too_large"
    assert info.value.details == {"max_bytes": 100}


def test_pixel_bomb_is_refused(user):
    with pytest.raises(UploadRefused) as info:
        upload_create(owner=user, file=("bomb.png", png_bomb()), allowed_kinds={"image"})
    assert info.value.code == "upload_image_too_many_pixels"
    assert Upload.objects.count() == 0


def test_pixel_cap_from_settings(user, settings):
    settings.UPLOAD_MAX_IMAGE_PIXELS = 799
    with pytest.raises(UploadRefused) as info:
        upload_create(
            owner=user, file=("a.png", image_bytes("PNG", size=(40, 20))), allowed_kinds={"image"}
        )
    assert info.value.code == "upload_image_too_many_pixels"
    settings.UPLOAD_MAX_IMAGE_PIXELS = 800
    assert (
        upload_create(
            owner=user, file=("a.png", image_bytes("PNG", size=(40, 20))), allowed_kinds={"image"}
        ).width
        == 40
    )


def test_truncated_image_is_refused(user):
    data = image_bytes("PNG", size=(200, 200))[:120]
    with pytest.raises(UploadRefused) as info:
        upload_create(owner=user, file=("a.png", data), allowed_kinds={"image"})
    assert info.value.code == "upload_invalid_image"


@pytest.mark.parametrize(
    ("name", "data", "mime"), [("clip.mp4", MP4, "video/mp4"), ("clip.webm", WEBM, "video/webm")]
)
def test_videos_are_stored_as_is(user, name, data, mime):
    upload = upload_create(owner=user, file=(name, data), allowed_kinds={"video"})
    assert upload.kind == "video"
    assert upload.content_type == mime
    assert upload.size == len(data)
    assert upload.sha256 == hashlib.sha256(data).hexdigest()
    assert upload.file.read() == data
    assert (upload.width, upload.height) == (None, None)


def test_video_from_an_uploaded_file_object(user):
    file = SimpleUploadedFile("clip.mp4", MP4, content_type="video/mp4")
    upload = upload_create(owner=user, file=file, allowed_kinds={"video", "image"})
    assert upload.file.read() == MP4


def test_clean_pdf_is_accepted(user):
    upload = upload_create(owner=user, file=("invoice.pdf", PDF), allowed_kinds={"pdf"})
    assert (upload.kind, upload.content_type, upload.size) == ("pdf", "application/pdf", len(PDF))
    assert upload.file.read() == PDF


@pytest.mark.parametrize(
    "payload",
    [
        b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
        b"/AA << /O << /S /J#61vaScript /J#53 (x) >> >>",
        b"/OpenAction << /S /Launch /F (calc.exe) >>",
    ],
)
def test_pdf_with_javascript_or_launch_is_refused(user, payload):
    with pytest.raises(UploadRefused) as info:
        upload_create(owner=user, file=("invoice.pdf", pdf_with(payload)), allowed_kinds={"pdf"})
    assert info.value.code == "upload_pdf_active_content"


def test_pdf_with_javascript_hidden_in_a_compressed_stream_is_refused(user):
    hidden = zlib.compress(b"<< /S /JavaScript /JS (app.alert(1)) >>")
    data = PDF.replace(
        b"trailer",
        b"3 0 obj\n<< /Type /ObjStm /Filter /FlateDecode >>\nstream\n"
        + hidden
        + b"\nendstream\nendobj\ntrailer",
    )
    with pytest.raises(UploadRefused) as info:
        upload_create(owner=user, file=("invoice.pdf", data), allowed_kinds={"pdf"})
    assert info.value.code == "upload_pdf_active_content"


def test_pdf_not_starting_with_the_header_is_refused(user):
    with pytest.raises(UploadRefused) as info:
        upload_create(
            owner=user, file=("invoice.pdf", b"\xef\xbb\xbf" + PDF), allowed_kinds={"pdf"}
        )
    assert info.value.code == "upload_invalid_pdf"


def test_allowed_kinds_must_be_known(user):
    with pytest.raises(ValueError):
        upload_create(owner=user, file=("a.png", image_bytes("PNG")), allowed_kinds={"exe"})


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("C:\\Users\\me\\photo.jpg", "photo.jpg"),
        ("../../etc/passwd", "passwd"),
        ("invoice\u202egnp.exe", "invoicegnp.exe"),
        ("  .hidden.pdf ", "hidden.pdf"),
        ('a<b>"c".png', "a_b__c_.png"),
        ("", "file"),
        ("facture été.pdf", "facture été.pdf"),
        ("x" * 300 + ".pdf", "x" * 196 + ".pdf"),
    ],
)
def test_sanitise_filename(raw, clean):
    assert sanitise_filename(raw) == clean


# --- serving ---------------------------------------------------------------------------------


@pytest.fixture
def pdf_upload(user):
    return upload_create(owner=user, file=("Facture mars.pdf", PDF), allowed_kinds={"pdf"})


def test_owner_downloads_a_pdf_as_attachment(client, user, pdf_upload):
    client.force_login(user)
    response = client.get(f"/files/{pdf_upload.public_id}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Facture mars.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    assert pdf_upload.url == f"/files/{pdf_upload.public_id}/"


def test_images_are_shown_inline(client, user):
    upload = upload_create(
        owner=user, file=("cat.png", image_bytes("PNG")), allowed_kinds={"image"}
    )
    client.force_login(user)
    response = client.get(upload.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="cat.png"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_other_users_and_anonymous_get_404(client, make_user, pdf_upload):
    assert client.get(pdf_upload.url).status_code == 404
    client.force_login(make_user())
    assert client.get(pdf_upload.url).status_code == 404
    assert client.get("/files/doesnotexist/").status_code == 404


def test_staff_may_download(client, make_user, pdf_upload):
    agent = make_user(role="agent")
    client.force_login(agent)
    assert client.get(pdf_upload.url).status_code == 200


def test_access_registry_grants_more_people(make_user, pdf_upload):
    other = make_user()
    assert upload_can_access(user=other, upload=pdf_upload) is False
    upload_access.register("test-rule", lambda user, upload: user.pk == other.pk)
    try:
        assert upload_can_access(user=other, upload=pdf_upload) is True
        assert upload_can_access(user=make_user(), upload=pdf_upload) is False
    finally:
        upload_access.unregister("test-rule")


def test_post_is_not_allowed(client, user, pdf_upload):
    client.force_login(user)
    assert client.post(pdf_upload.url).status_code == 405
