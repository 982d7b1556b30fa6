"""Dispute reads, scoped to what the caller may see: the buyer, the members of the seller's shop,
and staff. "Not yours" is NotFound, like "does not exist"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from comptoir.accounts.enums import Role
from comptoir.accounts.models import ShopMembership
from comptoir.core import clock
from comptoir.core.errors import ApplicationError, NotFound
from comptoir.core.money import Money
from comptoir.core.pagination import Page, paginate
from comptoir.ledger.models import EscrowHold
from comptoir.orders.models import Order, OrderLine
from comptoir.orders.selectors import protection_dates

from .enums import ACTIVE_STATUSES, ActorKind, DisputeReason, DisputeStatus
from .models import Dispute, DisputeEvent, DisputeLine
from .transitions import Transition, actions_for

OFFICER_ROLES = frozenset({Role.OFFICER, Role.SUPERVISOR, Role.ADMIN})
LIST_ORDER = ("-created_at", "-pk")


def is_officer(user: Any) -> bool:
    return (
        bool(getattr(user, "is_authenticated", False))
        and getattr(user, "role", "") in OFFICER_ROLES
    )


def dispute_scope(user: Any) -> QuerySet[Dispute]:
    if user is None or not getattr(user, "is_authenticated", False):
        return Dispute.objects.none()
    if getattr(user, "is_staff_member", False):
        return Dispute.objects.all()
    shops = ShopMembership.objects.filter(user=user).values("shop_id")
    return Dispute.objects.filter(Q(buyer=user) | Q(shop_id__in=shops))


def dispute_actors(dispute: Dispute, user: Any) -> set[str]:
    actors: set[str] = set()
    if dispute.buyer_id == getattr(user, "pk", None):
        actors.add(ActorKind.BUYER)
    user_pk = getattr(user, "pk", None)
    if (
        user_pk is not None
        and ShopMembership.objects.filter(shop_id=dispute.shop_id, user_id=user_pk).exists()
    ):
        actors.add(ActorKind.SELLER)
    if is_officer(user):
        actors.add(ActorKind.OFFICER)
    return actors


def dispute_get(*, user: Any, public_id: str) -> Dispute:
    dispute = (
        dispute_scope(user)
        .select_related("order", "shop", "buyer", "decided_by")
        .prefetch_related(
            "lines__order_line",
            "proposals",
            "evidence__upload",
            Prefetch("events", queryset=DisputeEvent.objects.order_by("created_at", "pk")),
        )
        .filter(public_id=public_id)
        .first()
    )
    if dispute is None:
        raise NotFound()
    return dispute


def dispute_list(
    *, user: Any, status: str | None = None, cursor: str | None = None, limit: int = 25
) -> Page[Dispute]:
    disputes = dispute_scope(user).select_related("order", "shop")
    if status:
        disputes = disputes.filter(status=status)
    return paginate(disputes, order=LIST_ORDER, cursor=cursor, limit=limit)


def dispute_list_for_seller_waiting(*, user: Any, limit: int = 50) -> list[Dispute]:
    """The seller's disputes waiting for an answer, the nearest deadline first."""
    shops = ShopMembership.objects.filter(user=user).values("shop_id")
    return list(
        Dispute.objects.filter(shop_id__in=shops, status=DisputeStatus.AWAITING_SELLER)
        .select_related("order")
        .order_by("due_at", "pk")[:limit]
    )


def dispute_list_for_seller(
    *, user: Any, cursor: str | None = None, limit: int = 25
) -> Page[Dispute]:
    shops = ShopMembership.objects.filter(user=user).values("shop_id")
    disputes = Dispute.objects.filter(shop_id__in=shops).select_related("order")
    return paginate(disputes, order=LIST_ORDER, cursor=cursor, limit=limit)


@dataclass(frozen=True)
class DisputeView:
    dispute: Dispute
    actors: set[str]
    actions: list[Transition]
    lines_value: Money


