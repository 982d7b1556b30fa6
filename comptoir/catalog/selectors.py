"""Catalog reads. Only active products are visible to the public."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from comptoir.accounts.models import Shop
from comptoir.core.errors import NotFound
from comptoir.core.pagination import Page, paginate

from .models import Product, ProductImage

PRODUCT_ORDER = ("-created_at", "-pk")


def _public_products() -> QuerySet[Product]:
    return (
        Product.objects.filter(is_active=True)
        .select_related("shop")
        .prefetch_related(
            Prefetch("images", queryset=ProductImage.objects.select_related("upload")),
            "attributes",
        )
    )


def product_list(
    *, cursor: str | None = None, limit: int = 24, shop: Shop | None = None
) -> Page[Product]:
    products = _public_products()
    if shop is not None:
        products = products.filter(shop=shop)
    return paginate(products, order=PRODUCT_ORDER, cursor=cursor, limit=limit, max_limit=60)


def product_get(*, public_id: str) -> Product:
    product = _public_products().filter(public_id=public_id).first()
    if product is None:
        raise NotFound()
    return product


def shop_get(*, slug: str) -> Shop:
    shop = Shop.objects.filter(slug=slug).first()
    if shop is None:
        raise NotFound()
    return shop


def product_image_public(*, public_id: str) -> ProductImage:
    """An image of an active product (public); anything else is NotFound."""
    image = (
        ProductImage.objects.select_related("upload")
        .filter(public_id=public_id, product__is_active=True)
        .first()
    )
    if image is None:
        raise NotFound()
    return image
