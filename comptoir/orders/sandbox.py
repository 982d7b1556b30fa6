"""The sandbox carrier: parcels follow scripted, realistic routes (Shenzhen → … → France).

Each sandbox shipment carries a route name, the next step to emit and when it is due. The
``sandbox_carrier`` sweep emits every step whose time (shipment time + offset) has come,
through ``tracking_event_record`` — exactly what a real carrier's webhook would call — with
external ids ``sandbox:<tracking number>:<step>``, so re-running it changes nothing.
``manage.py run_sweeps --at 2027-01-15T10:00`` moves every demo parcel to where it would be."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import transaction

from comptoir.core.leases import claim_rows
from comptoir.core.sweeps import register_sweep

from .carriers import SANDBOX
from .enums import TrackingCode as C
from .models import Shipment

D = dt.timedelta


@dataclass(frozen=True)
class Step:
    after: dt.timedelta  # since the shipment was handed over
    code: str
    location: str  # "{city}" and "{country}" are the parcel's destination


_ORIGIN = (
    Step(D(hours=9), C.PICKED_UP, "Shenzhen, Guangdong, CN"),
    Step(D(days=1, hours=5), C.IN_TRANSIT, "Centre de tri de Shenzhen, CN"),
    Step(D(days=2, hours=14), C.DEPARTED_ORIGIN, "Hong Kong International Airport, HK"),
)
_ARRIVAL = (
    Step(D(days=5, hours=3), C.ARRIVED_DESTINATION_COUNTRY, "Roissy-Charles de Gaulle, FR"),
)

ROUTES: dict[str, tuple[Step, ...]] = {
    # On time: about ten days door to door.
    "standard": (
        *_ORIGIN,
        *_ARRIVAL,
        Step(D(days=6, hours=2), C.CUSTOMS_CLEARED, "Roissy-en-France, FR"),
        Step(D(days=8, hours=6), C.ARRIVED_AT_FACILITY, "Plateforme colis, {city}, {country}"),
        Step(D(days=9, hours=1), C.OUT_FOR_DELIVERY, "{city}, {country}"),
        Step(D(days=9, hours=8), C.DELIVERED, "{city}, {country}"),
    ),
    # Held at customs for two and a half weeks: late.
    "customs": (
        *_ORIGIN,
        Step(D(days=6, hours=4), C.ARRIVED_DESTINATION_COUNTRY, "Roissy-Charles de Gaulle, FR"),
        Step(D(days=7, hours=2), C.HELD_AT_CUSTOMS, "Douane de Roissy, FR"),
        Step(D(days=25, hours=5), C.CUSTOMS_CLEARED, "Douane de Roissy, FR"),
        Step(D(days=27, hours=3), C.ARRIVED_AT_FACILITY, "Plateforme colis, {city}, {country}"),
        Step(D(days=28, hours=2), C.OUT_FOR_DELIVERY, "{city}, {country}"),
        Step(D(days=28, hours=9), C.DELIVERED, "{city}, {country}"),
    ),
    # Nobody home: a notice, then the pickup point, then collected.
    "pickup": (
        *_ORIGIN,
        *_ARRIVAL,
        Step(D(days=6, hours=5), C.CUSTOMS_CLEARED, "Roissy-en-France, FR"),
        Step(D(days=9, hours=4), C.ARRIVED_AT_FACILITY, "Plateforme colis, {city}, {country}"),
        Step(D(days=10, hours=1), C.OUT_FOR_DELIVERY, "{city}, {country}"),
        Step(D(days=10, hours=7), C.DELIVERY_ATTEMPTED_NOTICE_LEFT, "{city}, {country}"),
        Step(D(days=11, hours=3), C.AT_PICKUP_POINT, "Point relais, {city}, {country}"),
        Step(D(days=16, hours=6), C.DELIVERED, "Point relais, {city}, {country}"),
    ),
    # Disappears in transit; the carrier declares it lost five weeks later.
    "lost": (
        *_ORIGIN,
        Step(D(days=4, hours=7), C.IN_TRANSIT, "Liège Airport, BE"),
        Step(D(days=35), C.LOST, "Liège, BE"),
    ),
    # Never collected from the pickup point: back to the sender.
    "returned": (
        *_ORIGIN,
        *_ARRIVAL,
        Step(D(days=6, hours=5), C.CUSTOMS_CLEARED, "Roissy-en-France, FR"),
        Step(D(days=9, hours=2), C.OUT_FOR_DELIVERY, "{city}, {country}"),
        Step(D(days=9, hours=9), C.DELIVERY_ATTEMPTED_NOTICE_LEFT, "{city}, {country}"),
        Step(D(days=10, hours=4), C.AT_PICKUP_POINT, "Point relais, {city}, {country}"),
        Step(D(days=25, hours=2), C.RETURNED_TO_SENDER, "Point relais, {city}, {country}"),
    ),
    # A return parcel from the buyer to the seller's return address in France.
    "return": (
        Step(D(hours=6), C.PICKED_UP, "{city}, {country}"),
        Step(D(days=1, hours=3), C.IN_TRANSIT, "Plateforme colis, {city}, {country}"),
        Step(D(days=3, hours=2), C.ARRIVED_AT_FACILITY, "Centre retours, Roissy-en-France, FR"),
        Step(D(days=4, hours=1), C.DELIVERED, "Centre retours, Roissy-en-France, FR"),
    ),
}
# Outbound routes picked for parcels a seller ships with the sandbox carrier (weights in 20ths).
_OUTBOUND_WEIGHTS = (("standard", 12), ("pickup", 3), ("customs", 3), ("lost", 1), ("returned", 1))


def route_for(tracking_number: str) -> str:
    """A stable route for a tracking number: most parcels arrive on time, a few do not."""
    roll = int(hashlib.sha256(tracking_number.encode()).hexdigest(), 16) % 20
    for name, weight in _OUTBOUND_WEIGHTS:
        if roll < weight:
            return name
        roll -= weight
    return "standard"


def first_due(route: str, shipped_at: dt.datetime) -> dt.datetime:
    return shipped_at + ROUTES[route][0].after


def sandbox_advance(shipment: Shipment, *, now: dt.datetime) -> int:
    """Emit the due steps of one sandbox shipment; returns how many events were recorded."""
    from .services import tracking_event_record

    steps = ROUTES[shipment.sandbox_route]
    order = shipment.order
    place = {"city": order.ship_city, "country": order.ship_country}
    emitted = 0
    step = shipment.sandbox_step
    while step < len(steps) and shipment.shipped_at + steps[step].after <= now:
        result = tracking_event_record(
            carrier=SANDBOX,
            tracking_number=shipment.tracking_number,
            code=steps[step].code,
            occurred_at=shipment.shipped_at + steps[step].after,
            location=steps[step].location.format(**place),
            external_id=f"sandbox:{shipment.tracking_number}:{step}",
        )
        emitted += int(result.created)
        step += 1
    next_at = shipment.shipped_at + steps[step].after if step < len(steps) else None
    Shipment.objects.filter(pk=shipment.pk).update(
        sandbox_step=step, sandbox_next_at=next_at, claimed_until=None, claim_token=""
    )
    return emitted


@register_sweep("sandbox_carrier", every=dt.timedelta(minutes=10))
def sandbox_carrier_sweep(now: dt.datetime) -> int:
    """Move every sandbox parcel whose next scripted step is due (claims rows in batches)."""
    handled = 0
    while True:
        due = Shipment.objects.filter(carrier=SANDBOX, sandbox_next_at__lte=now)
        batch = claim_rows(due, lease_for=dt.timedelta(minutes=2), limit=100)
        if not batch:
            return handled
        for shipment in batch:
            with transaction.atomic():
                handled += sandbox_advance(shipment, now=now)
