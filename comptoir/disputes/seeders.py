"""The "disputes" demo seeder: for buyer@ (French) and buyer2@ (English), one delivered order per
step of a dispute or a return, taken there through the real services at moved times, so that
every screen can be seen at once: awaiting the seller, refused with a counter-proposal,
escalated (its arbitration ticket opened through intake), more evidence requested, decided and
open to appeal, appealed, settled, cancelled, a return waiting for the address, a return on its
way back, a parcel not received, and a change-of-mind return request.

The orders come from the sellers seller@ and seller2@ (their lists fill up), with photos as
evidence. Idempotent: one order per demo checkout key ``demo:dispute-<step>``; a step whose order
already has a dispute or a return is skipped. Deadlines are set so that none has passed when
seeded; the sweeps then move them on as time goes by."""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from comptoir.core import clock
from comptoir.core.seeders import register_seeder

logger = logging.getLogger(__name__)
SEEDER_VERSION = 1
DAY = dt.timedelta(days=1)
BUYERS = {"lea": "buyer@example.com", "emily": "buyer2@example.com"}
SELLERS = ("seller@example.com", "seller2@example.com")
OFFICERS = ("officer@example.com", "officer2@example.com")


@dataclass(frozen=True)
class Step:
    key: str
    buyer: str  # "lea" / "emily"
    seller: int  # index in SELLERS
    run: str  # name of the function below that takes the dispute to its step
    route: str = "standard"


STEPS = (
    Step("dispute-awaiting", "lea", 0, "awaiting_seller"),
    Step("dispute-refused", "emily", 0, "refused"),
    Step("dispute-escalated", "lea", 1, "escalated"),
    Step("dispute-evidence", "emily", 1, "evidence_requested"),
    Step("dispute-decided", "lea", 0, "decided"),
    Step("dispute-appealed", "emily", 0, "appealed"),
    Step("dispute-settled", "lea", 1, "settled"),
    Step("dispute-cancelled", "emily", 1, "cancelled"),
    Step("dispute-return-address", "lea", 0, "return_waiting_address"),
    Step("dispute-return-shipped", "emily", 0, "return_shipped"),
    Step("dispute-not-received", "emily", 1, "not_received", route="lost"),
    Step("return-change-of-mind", "lea", 1, "change_of_mind"),
)

DESCRIPTIONS = {
    "lea": "L'article est arrivé abîmé : le boîtier est fissuré et un morceau manque.",
    "emily": "The item arrived damaged: the case is cracked and a piece is missing.",
}


def _photo(user: Any, name: str, colour: tuple[int, int, int]) -> Any:
    from PIL import Image, ImageDraw

    from comptoir.core.uploads.models import UploadKind
    from comptoir.core.uploads.services import upload_create

    image = Image.new("RGB", (640, 480), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((140, 110, 500, 370), outline=(255, 255, 255), width=8)
    draw.line((150, 120, 330, 250, 490, 360), fill=(40, 40, 40), width=6)  # the crack
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=85)
    return upload_create(owner=user, file=(name, buf.getvalue()), allowed_kinds={UploadKind.IMAGE})


def _user(email: str) -> Any:
    from comptoir.accounts.models import User

    return User.objects.filter(email__iexact=email).first()


def _product_of(seller: Any, index: int) -> Any:
    from comptoir.catalog.models import Product

    products = list(
        Product.objects.filter(shop__memberships__user=seller, demo_key__startswith="demo:")
        .order_by("pk")
        .values_list("demo_key", flat=True)[:12]
    )
    return products[index % len(products)].removeprefix("demo:") if products else None


