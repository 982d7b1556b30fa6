"""The return sub-flow, one model (``ReturnRequest``) for both uses (PRODUCT.md §3, J11):

- the return of a dispute whose outcome is "return and refund" (agreed, or decided and final):
  started by ``return_start_for_dispute`` from the settlement; the dispute waits in
  ``awaiting_return``, its lines stay frozen under the dispute's reference; the seller pays the
  return postage (the buyer declares it, with the receipt, when shipping; refunded on top, capped
  by ``RETURN_POSTAGE_CAP``, charged to the seller's payable);
- a change-of-mind return request outside any dispute (``return_request_open``): within the
  protection period, item unused; the buyer pays the return postage; its lines are frozen under
  ``return:<public_id>`` while it is active; the item price is refunded on receipt.

Steps and deadlines (``due_at``, one sweep each in ``sweeps.py``): the seller gives a return
address within 5 days, else the platform's default (``return_address_default``) → the buyer
ships with a carrier and a tracking number within 10 days, else closed, no refund
(``return_shipment_missed``; a dispute is then closed for the seller) → the return is delivered
(carrier scan, ``return_delivery_check``; or staff, ``return_mark_delivered``) → the seller
confirms receipt within 15 days of the delivery, else refunded automatically
(``return_confirmation_missed``).

Timeline: every step writes a ``DisputeEvent`` with ``return_request`` set (and ``dispute`` when
the return belongs to a dispute; ``old_status``/``new_status`` are then RETURN statuses) and
calls ``notify.event_recorded`` in the same transaction. Lock order: the order (NO KEY UPDATE),
the dispute, the return, then the ledger's holds and accounts."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from comptoir.core import clock
from comptoir.core.errors import ApplicationError, Conflict, NotFound, ValidationFailed
from comptoir.core.money import Money
from comptoir.core.uploads.models import Upload
from comptoir.ledger.services import (
    escrow_freeze,
    escrow_unfreeze,
    orders_lock,
    refund_after_return,
)
from comptoir.orders.models import Order, Shipment
from comptoir.orders.services import return_shipment_create

from . import conf
from .enums import (
    ACTIVE_RETURN_STATUSES,
    SELLER_PAYS_RETURN,
    ActorKind,
    AddressSource,
    ReturnKind,
    ReturnStatus,
)
from .models import Dispute, DisputeLine, ReturnLine, ReturnRequest
from .selectors import return_actors, return_open_check, return_scope
from .services._core import event_record
from .services._core import lock as lock_dispute
from .services._core import transition as dispute_transition
from .services._machine import Machine, machine_step
from .transitions import NEW, RETURN_TRANSITIONS

ADDRESS_FIELDS = ("name", "line1", "line2", "postal_code", "city", "country")


# --- machinery -------------------------------------------------------------------------------------


def _lock(pk: int) -> tuple[ReturnRequest, Dispute | None]:
    """Lock the order, the return's dispute (if any), then the return: the one fixed order."""
    found = ReturnRequest.objects.filter(pk=pk).values_list("order_id", "dispute_id").first()
    if found is None:
        raise NotFound()
    orders_lock([found[0]])
    dispute = lock_dispute(found[1]) if found[1] else None
    ret = ReturnRequest.objects.select_for_update(of=("self",)).select_related("order").get(pk=pk)
    if dispute is not None:
        ret.dispute = dispute
    return ret, dispute


def _lock_visible(*, user: Any, public_id: str) -> tuple[ReturnRequest, Dispute | None]:
    pk = return_scope(user).filter(public_id=public_id).values_list("pk", flat=True).first()
    if pk is None:
        raise NotFound()
    return _lock(pk)


def _not_now(ret: ReturnRequest, action: str) -> Conflict:
    return Conflict(
        "transition_not_allowed",
        _("This return cannot do that now (it is “%(status)s”).")
        % {"status": ret.get_status_display()},
        {"action": action, "status": ret.status},
    )


