"""Private file serving: only to the people ``upload_can_access`` allows; 404 for everyone else."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_GET

from .models import Upload
from .services import download_name, upload_can_access

CSP = "default-src 'none'; frame-ancestors 'none'; sandbox"


@require_GET
def file_download(request: HttpRequest, public_id: str) -> FileResponse:
    upload = Upload.objects.filter(public_id=public_id).first()
    if upload is None or not upload_can_access(user=request.user, upload=upload):
        raise Http404  # "not yours" and "does not exist" look the same
    try:
        handle = upload.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        content_type=upload.content_type,
        as_attachment=not upload.is_image,
        filename=download_name(upload),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, max-age=3600"
    return response
