"""Catalog pages: home with the product grid, product page, shop page, public product images."""

from __future__ import annotations

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from comptoir.core.errors import ApplicationError, NotFound

from . import selectors


def _cursor(request: HttpRequest) -> str | None:
    return request.GET.get("cursor") or None


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    from comptoir.core.seeders import demo_logins

    try:
        page = selectors.product_list(cursor=_cursor(request), limit=24)
    except ApplicationError as exc:
        raise Http404 from exc
    return render(
        request,
        "catalog/home.html",
        {
            "page": page,
            "demo_logins": demo_logins() if settings.COMPTOIR_DEMO else [],
        },
    )


@require_GET
def product_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        product = selectors.product_get(public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc
    return render(
        request,
        "catalog/product_detail.html",
        {"product": product, "images": list(product.images.all()), "max_quantity": 99},
    )


@require_GET
def shop_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        shop = selectors.shop_get(slug=slug)
        page = selectors.product_list(shop=shop, cursor=_cursor(request), limit=24)
    except ApplicationError as exc:
        raise Http404 from exc
    return render(request, "catalog/shop_detail.html", {"shop": shop, "page": page})


@require_GET
def product_image(request: HttpRequest, public_id: str) -> FileResponse:
    """Product images are public (unlike other uploads, which core serves to their owner only)."""
    try:
        image = selectors.product_image_public(public_id=public_id)
        handle = image.upload.file.open("rb")
    except (NotFound, FileNotFoundError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=image.upload.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "public, max-age=86400"
    return response