def _actor_for(ret: ReturnRequest, user: Any, action: str) -> str:
    t = RETURN_TRANSITIONS[action]
    allowed = return_actors(ret, user) & t.actors
    if not allowed:
        raise ApplicationError(
            "action_not_allowed", _("You cannot do this on this return."), {"action": action}
        )
    if ret.status not in t.sources:
        raise _not_now(ret, action)
    return sorted(allowed)[0]


def _line_ids(ret: ReturnRequest) -> list[int]:
    return list(ret.lines.order_by("order_line_id").values_list("order_line_id", flat=True))


def _return_event(ret: ReturnRequest, **fields: Any) -> Any:
    return event_record(dispute=ret.dispute, return_request=ret, **fields)


RETURNS = Machine(
    table=RETURN_TRANSITIONS,
    active=ACTIVE_RETURN_STATUSES,
    closing=frozenset(ReturnStatus.values) - ACTIVE_RETURN_STATUSES,
    lines=lambda ret: ReturnLine.objects.filter(return_request=ret),
    taken=lambda: Conflict(
        "line_in_return", _("One of these items is already in another return request.")
    ),
    not_now=_not_now,
    record=_return_event,
)


# One step of the return table on the locked return (``_machine.machine_step``).
_step = partial(machine_step, RETURNS)


def _create(
    *,
    order: Order,
    kind: str,
    line_ids: Sequence[int],
    postage_payer: str,
    actor_kind: str,
    actor: Any = None,
    dispute: Dispute | None = None,
    note: str = "",
) -> ReturnRequest:
    opening = RETURN_TRANSITIONS["return-open"]
    assert NEW in opening.sources and actor_kind in opening.actors
    due_at = clock.now() + conf.return_address_window()
    ret = ReturnRequest.objects.create(
        order=order,
        buyer_id=order.buyer_id,
        shop_id=order.shop_id,
        dispute=dispute,
        kind=kind,
        status=opening.target,
        postage_payer=postage_payer,
        note=note,
        currency=order.currency,
        due_at=due_at,
    )
    try:
        with transaction.atomic():
            ReturnLine.objects.bulk_create(
                [ReturnLine(return_request=ret, order_line_id=pk) for pk in sorted(line_ids)]
            )
    except IntegrityError as exc:
        raise Conflict(
            "line_in_return", _("One of these items is already in another return request.")
        ) from exc
    event_record(
        dispute=dispute,
        return_request=ret,
        action=opening.action,
        old_status=NEW,
        new_status=opening.target,
        actor_kind=actor_kind,
        actor=actor,
        payload={
            "kind": kind,
            "lines": sorted(line_ids),
            "postage_payer": postage_payer,
            "due_at": due_at.isoformat(),
        },
    )
    return ret


# --- opening ---------------------------------------------------------------------------------------


@transaction.atomic
def return_request_open(
    *,
    user: Any,
    order: Order,
    line_ids: Sequence[int],
    unused: bool,
    note: str = "",
) -> ReturnRequest:
    """A buyer who changed their mind asks to send lines of a delivered order back
    (PRODUCT.md §3): within the protection period, item unused (``unused`` is the buyer's
    declaration), lines in no active dispute or return and still held. The buyer pays the return
    postage; the item price is refunded when the seller confirms receipt. The lines are frozen
    while the request is active. Refusals explain why (``ApplicationError`` codes of
    ``selectors.return_open_check``)."""
    if order.buyer_id != getattr(user, "pk", None):
        raise NotFound()
    order = Order.objects.select_for_update(no_key=True).get(pk=order.pk)  # see dispute_open
    ids = sorted(set(line_ids))
    return_open_check(order=order, line_ids=ids, unused=unused)
    ret = _create(
        order=order,
        kind=ReturnKind.CHANGE_OF_MIND,
        line_ids=ids,
        postage_payer=ActorKind.BUYER,
        actor_kind=ActorKind.BUYER,
        actor=user,
        note=(note or "").strip()[:2000],
    )
    escrow_freeze(order=order, line_ids=ids, reference=ret.freeze_reference)
    return ret


