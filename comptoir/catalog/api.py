"""Catalog API: public product listing and detail."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language
from ninja import Query, Router, Schema

from comptoir.core.pagination import page_schema

from . import selectors
from .models import Product

router = Router(tags=["catalog"])


class MoneyOut(Schema):
    amount: str
    currency: str


class ProductShopOut(Schema):
    slug: str
    name: str


class AttributeOut(Schema):
    name: str
    label: str
    value: str


class ImageOut(Schema):
    url: str
    alt: str


class ProductOut(Schema):
    public_id: str
    title: str
    title_fr: str
    title_en: str
    price: MoneyOut
    shipping: MoneyOut
    shop: ProductShopOut
    ships_from: str
    delivery_days: list[int]
    images: list[ImageOut]
    url: str


class ProductDetailOut(ProductOut):
    description: str
    description_fr: str
    description_en: str
    attributes: list[AttributeOut]


def _lang() -> str:
    return "en" if (get_language() or "fr").startswith("en") else "fr"


def product_out(product: Product, *, detail: bool = False) -> dict[str, object]:
    lang = _lang()
    data: dict[str, object] = {
        "public_id": product.public_id,
        "title": product.title(lang),
        "title_fr": product.title_fr,
        "title_en": product.title_en,
        "price": product.price.as_api(),
        "shipping": product.shipping.as_api(),
        "shop": {"slug": product.shop.slug, "name": product.shop.name},
        "ships_from": product.ships_from,
        "delivery_days": [product.delivery_days_min, product.delivery_days_max],
        "images": [
            {"url": reverse("catalog:image", args=[image.public_id]), "alt": image.alt(lang)}
            for image in product.images.all()
        ],
        "url": reverse("catalog:product", args=[product.public_id]),
    }
    if detail:
        data |= {
            "description": product.description(lang),
            "description_fr": product.description_fr,
            "description_en": product.description_en,
            "attributes": [
                {"name": a.name, "label": str(a.get_name_display()), "value": a.value(lang)}
                for a in product.attributes.all()
            ],
        }
    return data


@router.get(
    "/products",
    auth=None,
    response=page_schema(ProductOut),
    summary="List products",
    description="Newest first, keyset-paginated (`cursor` from `next_cursor`). `shop`: a shop slug.",
)
def products_list(
    request: HttpRequest,
    cursor: str | None = Query(None),
    limit: int = Query(24, ge=1, le=60),
    shop: str | None = Query(None, max_length=80),
) -> dict[str, object]:
    shop_obj = selectors.shop_get(slug=shop) if shop else None
    page = selectors.product_list(cursor=cursor, limit=limit, shop=shop_obj)
    return {"items": [product_out(p) for p in page.items], "next_cursor": page.next_cursor}


@router.get(
    "/products/{public_id}",
    auth=None,
    response=ProductDetailOut,
    summary="One product",
    description="404 `not_found` for an unknown or withdrawn product.",
)
def products_get(request: HttpRequest, public_id: str) -> dict[str, object]:
    return product_out(selectors.product_get(public_id=public_id), detail=True)
