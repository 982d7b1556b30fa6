"""The "messaging" demo seeder: pre- and post-sale conversations of buyer@ and buyer2@ with
seller@ (Atelier Lumière) and seller2@ (Pearl River Gadgets), written through the services at
moved times; some are left unanswered. Idempotent: one conversation per buyer and product or
order (the natural key); an existing one is left as it is."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from comptoir.core import clock
from comptoir.core.seeders import register_seeder


@dataclass(frozen=True)
class DemoConversation:
    buyer: str
    about: str  # "product:<demo key>" or "order:<checkout key>"
    # (minutes ago, "buyer" | "shop", text)
    messages: tuple[tuple[float, str, str], ...]


DAY = 24 * 60
CONVERSATIONS: tuple[DemoConversation, ...] = (
    DemoConversation(
        "buyer@example.com",
        "product:lamp-mushroom",
        (
            (3 * DAY, "buyer", "Bonjour, la lampe champignon existe-t-elle en vert sauge ?"),
            (
                3 * DAY - 95,
                "shop",
                "Bonjour Léa, pas encore : blanc, ocre et terracotta. Le vert arrive en avril !",
            ),
            (3 * DAY - 80, "buyer", "Merci, je prends la terracotta alors."),
        ),
    ),
    DemoConversation(
        "buyer@example.com",
        "product:moon-lamp",
        ((40, "buyer", "Bonjour, l'ampoule est-elle fournie avec la lampe lune ? Merci !"),),
    ),
    DemoConversation(
        "buyer@example.com",
        "order:demo:lea-on-time",
        (
            (2 * DAY, "buyer", "Hello, pouvez-vous me confirmer que les écouteurs sont partis ?"),
            (2 * DAY - 300, "shop", "Yes, shipped with tracking, it should arrive within 3 weeks."),
            (90, "buyer", "Le suivi ne bouge plus depuis 4 jours, est-ce normal ?"),
        ),
    ),
    DemoConversation(
        "buyer2@example.com",
        "product:fairy-lights-10m",
        (
            (5 * DAY, "buyer", "Hi! Are these fairy lights suitable for outdoor use?"),
            (5 * DAY - 45, "shop", "Bonjour Emily, yes: IP44, fine for a covered balcony."),
        ),
    ),
    DemoConversation(
        "buyer2@example.com",
        "product:charger-65w",
        ((3 * 60, "buyer", "Does the 65 W charger come with a UK plug adapter?"),),
    ),
    DemoConversation(
        "buyer2@example.com",
        "order:demo:emily-delivered",
        (
            (6 * DAY, "buyer", "The USB hub arrived but one port seems loose."),
            (
                6 * DAY - 180,
                "shop",
                "Sorry about that! Could you send a photo? We will send a replacement.",
            ),
            (6 * DAY - 120, "buyer", "Sure, I'll take one tonight."),
        ),
    ),
)


def _subject(demo: DemoConversation):  # type: ignore[no-untyped-def]
    from comptoir.catalog.models import Product
    from comptoir.orders.models import Order

    kind, _sep, key = demo.about.partition(":")
    if kind == "product":
        return Product.objects.filter(demo_key=f"demo:{key}").select_related("shop").first(), None
    order = Order.objects.filter(buyer__email__iexact=demo.buyer, checkout_key=key).first()
    return None, order


def messaging_seed() -> int:
    from comptoir.accounts.models import ShopMembership, User

    from .models import Conversation
    from .services import conversation_start, message_send

    now = clock.now()
    created = 0
    for demo in CONVERSATIONS:
        buyer = User.objects.filter(email__iexact=demo.buyer).first()
        product, order = _subject(demo)
        if buyer is None or (product is None and order is None):
            continue
        lookup = {"product": product} if product is not None else {"order": order}
        if Conversation.objects.filter(buyer=buyer, **lookup).exists():
            continue
        shop_id = product.shop_id if product is not None else order.shop_id
        member = ShopMembership.objects.filter(shop_id=shop_id).order_by("pk").first()
        conversation = None
        for minutes_ago, side, text in demo.messages:
            with clock.frozen_at(now - dt.timedelta(minutes=minutes_ago)):
                if conversation is None:
                    conversation, _message = conversation_start(
                        buyer=buyer, product=product, order=order, text=text
                    )
                elif side == "buyer":
                    message_send(conversation=conversation, sender=buyer, text=text)
                elif member is not None:
                    message_send(conversation=conversation, sender=member.user, text=text)
        created += 1
    return created


@register_seeder("messaging", version=1, after=("accounts", "catalog", "orders"))
def _seed() -> None:
    messaging_seed()
