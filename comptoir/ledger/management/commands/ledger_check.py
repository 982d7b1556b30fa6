"""``manage.py ledger_check``: ``ok entries=N held=EUR:… released=EUR:… refunded=EUR:…`` or the
problems, one a line, and a non-zero exit."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Verify the ledger's invariants (balanced entries, escrow = captured - released - refunded, nothing stuck)."

    def handle(self, *args: Any, **options: Any) -> None:
        from comptoir.ledger.check import ledger_check

        report = ledger_check()
        if report.ok:
            self.stdout.write(f"ok {report.summary()}")
            return
        for problem in report.problems:
            self.stdout.write(f"problem: {problem}")
        self.stdout.write(report.summary())
        raise CommandError(f"ledger_check: {len(report.problems)} problem(s)")
