"""``manage.py imap_poll``: take the unseen mails of the configured IMAP mailbox once."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from comptoir.intake.email.imap import imap_poll


class Command(BaseCommand):
    help = "Poll the support IMAP mailbox once (also a registered sweep)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.INTAKE_EMAIL_IMAP_HOST:
            raise CommandError("INTAKE_EMAIL_IMAP_HOST is not set.")
        result = imap_poll()
        self.stdout.write(
            f"{result.seen} unseen, {result.stored} stored, {result.duplicates} already stored"
        )