def return_start_for_dispute(*, dispute: Dispute) -> ReturnRequest:
    """The dispute's outcome "return and refund" is agreed or final (``dispute`` locked, in
    ``awaiting_return``): start its return. Postage: the seller's when the item was damaged,
    wrong, not as described, defective or an empty parcel. Idempotent: an active return of this
    dispute is returned as is."""
    existing = dispute.returns.filter(
        status__in=[
            ReturnStatus.AWAITING_ADDRESS,
            ReturnStatus.AWAITING_SHIPMENT,
            ReturnStatus.SHIPPED,
            ReturnStatus.DELIVERED,
        ]
    ).first()
    if existing is not None:
        return existing
    ids = list(
        DisputeLine.objects.filter(dispute=dispute)
        .order_by("order_line_id")
        .values_list("order_line_id", flat=True)
    )
    payer = ActorKind.SELLER if dispute.reason in SELLER_PAYS_RETURN else ActorKind.BUYER
    return _create(
        order=dispute.order,
        kind=ReturnKind.DISPUTE,
        line_ids=ids,
        postage_payer=payer,
        actor_kind=ActorKind.SYSTEM,
        dispute=dispute,
    )


# --- the steps -------------------------------------------------------------------------------------


def _address(values: dict[str, str]) -> dict[str, str]:
    cleaned = {k: (values.get(k) or "").strip() for k in ADDRESS_FIELDS}
    missing = [k for k in ("name", "line1", "postal_code", "city", "country") if not cleaned[k]]
    if missing:
        raise ValidationFailed(
            _("Give the full return address: name, street, postal code, city and country."),
            {"fields": missing},
        )
    if len(cleaned["country"]) != 2 or not cleaned["country"].isalpha():
        raise ValidationFailed(
            _("The country is a two-letter code (FR, BE…)."), {"field": "country"}
        )
    limits = {"name": 100, "line1": 200, "line2": 200, "postal_code": 12, "city": 80}
    for key, limit in limits.items():
        if len(cleaned[key]) > limit:
            raise ValidationFailed(_("This address line is too long."), {"field": key})
    cleaned["country"] = cleaned["country"].upper()
    return cleaned


def _address_changes(address: dict[str, str], source: str) -> dict[str, Any]:
    return {"address_source": source, **{f"address_{k}": v for k, v in address.items()}}


@transaction.atomic
def return_address_give(
    *,
    user: Any,
    public_id: str,
    name: str,
    line1: str,
    postal_code: str,
    city: str,
    country: str,
    line2: str = "",
) -> ReturnRequest:
    """The seller gives the return address; the buyer then has 10 days to ship."""
    ret, _dispute = _lock_visible(user=user, public_id=public_id)
    actor = _actor_for(ret, user, "return-address")
    address = _address(
        {
            "name": name,
            "line1": line1,
            "line2": line2,
            "postal_code": postal_code,
            "city": city,
            "country": country,
        }
    )
    _step(
        ret,
        "return-address",
        actor_kind=actor,
        actor=user,
        due_at=clock.now() + conf.return_shipment_window(),
        changes=_address_changes(address, AddressSource.SELLER),
        payload={"address": address},
    )
    return ret


