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
from comptoir.core.errors import ApplicationError, Conflict, NotFound, ValidationFailed
from comptoir.core.money import Money
from comptoir.core.pagination import Page, paginate
from comptoir.ledger.models import EscrowHold
from comptoir.orders.models import Order, OrderLine
from comptoir.orders.selectors import protection_dates

from .enums import (
    ACTIVE_RETURN_STATUSES,
    ACTIVE_STATUSES,
    ActorKind,
    DisputeReason,
    DisputeStatus,
    EvidenceRequestStatus,
    ReturnStatus,
)
from .models import Dispute, DisputeEvent, DisputeLine, EvidenceRequest, ReturnLine, ReturnRequest
from .transitions import Transition, actions_for, return_actions_for

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


def allowed_actions(
    dispute: Dispute, actors: set[str], *, user: Any = None, now: dt.datetime | None = None
) -> list[Transition]:
    """The table's actions for these actors, minus those a rule forbids right now: a second
    appeal, an appeal after the window, the appeal decided by the officer who decided (when
    ``user`` is given), evidence sent by the party not asked, reopening after protection."""
    now = now or clock.now()
    found = []
    for t in actions_for(dispute.status, actors):
        if t.action == "appeal" and (
            dispute.appealed or (dispute.due_at is not None and now >= dispute.due_at)
        ):
            continue
        if t.action == "decide-appeal" and (
            not (actors & {ActorKind.OFFICER})
            or (user is not None and dispute.decided_by_id == getattr(user, "pk", None))
        ):
            continue
        if t.action == "submit-evidence":
            request = open_evidence_request(dispute)
            if request is None or request.party not in actors:
                continue
        if t.action == "reopen" and protection_over(dispute.order):
            continue
        found.append(t)
    return found


def open_evidence_request(dispute: Dispute) -> EvidenceRequest | None:
    """The officer's pending request for more evidence (party, message, due time), if any."""
    if dispute.status != DisputeStatus.EVIDENCE_REQUESTED:
        return None
    return (
        EvidenceRequest.objects.filter(dispute=dispute, status=EvidenceRequestStatus.OPEN)
        .order_by("-pk")
        .first()
    )


