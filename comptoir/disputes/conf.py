"""Dispute deadlines (PRODUCT.md §3), overridable in settings."""

from __future__ import annotations

import datetime as dt

from django.conf import settings


def seller_response() -> dt.timedelta:
    """The seller answers a dispute or a modified request within this; silence = accepted."""
    return dt.timedelta(days=int(getattr(settings, "DISPUTES_SELLER_RESPONSE_DAYS", 5)))


def agreement() -> dt.timedelta:
    """No agreement this long after the last refusal: escalated to the officers."""
    return dt.timedelta(days=int(getattr(settings, "DISPUTES_AGREEMENT_DAYS", 7)))


def appeal_window() -> dt.timedelta:
    """Either party may appeal a decision once within this; then it is final."""
    return dt.timedelta(days=int(getattr(settings, "DISPUTES_APPEAL_DAYS", 5)))


def evidence_window() -> dt.timedelta:
    """A party asked for more evidence by an officer answers within this."""
    return dt.timedelta(days=int(getattr(settings, "DISPUTES_EVIDENCE_DAYS", 3)))


def decision_business_days() -> int:
    """The officers' target: a decision within this many business days (Monday to Friday)."""
    return int(getattr(settings, "DISPUTES_DECISION_BUSINESS_DAYS", 2))


def decision_due(start: dt.datetime) -> dt.datetime:
    """``start`` plus the decision target in business days (weekends skipped, UTC days)."""
    due = start
    left = decision_business_days()
    while left > 0:
        due += dt.timedelta(days=1)
        if due.weekday() < 5:
            left -= 1
    return due


def return_address_window() -> dt.timedelta:
    """The seller gives a return address within this, else the platform's default is used."""
    return dt.timedelta(days=int(getattr(settings, "RETURNS_ADDRESS_DAYS", 5)))


def return_shipment_window() -> dt.timedelta:
    """The buyer sends the item back, with a tracking number, within this."""
    return dt.timedelta(days=int(getattr(settings, "RETURNS_SHIPMENT_DAYS", 10)))


def return_confirmation_window() -> dt.timedelta:
    """The seller confirms receipt within this after the return's delivery, else refunded."""
    return dt.timedelta(days=int(getattr(settings, "RETURNS_CONFIRMATION_DAYS", 15)))


DEFAULT_RETURN_ADDRESS = {
    "name": "Comptoir — service des retours",
    "line1": "12 rue des Entrepôts",
    "line2": "",
    "postal_code": "93200",
    "city": "Saint-Denis",
    "country": "FR",
}


def default_return_address() -> dict[str, str]:
    """The platform's return address (setting ``RETURNS_DEFAULT_ADDRESS``, a dict with the keys
    name, line1, line2, postal_code, city, country), used when the seller gives none in time."""
    given = getattr(settings, "RETURNS_DEFAULT_ADDRESS", None) or {}
    return {key: str(given.get(key, value)) for key, value in DEFAULT_RETURN_ADDRESS.items()}