@transaction.atomic
def return_ship(
    *,
    user: Any,
    public_id: str,
    carrier: str,
    tracking_number: str,
    postage: Money | None = None,
    postage_receipt: Upload | None = None,
) -> ReturnRequest:
    """The buyer sent the item back: carrier and tracking number (a return ``Shipment`` of the
    order, tracked like the outbound parcel). When the seller pays the return postage, the buyer
    declares it with the receipt (a photo or PDF of their own); it is refunded on top, capped."""
    ret, _dispute = _lock_visible(user=user, public_id=public_id)
    actor = _actor_for(ret, user, "return-ship")
    changes: dict[str, Any] = {}
    if postage is not None:
        if ret.postage_payer != ActorKind.SELLER:
            raise ValidationFailed(
                _("You pay the postage of a change-of-mind return."), {"field": "postage"}
            )
        if postage.currency != ret.currency or postage.minor_units <= 0:
            raise ValidationFailed(
                _("The postage is a positive amount in the order's currency."),
                {"field": "postage"},
            )
        if postage_receipt is None:
            raise ValidationFailed(_("Add the postage receipt."), {"field": "postage_receipt"})
        changes["postage_minor"] = postage.quantize().minor_units
    if postage_receipt is not None:
        if postage_receipt.owner_id != user.pk:
            raise NotFound()
        changes["postage_receipt"] = postage_receipt
    shipment = return_shipment_create(
        number=ret.order.number, carrier=carrier, tracking_number=tracking_number, actor_user=user
    )
    now = clock.now()
    _step(
        ret,
        "return-ship",
        actor_kind=actor,
        actor=user,
        changes={**changes, "shipment": shipment, "shipped_at": now},
        payload={
            "carrier": shipment.carrier,
            "tracking_number": shipment.tracking_number,
            **({"postage": ret.postage.as_api()} if ret.postage is not None else {}),
        },
    )
    return ret


@transaction.atomic
def return_mark_delivered(*, user: Any, public_id: str) -> ReturnRequest:
    """Staff record that the return was delivered (no carrier scan): 15 days to confirm."""
    ret, _dispute = _lock_visible(user=user, public_id=public_id)
    actor = _actor_for(ret, user, "return-delivered")
    now = clock.now()
    _step(
        ret,
        "return-delivered",
        actor_kind=actor,
        actor=user,
        due_at=now + conf.return_confirmation_window(),
        changes={"delivered_at": now},
        payload={"by": "staff"},
    )
    return ret


@transaction.atomic
def return_confirm_receipt(*, user: Any, public_id: str) -> ReturnRequest:
    """The seller received the item back: the refund is made at once (ledger
    ``refund_after_return``); a dispute's return closes the dispute."""
    ret, dispute = _lock_visible(user=user, public_id=public_id)
    actor = _actor_for(ret, user, "return-confirm")
    _refund(ret, dispute, action="return-confirm", actor_kind=actor, actor=user)
    return ret


@transaction.atomic
def return_cancel(*, user: Any, public_id: str) -> ReturnRequest:
    """The buyer withdraws a change-of-mind return before shipping; the lines are unfrozen. A
    dispute's return cannot be withdrawn (not shipping in time closes the dispute)."""
    ret, _dispute = _lock_visible(user=user, public_id=public_id)
    actor = _actor_for(ret, user, "return-cancel")
    if ret.kind != ReturnKind.CHANGE_OF_MIND:
        raise Conflict(
            "return_of_dispute",
            _(
                "This return settles a dispute: it ends when the item is sent back or time runs out."
            ),
        )
    _step(ret, "return-cancel", actor_kind=actor, actor=user)
    escrow_unfreeze(order=ret.order, line_ids=_line_ids(ret), reference=ret.freeze_reference)
    return ret


# --- money ----------------------------------------------------------------------------------------


