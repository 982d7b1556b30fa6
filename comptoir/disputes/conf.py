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
