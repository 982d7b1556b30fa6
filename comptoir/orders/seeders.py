"""The "orders" demo seeder: orders for buyer@ and buyer2@ in every state, made through the
real services at moved times (checkout, ship, carrier events, confirm receipt), so their
histories are what the app itself would have written. Idempotent: one order per demo
checkout key. Sandbox parcels then move on with ``run_sweeps --at``."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from comptoir.accounts.models import User
from comptoir.catalog.models import Product
from comptoir.core import clock
from comptoir.core.seeders import register_seeder

from .carriers import SANDBOX
from .models import Order
from .sandbox import sandbox_advance
from .services import ShippingAddress, order_checkout, order_confirm_receipt, order_ship
from .services.tracking import return_shipment_create


@dataclass(frozen=True)
class DemoOrder:
    key: str
    product: str  # catalog demo key (without "demo:")
    quantity: int
    bought_days_ago: float
    route: str = ""  # sandbox route; empty: not shipped yet
    shipped_days_ago: float = 0
    promised_after_days: int = 25  # promised delivery date, days after shipment
    confirm_after_days: float | None = None  # buyer confirms receipt this long after shipment
    return_days_ago: float | None = None  # buyer sent it back this many days ago


ADDRESSES = {
    "buyer@example.com": ShippingAddress(
        name="Léa Dubois",
        line1="14 rue de la République",
        line2="3e étage, porte gauche",
        postal_code="69002",
        city="Lyon",
        country="FR",
        phone="+33 6 12 34 56 78",
    ),
    "buyer2@example.com": ShippingAddress(
        name="Emily Carter",
        line1="27 rue des Martyrs",
        postal_code="75009",
        city="Paris",
        country="FR",
        phone="+33 7 98 76 54 32",
    ),
}

DEMO_ORDERS: dict[str, tuple[DemoOrder, ...]] = {
    "buyer@example.com": (
        DemoOrder("lea-paid", "moon-lamp", 1, 1.2),
        DemoOrder("lea-paid-2", "linen-napkins", 2, 3.5),
        DemoOrder("lea-on-time", "earbuds-anc", 1, 7, "standard", 5, 25),
        DemoOrder("lea-pickup", "fairy-lights-10m", 2, 13, "pickup", 11.5, 25),
        DemoOrder("lea-late", "tent-2p", 1, 22, "customs", 20, 15),
        DemoOrder("lea-lost", "smartwatch", 1, 42, "lost", 40, 30),
        DemoOrder("lea-returned", "rain-jacket", 1, 37, "returned", 35, 30),
        DemoOrder("lea-delivered", "lamp-mushroom", 1, 16, "standard", 14, 25),
        DemoOrder("lea-return-sent", "pearl-earrings", 1, 24, "standard", 22, 25, 10, 1.5),
        DemoOrder("lea-long-ago", "charger-65w", 1, 102, "standard", 100, 30, 10),
    ),
    "buyer2@example.com": (
        DemoOrder("emily-paid", "power-bank", 1, 0.8),
        DemoOrder("emily-on-time", "wool-throw", 1, 6, "standard", 4, 20),
        DemoOrder("emily-pickup", "bt-speaker", 1, 14, "pickup", 12, 25),
        DemoOrder("emily-late", "rattan-pendant", 1, 26, "customs", 24, 18),
        DemoOrder("emily-lost", "backpack-30l", 1, 47, "lost", 45, 30),
        DemoOrder("emily-returned", "signet-ring", 1, 40, "returned", 38, 30),
        DemoOrder("emily-delivered", "usb-hub", 1, 18, "standard", 15, 25),
        DemoOrder("emily-long-ago", "linen-duvet", 1, 95, "standard", 92, 30, 11),
    ),
}


def _tracking_number(key: str, prefix: str = "LP", suffix: str = "CN") -> str:
    digits = int(hashlib.sha256(key.encode()).hexdigest(), 16) % 10**9
    return f"{prefix}{digits:09d}{suffix}"


def _seed_one(buyer: User, demo: DemoOrder, now: dt.datetime) -> bool:
    key = f"demo:{demo.key}"
    if Order.objects.filter(buyer=buyer, checkout_key=key).exists():
        return False
    product = Product.objects.select_related("shop").filter(demo_key=f"demo:{demo.product}").first()
    if product is None:
        return False
    with clock.frozen_at(now - dt.timedelta(days=demo.bought_days_ago)):
        order = order_checkout(
            buyer=buyer,
            product_public_id=product.public_id,
            quantity=demo.quantity,
            address=ADDRESSES[buyer.email.lower()],
            checkout_key=key,
        )
    if not demo.route:
        return True
    seller = product.shop.memberships.select_related("user").order_by("pk").first()
    assert seller is not None
    shipped_at = now - dt.timedelta(days=demo.shipped_days_ago)
    with clock.frozen_at(shipped_at):
        shipment = order_ship(
            number=order.number,
            seller=seller.user,
            carrier=SANDBOX,
            tracking_number=_tracking_number(demo.key),
            promised_delivery_date=(
                shipped_at + dt.timedelta(days=demo.promised_after_days)
            ).date(),
            sandbox_route=demo.route,
        )
    if demo.confirm_after_days is not None:
        confirm_at = shipped_at + dt.timedelta(days=demo.confirm_after_days)
        with clock.frozen_at(confirm_at):
            sandbox_advance(shipment, now=confirm_at)
            order_confirm_receipt(number=order.number, buyer=buyer)
        shipment.refresh_from_db()
    sandbox_advance(shipment, now=now)
    if demo.return_days_ago is not None:
        with clock.frozen_at(now - dt.timedelta(days=demo.return_days_ago)):
            back = return_shipment_create(
                number=order.number,
                carrier=SANDBOX,
                tracking_number=_tracking_number(demo.key + ":return", "RT", "FR"),
                actor_user=buyer,
            )
        sandbox_advance(back, now=now)
    return True


def orders_seed() -> int:
    now = clock.now()
    created = 0
    for email, demos in DEMO_ORDERS.items():
        buyer = User.objects.filter(email__iexact=email).first()
        if buyer is None:
            continue
        for demo in demos:
            created += int(_seed_one(buyer, demo, now))
    return created


@register_seeder("orders", version=1, after=("accounts", "catalog"))
def _seed() -> None:
    orders_seed()
