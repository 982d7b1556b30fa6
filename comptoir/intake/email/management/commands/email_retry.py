"""``manage.py email_retry [PUBLIC_ID…]``: process failed mails again (all failed ones by default)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from comptoir.intake.email.models import RawMail, RawStatus
from comptoir.intake.email.services import raw_mail_retry


class Command(BaseCommand):
    help = "Process failed incoming e-mails again after a fix."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("public_ids", nargs="*")

    def handle(self, *args: Any, **options: Any) -> None:
        raws = RawMail.objects.filter(status=RawStatus.FAILED).order_by("pk")
        if options["public_ids"]:
            raws = raws.filter(public_id__in=options["public_ids"])
        done = raw_mail_retry(raws=list(raws[:500]))
        ok = sum(1 for raw in done if raw.status != RawStatus.FAILED)
        self.stdout.write(f"{len(done)} retried, {ok} processed, {len(done) - ok} still failing")
