"""Catalog writes: products, their attributes and images."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.accounts.models import Shop
from comptoir.core.errors import ValidationFailed
from comptoir.core.money import Money
from comptoir.core.uploads import UploadKind, upload_create

from .enums import AttributeName
from .models import Product, ProductAttribute, ProductImage


@dataclass(frozen=True)
class AttributeValue:
    name: str
    value_fr: str
    value_en: str


@transaction.atomic
def product_create(
    *,
    shop: Shop,
    title_fr: str,
    title_en: str,
    price: Money,
    shipping: Money | None = None,
    description_fr: str = "",
    description_en: str = "",
    ships_from: str = "",
    delivery_days: tuple[int, int] = (10, 25),
    attributes: Sequence[AttributeValue] = (),
    demo_key: str = "",
) -> Product:
    shipping = shipping if shipping is not None else Money.zero(price.currency)
    if price.amount <= 0:
        raise ValidationFailed(_("The price must be positive."), {"price": str(price)})
    if shipping.is_negative():
        raise ValidationFailed(_("The shipping cost cannot be negative."))
    if shipping.currency != price.currency:
        raise ValidationFailed(_("Price and shipping must be in the same currency."))
    if not title_fr.strip() or not title_en.strip():
        raise ValidationFailed(_("A product needs a title in French and in English."))
    low, high = delivery_days
    if not 1 <= low <= high <= 90:
        raise ValidationFailed(_("Invalid delivery estimate."))
    product = Product(
        shop=shop,
        title_fr=title_fr.strip(),
        title_en=title_en.strip(),
        description_fr=description_fr.strip(),
        description_en=description_en.strip(),
        ships_from=ships_from,
        delivery_days_min=low,
        delivery_days_max=high,
        demo_key=demo_key,
    )
    product.price = price.quantize()
    product.shipping = shipping.quantize()
    product.save()
    for position, attribute in enumerate(attributes):
        if attribute.name not in AttributeName.values:
            raise ValidationFailed(_("Unknown attribute."), {"name": attribute.name})
        ProductAttribute.objects.create(
            product=product,
            name=attribute.name,
            value_fr=attribute.value_fr,
            value_en=attribute.value_en,
            position=position,
        )
    return product


@transaction.atomic
def product_image_add(
    *,
    product: Product,
    owner: object,
    file: tuple[str, bytes],
    alt_fr: str = "",
    alt_en: str = "",
) -> ProductImage:
    """Validate and store an image (core uploads: type by content, re-encoded), last position."""
    upload = upload_create(owner=owner, file=file, allowed_kinds={UploadKind.IMAGE})
    locked = Product.objects.select_for_update().get(pk=product.pk)
    position = locked.images.count()
    return ProductImage.objects.create(
        product=locked, upload=upload, position=position, alt_fr=alt_fr, alt_en=alt_en
    )
