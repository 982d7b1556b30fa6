"""Sweeps of the e-mail channel: process mails left unprocessed (a crash between storage and
processing), poll the IMAP mailbox when one is configured."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from comptoir.core.leases import claim_rows
from comptoir.core.sweeps import register_sweep

from .models import RawMail, RawStatus
from .services import raw_mail_process

STUCK_AFTER = dt.timedelta(minutes=2)


@register_sweep("intake_email_unprocessed", every=dt.timedelta(minutes=1))
def sweep_unprocessed(now: dt.datetime) -> int:
    due = RawMail.objects.filter(status=RawStatus.RECEIVED, received_at__lte=now - STUCK_AFTER)
    handled = 0
    for raw in claim_rows(due, lease_for=dt.timedelta(minutes=5), limit=50):
        raw_mail_process(raw=raw)
        handled += 1
    return handled


@register_sweep("intake_email_imap", every=dt.timedelta(minutes=1))
def sweep_imap(now: dt.datetime) -> int:
    if not settings.INTAKE_EMAIL_IMAP_HOST:
        return 0
    from .imap import imap_poll

    return imap_poll().stored