def _refund(
    ret: ReturnRequest, dispute: Dispute | None, *, action: str, actor_kind: str, actor: Any = None
) -> None:
    order = ret.order
    ids = _line_ids(ret)
    seller_pays = ret.postage_payer == ActorKind.SELLER and ret.postage is not None
    # The seller's available balance pays the postage as far as it goes; the platform advances
    # the rest (the seller's receivable, recovered from their next releases). A change-of-mind
    # return refunds the item price only: the outbound shipping stays with the seller.
    refund = refund_after_return(
        order=order,
        line_ids=ids,
        idempotency_key=f"return:{ret.public_id}",
        return_postage=ret.postage if seller_pays else None,
        seller_pays_postage=seller_pays,
        with_shipping=ret.kind != ReturnKind.CHANGE_OF_MIND,
    )
    payload: dict[str, Any] = {}
    if refund.postage_advanced_minor:
        payload["postage_owed_by_seller"] = Money.from_minor(
            refund.postage_advanced_minor, order.currency
        ).as_api()
    now = clock.now()
    payload |= {
        "refund": refund.public_id,
        "amount": Money.from_minor(refund.amount_minor, order.currency).as_api(),
        "postage_refunded": Money.from_minor(refund.postage_minor, order.currency).as_api(),
    }
    _step(
        ret,
        action,
        actor_kind=actor_kind,
        actor=actor,
        changes={
            "received_at": now,
            "refund_minor": refund.amount_minor,
            "refund_id": refund.public_id,
        },
        payload=payload,
    )
    escrow_unfreeze(order=order, line_ids=ids, reference=ret.freeze_reference)
    if dispute is not None:
        dispute_transition(
            dispute,
            "return-received",
            actor_kind=ActorKind.SYSTEM,
            payload={"return": ret.public_id, **payload},
        )


# --- deadlines (the sweeps, on a locked row, re-checked: idempotent) ------------------------------


def _due(ret: ReturnRequest, status: str, now: dt.datetime) -> bool:
    return ret.status == status and ret.due_at is not None and ret.due_at <= now


@transaction.atomic
def return_address_default(*, return_id: int, now: dt.datetime) -> bool:
    """The seller gave no address in time: the platform's default return address is used."""
    ret, _dispute = _lock(return_id)
    if not _due(ret, ReturnStatus.AWAITING_ADDRESS, now):
        return False
    address = _address(conf.default_return_address())
    _step(
        ret,
        "return-default-address",
        actor_kind=ActorKind.SYSTEM,
        due_at=now + conf.return_shipment_window(),
        changes=_address_changes(address, AddressSource.PLATFORM),
        payload={"address": address, "why": "seller_silence"},
    )
    return True


@transaction.atomic
def return_shipment_missed(*, return_id: int, now: dt.datetime) -> bool:
    """Not sent back in time: closed, no refund; the lines are unfrozen and follow the normal
    release rules; a dispute is closed for the seller."""
    ret, dispute = _lock(return_id)
    if not _due(ret, ReturnStatus.AWAITING_SHIPMENT, now):
        return False
    _step(ret, "return-not-shipped", actor_kind=ActorKind.SYSTEM, payload={"why": "not_shipped"})
    escrow_unfreeze(order=ret.order, line_ids=_line_ids(ret), reference=ret.freeze_reference)
    if dispute is not None:
        dispute_transition(
            dispute,
            "return-not-shipped",
            actor_kind=ActorKind.SYSTEM,
            payload={"return": ret.public_id, "why": "not_shipped"},
        )
    return True


@transaction.atomic
def return_delivery_check(*, return_id: int, now: dt.datetime) -> bool:
    """The carrier scanned the return parcel as delivered: 15 days for the seller to confirm."""
    ret, _dispute = _lock(return_id)
    if ret.status != ReturnStatus.SHIPPED or ret.shipment_id is None:
        return False
    shipment = Shipment.objects.get(pk=ret.shipment_id)
    if shipment.delivered_at is None:
        return False
    _step(
        ret,
        "return-delivered",
        actor_kind=ActorKind.SYSTEM,
        due_at=shipment.delivered_at + conf.return_confirmation_window(),
        changes={"delivered_at": shipment.delivered_at},
        payload={"by": "carrier", "tracking_number": shipment.tracking_number},
    )
    return True


@transaction.atomic
def return_confirmation_missed(*, return_id: int, now: dt.datetime) -> bool:
    """The seller did not confirm within 15 days of the return's delivery: refunded."""
    ret, dispute = _lock(return_id)
    if not _due(ret, ReturnStatus.DELIVERED, now):
        return False
    _refund(ret, dispute, action="return-auto-refund", actor_kind=ActorKind.SYSTEM)
    return True
