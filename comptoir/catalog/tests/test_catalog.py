from __future__ import annotations

import pytest
from django.test import Client

from comptoir.catalog.models import Product
from comptoir.catalog.seeders import product_picture
from comptoir.catalog.services import AttributeValue, product_create, product_image_add
from comptoir.core.errors import ValidationFailed
from comptoir.core.money import Money
from comptoir.testing.factories import seller_with_shop

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop_and_seller():
    seller, shop = seller_with_shop()
    return shop, seller


def make(shop, **kw):
    args = {
        "shop": shop,
        "title_fr": "Lampe",
        "title_en": "Lamp",
        "price": Money.parse("12.34"),
        "attributes": [AttributeValue("colour", "Rouge", "Red")],
    } | kw
    return product_create(**args)


def test_product_create_validates(shop_and_seller):
    shop, _ = shop_and_seller
    with pytest.raises(ValidationFailed):
        make(shop, price=Money.parse("0"))
    with pytest.raises(ValidationFailed):
        make(shop, shipping=Money.parse("1.00", "USD"))
    with pytest.raises(ValidationFailed):
        make(shop, title_en="  ")
    with pytest.raises(ValidationFailed):
        make(shop, attributes=[AttributeValue("smell", "x", "y")])
    assert not Product.objects.exists()


def test_pages_and_public_images(shop_and_seller):
    shop, seller = shop_and_seller
    product = make(shop, description_fr="Belle lampe", description_en="Nice lamp")
    image = product_image_add(
        product=product, owner=seller, file=("x.jpg", product_picture("x", "#ff8800"))
    )
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en")
    home = anonymous.get("/").content.decode()
    assert "Lamp" in home
    assert "€12.34" in home
    page = anonymous.get(f"/products/{product.public_id}/").content.decode()
    assert "Nice lamp" in page and "Red" in page and f"/products/{product.public_id}/buy/" in page
    assert (
        "Belle lampe"
        in Client(HTTP_ACCEPT_LANGUAGE="fr").get(f"/products/{product.public_id}/").content.decode()
    )
    response = anonymous.get(f"/images/products/{image.public_id}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert anonymous.get(f"/shops/{shop.slug}/").status_code == 200
    product.is_active = False
    product.save()
    assert anonymous.get(f"/products/{product.public_id}/").status_code == 404
    assert anonymous.get(f"/images/products/{image.public_id}/").status_code == 404


def test_products_api(shop_and_seller):
    shop, _ = shop_and_seller
    products = [make(shop, title_en=f"Lamp {n}") for n in range(3)]
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    page = client.get("/api/v1/products?limit=2").json()
    assert [p["title"] for p in page["items"]] == ["Lamp 2", "Lamp 1"]
    assert page["items"][0]["price"] == {"amount": "12.34", "currency": "EUR"}
    rest = client.get(f"/api/v1/products?limit=2&cursor={page['next_cursor']}").json()
    assert [p["title"] for p in rest["items"]] == ["Lamp 0"] and rest["next_cursor"] is None
    detail = client.get(f"/api/v1/products/{products[0].public_id}").json()
    assert detail["attributes"] == [{"name": "colour", "label": "Colour", "value": "Red"}]
    assert client.get("/api/v1/products/nope").status_code == 404


def test_demo_seeders_are_idempotent():
    from comptoir.accounts.seeders import accounts_seed
    from comptoir.catalog.seeders import catalog_seed
    from comptoir.orders.models import Order
    from comptoir.orders.seeders import orders_seed

    accounts_seed()
    assert catalog_seed() == 50
    assert orders_seed() == 18
    assert (catalog_seed(), orders_seed()) == (0, 0)
    statuses = set(Order.objects.values_list("status", flat=True))
    assert statuses == {"paid", "shipped", "delivered"}
    assert Order.objects.filter(shipments__status="lost").exists()
    assert Order.objects.filter(shipments__status="returned_to_sender").exists()
    assert Order.objects.filter(shipments__direction="return").exists()