def _order(step: Step, buyer: Any, seller: Any, index: int, now: dt.datetime) -> Any:
    """A delivered order (4 days ago; the lost parcel: promised 2 days ago) made by the orders
    seeder's own helper, through checkout, shipping and the sandbox carrier."""
    from comptoir.orders.models import Order
    from comptoir.orders.seeders import DemoOrder, _seed_one

    product = _product_of(seller, index)
    if product is None:
        return None
    if step.route == "lost":
        demo = DemoOrder(step.key, product, 1, 32, "lost", 30, 28)
    else:
        demo = DemoOrder(step.key, product, 1, 16, "standard", 14, 25, 10)
    _seed_one(buyer, demo, now)
    return Order.objects.filter(buyer=buyer, checkout_key=f"demo:{step.key}").first()


# --- the steps ------------------------------------------------------------------------------------


@dataclass
class Ctx:
    step: Step
    order: Any
    buyer: Any
    seller: Any
    officers: list[Any]
    now: dt.datetime

    def at(self, days_ago: float) -> Any:
        return clock.frozen_at(self.now - dt.timedelta(days=days_ago))


def _open(c: Ctx, *, days_ago: float, request: str = "refund", amount: str = "5.00") -> Any:
    from comptoir.core.money import Money
    from comptoir.disputes import services

    lines = list(c.order.lines.order_by("position").values_list("pk", flat=True))
    with c.at(days_ago):
        photos = [
            _photo(c.buyer, "photo-colis.jpg", (196, 120, 90)),
            _photo(c.buyer, "photo-article.jpg", (90, 120, 170)),
        ]
        return services.dispute_open(
            user=c.buyer,
            order=c.order,
            line_ids=lines,
            reason="damaged",
            request=request,
            description=DESCRIPTIONS[c.step.buyer],
            amount=Money.parse(amount, c.order.currency) if request == "refund" else None,
            evidence=photos,
        )


def _refuse(c: Ctx, d: Any, *, days_ago: float) -> None:
    from comptoir.core.money import Money
    from comptoir.disputes import services

    text = {
        "lea": "Le colis est parti en parfait état (photo jointe). Je propose 2 € de geste.",
        "emily": "The parcel left in perfect condition (photo attached). I offer €2 as a gesture.",
    }[c.step.buyer]
    with c.at(days_ago):
        services.dispute_refuse(
            user=c.seller,
            public_id=d.public_id,
            outcome="partial_refund",
            amount=Money.parse("2.00", c.order.currency),
            message=text,
            evidence=[_photo(c.seller, "emballage.jpg", (120, 160, 110))],
        )


def _escalate(c: Ctx, d: Any, *, days_ago: float) -> None:
    from comptoir.disputes import services

    with c.at(days_ago):
        services.dispute_escalate(user=c.buyer, public_id=d.public_id)


def _decide(c: Ctx, d: Any, *, days_ago: float) -> None:
    from comptoir.core.money import Money
    from comptoir.disputes import services

    with c.at(days_ago):
        services.dispute_decide(
            user=c.officers[0],
            public_id=d.public_id,
            outcome="partial_refund",
            amount=Money.parse("4.00", c.order.currency),
            message="Les photos montrent un défaut réel mais léger. / The photos show a real "
            "but slight defect.",
        )


def awaiting_seller(c: Ctx) -> None:
    _open(c, days_ago=1)


def refused(c: Ctx) -> None:
    d = _open(c, days_ago=3)
    _refuse(c, d, days_ago=2)


def escalated(c: Ctx) -> None:
    d = _open(c, days_ago=3.5)
    _refuse(c, d, days_ago=3)
    _escalate(c, d, days_ago=0.5)


def evidence_requested(c: Ctx) -> None:
    from comptoir.disputes import evidence

    d = _open(c, days_ago=3.5)
    _refuse(c, d, days_ago=3)
    _escalate(c, d, days_ago=2)
    with c.at(1):
        evidence.evidence_request(
            user=c.officers[0],
            public_id=d.public_id,
            party="buyer",
            message="Please send a photo of the item's label and serial number.",
        )


def decided(c: Ctx) -> None:
    d = _open(c, days_ago=3.8)
    _refuse(c, d, days_ago=3.5)
    _escalate(c, d, days_ago=3)
    _decide(c, d, days_ago=1)