def dispute_view(*, user: Any, public_id: str) -> DisputeView:
    dispute = dispute_get(user=user, public_id=public_id)
    actors = dispute_actors(dispute, user)
    return DisputeView(
        dispute=dispute,
        actors=actors,
        actions=allowed_actions(dispute, actors, user=user),
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


# --- the officers' queues ------------------------------------------------------------------------


def officer_queue(*, user: Any, limit: int = 50) -> list[Dispute]:
    """Escalated disputes (and those waiting for evidence), the nearest decision deadline first.
    Officers only (NotFound otherwise)."""
    if not is_officer(user):
        raise NotFound()
    return list(
        Dispute.objects.filter(
            status__in=[DisputeStatus.ESCALATED, DisputeStatus.EVIDENCE_REQUESTED]
        )
        .select_related("order", "shop", "buyer")
        .order_by("due_at", "pk")[:limit]
    )


def appeal_queue(*, user: Any, limit: int = 50) -> list[Dispute]:
    """Appealed disputes this officer may review (not those they decided), nearest deadline
    first. Officers only (NotFound otherwise)."""
    if not is_officer(user):
        raise NotFound()
    return list(
        Dispute.objects.filter(status=DisputeStatus.APPEALED)
        .exclude(decided_by=user)
        .select_related("order", "shop", "buyer", "decided_by")
        .order_by("due_at", "pk")[:limit]
    )


# --- the arbitration screen and the evidence forms ---------------------------------------------

MESSAGES_PAGE = 50


def arbitration_messages(
    *, user: Any, dispute: Dispute, cursor: str | None = None, limit: int = MESSAGES_PAGE
) -> Page[Any]:
    """The buyer–seller messages of the dispute's order, oldest first, at most 50 a page
    (keyset, ``core.pagination``). Officers only (NotFound otherwise)."""
    from comptoir.messaging.models import ConversationMessage

    if not is_officer(user):
        raise NotFound()
    rows = ConversationMessage.objects.filter(
        conversation__order_id=dispute.order_id, deleted_at=None
    ).select_related("sender")
    return paginate(
        rows, order=("created_at", "pk"), cursor=cursor, limit=min(limit, MESSAGES_PAGE)
    )


def order_shipments(order: Order) -> list[Any]:
    """The order's parcels (outbound and returns) with their scans, in shipping order."""
    return list(order.shipments.prefetch_related("events").order_by("shipped_at", "pk"))


def evidence_messages(order: Order, *, limit: int = 20) -> list[tuple[str, str, str]]:
    """The latest messages with text of the buyer's conversation with the seller about the
    order, newest first, as (public id, sender side, text): attachable as evidence."""
    from comptoir.messaging.models import ConversationMessage

    return list(
        ConversationMessage.objects.filter(
            conversation__order=order, conversation__buyer_id=order.buyer_id, deleted_at=None
        )
        .exclude(text="")
        .order_by("-created_at", "-pk")
        .values_list("public_id", "sender_side", "text")[:limit]
    )


# --- returns ------------------------------------------------------------------------------------


def return_scope(user: Any) -> QuerySet[ReturnRequest]:
    """Returns visible to ``user``: their buyer, the members of their shop, and staff."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ReturnRequest.objects.none()
    if getattr(user, "is_staff_member", False):
        return ReturnRequest.objects.all()
    shops = ShopMembership.objects.filter(user=user).values("shop_id")
    return ReturnRequest.objects.filter(Q(buyer=user) | Q(shop_id__in=shops))


def return_actors(ret: ReturnRequest, user: Any) -> set[str]:
    actors: set[str] = set()
    user_pk = getattr(user, "pk", None)
    if user_pk is None:
        return actors
    if ret.buyer_id == user_pk:
        actors.add(ActorKind.BUYER)
    if ShopMembership.objects.filter(shop_id=ret.shop_id, user_id=user_pk).exists():
        actors.add(ActorKind.SELLER)
    if getattr(user, "is_staff_member", False):
        actors.add(ActorKind.STAFF)
    return actors


def return_allowed_actions(ret: ReturnRequest, actors: set[str]) -> list[Transition]:
    """The return table's actions for these actors now (a dispute's return cannot be
    cancelled)."""
    from .enums import ReturnKind

    return [
        t
        for t in return_actions_for(ret.status, actors)
        if not (t.action == "return-cancel" and ret.kind != ReturnKind.CHANGE_OF_MIND)
    ]


@dataclass(frozen=True)
class ReturnView:
    ret: ReturnRequest
    actors: set[str]
    actions: list[Transition]
    line_ids: list[int]
    value: Money


def return_get(*, user: Any, public_id: str) -> ReturnRequest:
    ret = (
        return_scope(user)
        .select_related("order", "shop", "buyer", "dispute", "shipment", "postage_receipt")
        .prefetch_related(
            "lines__order_line",
            Prefetch("events", queryset=DisputeEvent.objects.order_by("created_at", "pk")),
        )
        .filter(public_id=public_id)
        .first()
    )
    if ret is None:
        raise NotFound()
    return ret


def return_view(*, user: Any, public_id: str) -> ReturnView:
    """A return with what ``user`` may do on it now (buttons and the API's ``actions``)."""
    ret = return_get(user=user, public_id=public_id)
    actors = return_actors(ret, user)
    ids = sorted(rl.order_line_id for rl in ret.lines.all())
    return ReturnView(
        ret=ret,
        actors=actors,
        actions=return_allowed_actions(ret, actors),
        line_ids=ids,
        value=lines_value(ret.order, ids),
    )


def return_list(
    *, user: Any, status: str | None = None, cursor: str | None = None, limit: int = 25
) -> Page[ReturnRequest]:
    rows = return_scope(user).select_related("order", "shop", "dispute", "shipment")
    if status:
        rows = rows.filter(status=status)
    return paginate(rows, order=LIST_ORDER, cursor=cursor, limit=limit)


def return_list_for_seller_waiting(*, user: Any, limit: int = 50) -> list[ReturnRequest]:
    """The seller's returns waiting for them (address, confirmation), nearest deadline first."""
    shops = ShopMembership.objects.filter(user=user).values("shop_id")
    return list(
        ReturnRequest.objects.filter(
            shop_id__in=shops,
            status__in=[ReturnStatus.AWAITING_ADDRESS, ReturnStatus.DELIVERED],
        )
        .select_related("order")
        .order_by("due_at", "pk")[:limit]
    )


def lines_in_active_return(line_ids: list[int]) -> bool:
    return ReturnLine.objects.filter(
        order_line_id__in=line_ids,
        active=True,
        return_request__status__in=list(ACTIVE_RETURN_STATUSES),
    ).exists()


def return_open_check(
    *, order: Order, line_ids: list[int], unused: bool, now: dt.datetime | None = None
) -> None:
    """Refuse, with a translated explanation, a change-of-mind return that PRODUCT.md §3 does not
    allow now: delivered, within the protection period, item unused, lines free and held."""
    now = now or clock.now()
    if not line_ids or OrderLine.objects.filter(order=order, pk__in=line_ids).count() != len(
        line_ids
    ):
        raise ValidationFailed(_("Choose at least one item of this order."), {"field": "lines"})
    if order.delivered_at is None:
        raise ApplicationError(
            "not_delivered",
            _("A return can be asked for once the parcel has been delivered."),
        )
    dates = protection_dates(order, now=now)
    if dates.hold_ends_at is not None and now >= dates.hold_ends_at:
        raise ApplicationError(
            "protection_over",
            _(
                "Returns are accepted during buyer protection, which ended on %(date)s for this "
                "order."
            )
            % {"date": dates.hold_ends_at.date().isoformat()},
        )
    if not unused:
        raise ValidationFailed(
            _("A change-of-mind return is only for an unused item in its original state."),
            {"field": "unused"},
        )
    if lines_in_active_dispute(line_ids) or lines_in_active_return(line_ids):
        raise Conflict(
            "line_in_dispute",
            _("One of these items is already in a dispute or a return request."),
        )
    if lines_decided(line_ids):
        raise Conflict(
            "line_already_decided",
            _("One of these items already had a dispute settled: it cannot be returned."),
        )
    held = EscrowHold.objects.filter(order=order, order_line_id__in=line_ids, state="held").count()
    if held != len(line_ids):
        raise Conflict(
            "hold_closed",
            _("The money of one of these items was already released or refunded."),
        )


# --- who is awaited, until when (the countdowns) -------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    """Who must act (``buyer``, ``seller``, ``officer``, ``carrier``) and by when (None: no
    deadline); what happens when the time runs out is the sweep of that step."""

    party: str
    due_at: dt.datetime | None


def dispute_waiting_on(dispute: Dispute) -> Waiting | None:
    """The party a dispute waits for now, and the deadline (None once it is over)."""
    status = dispute.status
    if status == DisputeStatus.EVIDENCE_REQUESTED:
        request = open_evidence_request(dispute)
        return Waiting(request.party if request else ActorKind.OFFICER, dispute.due_at)
    party = {
        DisputeStatus.AWAITING_SELLER: ActorKind.SELLER,
        DisputeStatus.REFUSED: ActorKind.BUYER,
        DisputeStatus.ESCALATED: ActorKind.OFFICER,
        DisputeStatus.APPEALED: ActorKind.OFFICER,
        # The appeal window: either party may appeal until then.
        DisputeStatus.DECIDED: "buyer_or_seller",
    }.get(DisputeStatus(status))
    if party is not None:
        return Waiting(party, dispute.due_at)
    if status == DisputeStatus.AWAITING_RETURN:
        ret = dispute.returns.filter(status__in=list(ACTIVE_RETURN_STATUSES)).first()
        return return_waiting_on(ret) if ret is not None else None
    return None


def return_waiting_on(ret: ReturnRequest) -> Waiting | None:
    party = {
        ReturnStatus.AWAITING_ADDRESS: ActorKind.SELLER,
        ReturnStatus.AWAITING_SHIPMENT: ActorKind.BUYER,
        ReturnStatus.SHIPPED: "carrier",
        ReturnStatus.DELIVERED: ActorKind.SELLER,
    }.get(ReturnStatus(ret.status))
    return Waiting(party, ret.due_at) if party is not None else None