def allowed_actions(dispute: Dispute, actors: set[str]) -> list[Transition]:
    """The table's actions for these actors, minus those a rule forbids right now."""
    found = []
    for t in actions_for(dispute.status, actors):
        if t.action == "appeal" and dispute.appealed:
            continue
        if (
            t.action == "decide-appeal"
            and dispute.decided_by_id is not None
            and not (actors & {ActorKind.OFFICER})
        ):
            continue
        if t.action == "reopen" and protection_over(dispute.order):
            continue
        found.append(t)
    return found


def dispute_view(*, user: Any, public_id: str) -> DisputeView:
    dispute = dispute_get(user=user, public_id=public_id)
    actors = dispute_actors(dispute, user)
    return DisputeView(
        dispute=dispute,
        actors=actors,
        actions=allowed_actions(dispute, actors),
        lines_value=lines_value(dispute.order, [dl.order_line_id for dl in dispute.lines.all()]),
    )


# --- eligibility and amounts ---------------------------------------------------------------------


def lines_value(order: Order, line_ids: list[int]) -> Money:
    total = OrderLine.objects.filter(order=order, pk__in=line_ids).aggregate(
        s=Sum("line_total_minor")
    )["s"]
    return Money.from_minor(int(total or 0), order.currency)


def held_on_lines(order: Order, line_ids: list[int]) -> Money:
    """What escrow still holds for these lines (the most a refund can give back)."""
    total = EscrowHold.objects.filter(order=order, order_line_id__in=line_ids).aggregate(
        s=Sum(F("amount_minor") - F("released_minor") - F("refunded_minor"))
    )["s"]
    return Money.from_minor(int(total or 0), order.currency)


def protection_over(order: Order, *, now: dt.datetime | None = None) -> bool:
    dates = protection_dates(order, now=now)
    now = now or clock.now()
    return dates.hold_ends_at is not None and now >= dates.hold_ends_at


def open_check(*, order: Order, reason: str, now: dt.datetime | None = None) -> None:
    """Refuse, with a translated explanation, a dispute that PRODUCT.md §3 does not allow now."""
    now = now or clock.now()
    dates = protection_dates(order, now=now)
    if order.paid_at is None:
        raise ApplicationError(
            "order_not_paid", _("This order was not paid: there is nothing to dispute.")
        )
    if reason == DisputeReason.NOT_RECEIVED:
        if order.delivered_at is not None:
            raise ApplicationError(
                "already_delivered",
                _(
                    "The carrier reports this parcel as delivered. If something is wrong with "
                    "it, choose what happened to the item received."
                ),
            )
        if dates.not_received_from is None:
            raise ApplicationError(
                "not_shipped_yet",
                _(
                    "The parcel has not been shipped yet. You can cancel the order, or open a "
                    "dispute once the promised delivery date has passed."
                ),
            )
        if clock.today() < dates.not_received_from:
            raise ApplicationError(
                "too_early",
                _(
                    "The seller promised delivery by %(date)s. If the parcel has not arrived "
                    "by then, you can open a dispute from that day."
                )
                % {"date": dates.not_received_from.isoformat()},
                {"from": dates.not_received_from.isoformat()},
            )
        return
    if order.delivered_at is None:
        raise ApplicationError(
            "not_delivered",
            _(
                "This parcel has not been delivered yet. If it is late, open a "
                "“not received” dispute once the promised date has passed."
            ),
        )
    if dates.hold_ends_at is not None and now >= dates.hold_ends_at:
        raise ApplicationError(
            "protection_over",
            _(
                "Buyer protection for this order ended on %(date)s (60 days after delivery): "
                "a dispute can no longer be opened."
            )
            % {"date": dates.hold_ends_at.date().isoformat()},
        )


def lines_decided(line_ids: list[int]) -> bool:
    """A line that already went through a dispute to an outcome can never be disputed again."""
    return DisputeLine.objects.filter(
        order_line_id__in=line_ids,
        dispute__status__in=[DisputeStatus.CLOSED, DisputeStatus.AWAITING_RETURN],
    ).exists()


def lines_in_active_dispute(line_ids: list[int]) -> bool:
    return DisputeLine.objects.filter(
        order_line_id__in=line_ids, active=True, dispute__status__in=list(ACTIVE_STATUSES)
    ).exists()