def appealed(c: Ctx) -> None:
    from comptoir.disputes import services

    d = _open(c, days_ago=3.8)
    _refuse(c, d, days_ago=3.5)
    _escalate(c, d, days_ago=3)
    _decide(c, d, days_ago=2)
    with c.at(1):
        services.dispute_appeal(
            user=c.buyer,
            public_id=d.public_id,
            message="4 € do not cover the repair: the quote attached says 9 €.",
        )


def settled(c: Ctx) -> None:
    from comptoir.disputes import services

    d = _open(c, days_ago=3, amount="6.00")
    with c.at(2):
        services.dispute_accept(user=c.seller, public_id=d.public_id)


def cancelled(c: Ctx) -> None:
    from comptoir.disputes import services

    d = _open(c, days_ago=3)
    with c.at(2):
        services.dispute_cancel(user=c.buyer, public_id=d.public_id)


def return_waiting_address(c: Ctx) -> None:
    from comptoir.disputes import services

    d = _open(c, days_ago=2, request="return_and_refund")
    with c.at(1):
        services.dispute_accept(user=c.seller, public_id=d.public_id)


def return_shipped(c: Ctx) -> None:
    from comptoir.disputes import returns, services

    d = _open(c, days_ago=3.5, request="return_and_refund")
    with c.at(3):
        services.dispute_accept(user=c.seller, public_id=d.public_id)
    ret = d.returns.order_by("pk").first()
    if ret is None:
        return
    with c.at(2.5):
        returns.return_address_give(
            user=c.seller,
            public_id=ret.public_id,
            name="Retours " + ret.shop.name,
            line1="8 quai des Marques",
            postal_code="69007",
            city="Lyon",
            country="FR",
        )
    with c.at(1):
        returns.return_ship(
            user=c.buyer,
            public_id=ret.public_id,
            carrier="sandbox",
            tracking_number=f"RT{ret.pk:09d}FR",
        )


def not_received(c: Ctx) -> None:
    from comptoir.disputes import services

    lines = list(c.order.lines.order_by("position").values_list("pk", flat=True))
    with c.at(0.5):
        services.dispute_open(
            user=c.buyer,
            order=c.order,
            line_ids=lines,
            reason="not_received",
            request="refund",
            description="The tracking says the parcel was lost. I never received it.",
        )


def change_of_mind(c: Ctx) -> None:
    from comptoir.disputes import returns

    lines = list(c.order.lines.order_by("position").values_list("pk", flat=True))
    with c.at(1):
        returns.return_request_open(
            user=c.buyer,
            order=c.order,
            line_ids=lines,
            unused=True,
            note="La couleur ne va pas avec mon salon.",
        )


RUNNERS: dict[str, Callable[[Ctx], None]] = {
    f.__name__: f
    for f in (
        awaiting_seller,
        refused,
        escalated,
        evidence_requested,
        decided,
        appealed,
        settled,
        cancelled,
        return_waiting_address,
        return_shipped,
        not_received,
        change_of_mind,
    )
}


def disputes_seed() -> int:
    """Apply every step not seeded yet; returns how many were."""
    from comptoir.disputes.models import Dispute, ReturnRequest

    now = clock.now()
    sellers = [_user(e) for e in SELLERS]
    officers = [u for u in (_user(e) for e in OFFICERS) if u is not None]
    done = 0
    for index, step in enumerate(STEPS):
        buyer = _user(BUYERS[step.buyer])
        seller = sellers[step.seller]
        if buyer is None or seller is None or not officers:
            continue
        order = _order(step, buyer, seller, index, now)
        if order is None:
            continue
        if (
            Dispute.objects.filter(order=order).exists()
            or ReturnRequest.objects.filter(order=order).exists()
        ):
            continue
        RUNNERS[step.run](Ctx(step, order, buyer, seller, officers, now))
        done += 1
    return done


@register_seeder(
    "disputes", version=SEEDER_VERSION, after=("orders", "ledger", "tickets", "messaging")
)
def _seed() -> None:
    disputes_seed()
