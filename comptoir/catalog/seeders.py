"""The "catalog" demo seeder: three more shops (with their sellers) and fifty products with
FR/EN text, attributes and a generated picture each. Idempotent: shops by slug, sellers by
e-mail, products by ``demo_key``."""

from __future__ import annotations

import hashlib
import io

from django.conf import settings

from comptoir.accounts.enums import Language, Role
from comptoir.accounts.models import Shop, ShopMembership, User
from comptoir.core.money import Money
from comptoir.core.seeders import register_seeder

from .demo_data import EXTRA_SHOPS, PRODUCTS
from .models import Product
from .services import AttributeValue, product_create, product_image_add

# Where the parcels leave from, per shop.
SHIPS_FROM = {
    "atelier-lumiere": ("Shenzhen, CN", (10, 20)),
    "pearl-river-gadgets": ("Shenzhen, CN", (8, 18)),
    "maison-lin": ("Guangzhou, CN", (12, 25)),
    "sentier-outdoor": ("Guangzhou, CN", (12, 25)),
    "bijoux-du-port": ("Yiwu, CN", (10, 22)),
}


def _hex(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], t: float) -> tuple[int, int, int]:
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def product_picture(key: str, colour: str) -> bytes:
    """A simple studio-like picture: tinted backdrop, a soft shadow and the object's shape."""
    from PIL import Image, ImageDraw, ImageFilter

    size = 640
    base = _hex(colour)
    white = (255, 255, 255)
    seed = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16)
    image = Image.new("RGB", (size, size), white)
    draw = ImageDraw.Draw(image)
    top, bottom = _mix(base, white, 0.86), _mix(base, white, 0.7)
    for y in range(size):
        draw.line([(0, y), (size, y)], fill=_mix(top, bottom, y / size))
    shadow = Image.new("L", (size, size), 0)
    ImageDraw.Draw(shadow).ellipse((150, 470, 490, 530), fill=110)
    shadow = shadow.filter(ImageFilter.GaussianBlur(18))
    image.paste(_mix(base, (0, 0, 0), 0.55), (0, 0), shadow)
    draw = ImageDraw.Draw(image)
    body = base if sum(base) < 690 else _mix(base, (120, 120, 120), 0.25)
    shape = seed % 3
    if shape == 0:
        draw.ellipse((170, 150, 470, 450), fill=body)
        draw.ellipse((215, 185, 300, 270), fill=_mix(body, white, 0.45))
    elif shape == 1:
        draw.rounded_rectangle((180, 140, 460, 470), radius=48, fill=body)
        draw.rounded_rectangle((205, 165, 290, 300), radius=30, fill=_mix(body, white, 0.4))
    else:
        draw.polygon([(320, 130), (480, 460), (160, 460)], fill=body)
        draw.polygon([(320, 190), (360, 300), (290, 300)], fill=_mix(body, white, 0.4))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def _seller_for(shop: Shop) -> User | None:
    membership = shop.memberships.select_related("user").order_by("pk").first()
    return membership.user if membership else None


def _extra_shops() -> None:
    from comptoir.accounts.services import user_create

    password = getattr(settings, "DEMO_PASSWORD", "comptoir-demo")
    for slug, name, description, email, full_name in EXTRA_SHOPS:
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = user_create(
                email=email,
                password=password,
                full_name=full_name,
                role=Role.SELLER,
                language=Language.FR,
                email_verified=True,
            )
        shop, _created = Shop.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
        ShopMembership.objects.get_or_create(
            shop=shop, user=user, defaults={"shop_role": ShopMembership.ShopRole.OWNER}
        )


def catalog_seed() -> int:
    """Create what is missing; returns the number of products created."""
    _extra_shops()
    created = 0
    # Round-robin over the shops, so that the newest products come from every shop.
    queue = [(slug, product) for slug, products in PRODUCTS.items() for product in products]
    queue.sort(key=lambda item: [p[0] for p in PRODUCTS[item[0]]].index(item[1][0]))
    for slug, (key, t_fr, t_en, d_fr, d_en, price, shipping, attrs, _motif, colour) in queue:
        shop = Shop.objects.filter(slug=slug).first()
        if shop is None:  # the accounts seeder did not run: nothing to attach to
            continue
        seller = _seller_for(shop)
        ships_from, days = SHIPS_FROM[slug]
        demo_key = f"demo:{key}"
        if Product.objects.filter(demo_key=demo_key).exists():
            continue
        product = product_create(
            shop=shop,
            title_fr=t_fr,
            title_en=t_en,
            description_fr=d_fr,
            description_en=d_en,
            price=Money.parse(price),
            shipping=Money.parse(shipping),
            ships_from=ships_from,
            delivery_days=days,
            attributes=[AttributeValue(n, fr, en) for n, fr, en in attrs],
            demo_key=demo_key,
        )
        if seller is not None:
            product_image_add(
                product=product,
                owner=seller,
                file=(f"{key}.jpg", product_picture(key, colour)),
                alt_fr=t_fr,
                alt_en=t_en,
            )
        created += 1
    return created


@register_seeder("catalog", version=1, after=("accounts",))
def _seed() -> None:
    catalog_seed()
