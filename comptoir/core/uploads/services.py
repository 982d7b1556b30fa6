"""Upload validation and storage: type by content (filetype + Pillow), never by name or client
content type; size and pixel limits; images re-encoded (EXIF stripped, orientation applied);
PDFs refused when they carry JavaScript or launch actions."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import re
import unicodedata
import warnings
import zlib
from collections.abc import Callable, Iterable
from typing import Any, BinaryIO

import filetype
from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from comptoir.core.errors import ApplicationError
from comptoir.core.registry import Registry

from .models import Upload, UploadKind

logger = logging.getLogger(__name__)

# Detected MIME type → (kind, stored extension). Anything else is refused.
ACCEPTED_TYPES: dict[str, tuple[str, str]] = {
    "image/jpeg": (UploadKind.IMAGE, "jpg"),
    "image/png": (UploadKind.IMAGE, "png"),
    "image/webp": (UploadKind.IMAGE, "webp"),
    "video/mp4": (UploadKind.VIDEO, "mp4"),
    "video/webm": (UploadKind.VIDEO, "webm"),
    "video/quicktime": (UploadKind.VIDEO, "mov"),
    "application/pdf": (UploadKind.PDF, "pdf"),
}
# Pillow's format name for each accepted image type (re-encoded in the same format).
PIL_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
# File-name extensions that claim a kind: a name claiming another kind than the content is refused.
EXTENSION_KINDS: dict[str, str] = {
    **dict.fromkeys(
        ["jpg", "jpeg", "jpe", "jfif", "png", "webp", "gif", "bmp", "tif", "tiff", "heic", "avif"],
        UploadKind.IMAGE,
    ),
    **dict.fromkeys(["mp4", "m4v", "webm", "mov", "avi", "mkv", "wmv", "3gp"], UploadKind.VIDEO),
    "pdf": UploadKind.PDF,
}
# Names in a PDF that run code or programs.
PDF_ACTIVE_NAMES = frozenset({"JS", "JavaScript", "Launch"})
_HEAD_BYTES = 8192
_PDF_INFLATE_LIMIT = 32 * 1024 * 1024

UploadAccess = Callable[[Any, Upload], bool]
# Extra rules granting access to a file (the owner and staff always have it): e.g. the other
# party of a dispute for its evidence. Each returns True to allow; none can deny.
upload_access: Registry[UploadAccess] = Registry("upload access")


class UploadRefused(ApplicationError):
    http_status = 422


def max_bytes(kind: str) -> int:
    limits: dict[str, int] = {
        UploadKind.IMAGE: settings.UPLOAD_MAX_IMAGE_BYTES,
        UploadKind.VIDEO: settings.UPLOAD_MAX_VIDEO_BYTES,
        UploadKind.PDF: settings.UPLOAD_MAX_PDF_BYTES,
    }
    return limits[kind]


def sanitise_filename(name: str, *, max_length: int = 200) -> str:
    """The last path component, without control or bidi characters nor shell/URL specials."""
    text = unicodedata.normalize("NFC", str(name)).replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if unicodedata.category(ch)[0] not in {"C", "Z"} or ch == " ")
    text = re.sub(r"[<>:\"|?*;%$`'&{}\[\]]", "_", text)
    text = re.sub(r"\s+", " ", text).strip(" .")
    if len(text) > max_length:
        stem, ext = os.path.splitext(text)
        ext = ext[:16]
        text = stem[: max_length - len(ext)] + ext
    return text or "file"


def _extension(name: str) -> str:
    return os.path.splitext(name)[1].lstrip(".").lower()


def _refuse(code: str, message: str, **details: Any) -> UploadRefused:
    return UploadRefused(code, message, details)


KIND_PLURALS = {
    UploadKind.IMAGE: gettext_lazy("images"),
    UploadKind.VIDEO: gettext_lazy("videos"),
    UploadKind.PDF: gettext_lazy("PDF documents"),
}


def _kind_labels(kinds: Iterable[str]) -> str:
    return ", ".join(str(KIND_PLURALS[UploadKind(kind)]) for kind in sorted(kinds))


# --- content checks ----------------------------------------------------------------------------


def _reencode_image(data: bytes, mime: str) -> tuple[bytes, int, int]:
    """Decode (within the pixel cap), apply the EXIF orientation, drop metadata, encode again."""
    max_pixels = int(settings.UPLOAD_MAX_IMAGE_PIXELS)
    too_many = _refuse(
        "upload_image_too_many_pixels",
        _("The image is too large (at most %(max)s million pixels).")
        % {"max": f"{max_pixels / 1_000_000:g}"},
    )
    unreadable = _refuse("upload_invalid_image", _("The image could not be read."))
    pil_format = PIL_FORMATS[mime]
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image: Image.Image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > max_pixels:
                raise too_many
            if image.format != pil_format:
                raise unreadable
            image.load()
            image = ImageOps.exif_transpose(image) or image
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise too_many from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
            raise unreadable from exc
    icc_profile = image.info.get("icc_profile")
    has_alpha = image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info
    options: dict[str, Any] = {}
    if pil_format == "JPEG":
        if image.mode not in {"RGB", "L"}:
            image = image.convert("RGB")
        options = {"quality": 90, "optimize": True}
    elif pil_format == "PNG":
        if "transparency" in image.info or image.mode not in {"1", "L", "LA", "P", "RGB", "RGBA"}:
            image = image.convert("RGBA" if has_alpha else "RGB")
        options = {"optimize": True}
    else:
        if image.mode not in {"RGB", "RGBA"}:
            image = image.convert("RGBA" if has_alpha else "RGB")
        options = {"quality": 90}
    image.info = {}  # no EXIF, XMP, comments or text chunks are carried over
    if icc_profile:
        options["icc_profile"] = icc_profile
    out = io.BytesIO()
    image.save(out, format=pil_format, **options)
    return out.getvalue(), image.width, image.height


def _pdf_names(data: bytes) -> set[str]:
    names: set[str] = set()
    for raw in re.findall(rb"/((?:[A-Za-z0-9_.+-]|#[0-9A-Fa-f]{2})+)", data):
        names.add(
            re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]), raw).decode("latin-1")
        )
    return names


def _pdf_streams(data: bytes) -> Iterable[bytes]:
    """Inflate the Flate-compressed streams (object streams may hide dictionaries)."""
    budget = _PDF_INFLATE_LIMIT
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.DOTALL):
        if budget <= 0:
            return
        try:
            inflated = zlib.decompressobj().decompress(match.group(1), budget)
        except zlib.error:
            continue
        budget -= len(inflated)
        yield inflated


def _check_pdf(data: bytes) -> None:
    if not data.startswith(b"%PDF-"):
        raise _refuse("upload_invalid_pdf", _("The PDF document is not valid."))
    names = _pdf_names(data)
    for inflated in _pdf_streams(data):
        names |= _pdf_names(inflated)
    if names & PDF_ACTIVE_NAMES:
        raise _refuse(
            "upload_pdf_active_content",
            _("PDF documents containing scripts or actions are not accepted."),
        )


# --- the service -------------------------------------------------------------------------------


def _open_input(file: UploadedFile | File | tuple[str, bytes]) -> tuple[str, BinaryIO, int]:
    if isinstance(file, tuple):
        name, content = file
        return name, io.BytesIO(content), len(content)
    size = file.size if file.size is not None else 0
    return file.name or "", file, int(size)  # type: ignore[return-value]


def upload_create(
    *,
    owner: Any,
    file: UploadedFile | File | tuple[str, bytes],
    allowed_kinds: set[str],
) -> Upload:
    """Validate and store a file. Refusals are ``UploadRefused`` (422) with codes:
    upload_empty, upload_too_large, upload_type_not_allowed, upload_type_mismatch,
    upload_invalid_image, upload_image_too_many_pixels, upload_invalid_pdf,
    upload_pdf_active_content."""
    if owner is None:
        raise ValueError("upload_create: an owner is required (see upload_create_anonymous).")
    return _store(owner=owner, anonymous_key="", file=file, allowed_kinds=allowed_kinds)


# What visitors without an account may send: no videos, smaller files.
ANONYMOUS_KINDS: frozenset[str] = frozenset({UploadKind.IMAGE, UploadKind.PDF})


def anonymous_max_bytes() -> int:
    return int(getattr(settings, "UPLOAD_ANONYMOUS_MAX_BYTES", 5 * 1024 * 1024))


def anonymous_key_for(binding: str) -> str:
    return hashlib.sha256(f"upload-binding:{binding}".encode()).hexdigest()


def upload_create_anonymous(
    *,
    binding: str,
    file: UploadedFile | File | tuple[str, bytes],
    allowed_kinds: set[str],
) -> Upload:
    """A file from a visitor without an account, bound to ``binding`` (a secret of the caller:
    a pending request's verification token, never something a third party knows). Only images
    and PDF documents, at most ``UPLOAD_ANONYMOUS_MAX_BYTES`` (5 MB); no owner, so nobody but
    staff and the ``upload_access`` rules can download it. Find it again with
    ``uploads_bound_to``."""
    if len(binding) < 16:
        raise ValueError("upload_create_anonymous: the binding must be a secret (≥ 16 chars).")
    kinds = set(allowed_kinds) & ANONYMOUS_KINDS
    if not kinds:
        raise ValueError(f"upload_create_anonymous: bad allowed_kinds {sorted(allowed_kinds)!r}")
    return _store(
        owner=None,
        anonymous_key=anonymous_key_for(binding),
        file=file,
        allowed_kinds=kinds,
        cap=anonymous_max_bytes(),
    )


def uploads_bound_to(*, binding: str, ids: Iterable[int]) -> list[Upload]:
    """The anonymous uploads among ``ids`` that were bound to ``binding``, in ``ids`` order."""
    wanted = [int(pk) for pk in ids]
    found = Upload.objects.filter(
        pk__in=wanted, owner__isnull=True, anonymous_key=anonymous_key_for(binding)
    ).in_bulk()
    return [found[pk] for pk in wanted if pk in found]


@transaction.atomic
def uploads_delete_anonymous(*, ids: Iterable[int]) -> int:
    """Delete the anonymous uploads among ``ids`` (rows now, files once the transaction has
    committed): the caller abandons the secret they were bound to (e.g. a contact request
    whose address was never verified). Uploads with an owner are never touched. Idempotent."""
    wanted = sorted({int(pk) for pk in ids})
    if not wanted:
        return 0
    doomed = Upload.objects.filter(pk__in=wanted, owner__isnull=True).exclude(anonymous_key="")
    names = [name for name in doomed.values_list("file", flat=True) if name]
    deleted, _by_model = doomed.delete()
    if names:
        storage = Upload._meta.get_field("file").storage  # type: ignore[union-attr]

        def remove_files() -> None:
            for name in names:
                try:
                    storage.delete(name)
                except OSError:  # already gone, or the disk refuses: the row is gone anyway
                    logger.warning("uploads: could not delete the file %s", name)

        transaction.on_commit(remove_files)
    return int(deleted)


def _store(
    *,
    owner: Any,
    anonymous_key: str,
    file: UploadedFile | File | tuple[str, bytes],
    allowed_kinds: set[str],
    cap: int | None = None,
) -> Upload:
    unknown = set(allowed_kinds) - set(UploadKind.values)
    if not allowed_kinds or unknown:
        raise ValueError(f"upload_create: bad allowed_kinds {sorted(allowed_kinds)!r}")

    def limit_for(kind: str) -> int:
        limit = max_bytes(kind)
        return min(limit, cap) if cap is not None else limit

    name, stream, size = _open_input(file)
    original_name = sanitise_filename(name) if name else ""
    if size <= 0:
        raise _refuse("upload_empty", _("The file is empty."))
    largest = max(limit_for(kind) for kind in allowed_kinds)
    if size > largest:
        raise _refuse(
            "upload_too_large",
            _("The file is too large (at most %(max)s).") % {"max": filesizeformat(largest)},
            max_bytes=largest,
        )
    stream.seek(0)
    head = stream.read(_HEAD_BYTES)
    guess = filetype.guess(head)
    mime = guess.mime if guess is not None else ""
    kind, extension = ACCEPTED_TYPES.get(mime, ("", ""))
    if kind not in allowed_kinds:
        raise _refuse(
            "upload_type_not_allowed",
            _("This type of file is not accepted. Accepted: %(kinds)s.")
            % {"kinds": _kind_labels(allowed_kinds)},
            detected=mime or None,
        )
    claimed = EXTENSION_KINDS.get(_extension(original_name))
    if claimed is not None and claimed != kind:
        raise _refuse(
            "upload_type_mismatch",
            _("The file’s name does not match its content."),
            detected=mime,
        )
    limit = limit_for(kind)
    if size > limit:
        raise _refuse(
            "upload_too_large",
            _("The file is too large (at most %(max)s).") % {"max": filesizeformat(limit)},
            max_bytes=limit,
        )

    width = height = None
    stream.seek(0)
    if kind == UploadKind.VIDEO:
        digest = hashlib.sha256()
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
        stream.seek(0)
        content: File = File(stream, name=f"upload.{extension}")
        stored_size = size
    else:
        data = stream.read(limit + 1)
        if len(data) > limit:
            raise _refuse(
                "upload_too_large",
                _("The file is too large (at most %(max)s).") % {"max": filesizeformat(limit)},
                max_bytes=limit,
            )
        if kind == UploadKind.IMAGE:
            data, width, height = _reencode_image(data, mime)
        else:
            _check_pdf(data)
        digest = hashlib.sha256(data)
        content = ContentFile(data, name=f"upload.{extension}")
        stored_size = len(data)

    upload = Upload(
        owner=owner,
        anonymous_key=anonymous_key,
        kind=kind,
        content_type=mime,
        size=stored_size,
        sha256=digest.hexdigest(),
        original_name=original_name,
        width=width,
        height=height,
    )
    upload.file.save(f"upload.{extension}", content, save=False)
    try:
        with transaction.atomic():
            upload.save()
    except Exception:
        upload.file.delete(save=False)
        raise
    return upload


# --- access ------------------------------------------------------------------------------------


def upload_can_access(*, user: Any, upload: Upload) -> bool:
    """The owner and staff always; others when a registered rule allows it."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if upload.owner_id == user.pk or getattr(user, "is_staff_member", False):
        return True
    return any(rule(user, upload) for _key, rule in upload_access.items())


def download_name(upload: Upload) -> str:
    """The client's name with the extension of what the file really is."""
    stem = os.path.splitext(upload.original_name)[0] or upload.public_id
    return f"{stem}.{ACCEPTED_TYPES[upload.content_type][1]}"
