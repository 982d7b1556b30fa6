"""Products of the shops, their images and attributes (what buyers ask sellers about)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from comptoir.core.ids import new_public_id
from comptoir.core.models import BaseModel
from comptoir.core.money import MoneyAttribute

from .enums import AttributeName


class Product(BaseModel):
    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    shop = models.ForeignKey("accounts.Shop", on_delete=models.PROTECT, related_name="products")
    title_fr = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    description_fr = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    price_minor = models.BigIntegerField()
    price_currency = models.CharField(max_length=3, default="EUR")
    # Shipping cost charged once per order of this product.
    shipping_minor = models.BigIntegerField(default=0)
    shipping_currency = models.CharField(max_length=3, default="EUR")
    ships_from = models.CharField(max_length=80, blank=True)
    # Usual handling + transit time, shown as an estimate on the product page.
    delivery_days_min = models.PositiveSmallIntegerField(default=10)
    delivery_days_max = models.PositiveSmallIntegerField(default=25)
    is_active = models.BooleanField(default=True)
    # Natural key for the demo seeder (empty for real products).
    demo_key = models.CharField(max_length=60, blank=True, default="")

    price = MoneyAttribute("price")
    shipping = MoneyAttribute("shipping")

    class Meta:
        indexes = [
            models.Index(fields=["is_active", "-created_at", "-id"], name="product_active_recent"),
            models.Index(fields=["shop", "-created_at", "-id"], name="product_shop_recent"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price_minor__gt=0), name="product_price_positive"),
            models.CheckConstraint(
                condition=Q(shipping_minor__gte=0), name="product_shipping_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(shipping_currency=models.F("price_currency")),
                name="product_one_currency",
            ),
            models.UniqueConstraint(
                fields=["demo_key"], condition=~Q(demo_key=""), name="product_demo_key_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title_en

    def title(self, language: str) -> str:
        return self.title_fr if language == "fr" else self.title_en

    def description(self, language: str) -> str:
        return self.description_fr if language == "fr" else self.description_en


class ProductImage(BaseModel):
    """An image of a product; the file is a core Upload, served publicly by the catalog."""

    public_id = models.CharField(max_length=26, unique=True, default=new_public_id, editable=False)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    upload = models.ForeignKey("core.Upload", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)
    alt_fr = models.CharField(max_length=200, blank=True)
    alt_en = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "position"], name="product_image_position")
        ]

    def alt(self, language: str) -> str:
        return self.alt_fr if language == "fr" else self.alt_en


class ProductAttribute(BaseModel):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="attributes")
    name = models.CharField(max_length=20, choices=AttributeName.choices)
    value_fr = models.CharField(max_length=200)
    value_en = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(name__in=AttributeName.values), name="product_attribute_name_valid"
            ),
            models.UniqueConstraint(fields=["product", "name"], name="product_attribute_unique"),
        ]

    def value(self, language: str) -> str:
        return self.value_fr if language == "fr" else self.value_en
