"""Run every registered sweep once: ``manage.py run_sweeps [--at ISO_DATETIME] [--only NAME]``.

With ``--at``, "now" is that time for this command only: whatever the sweeps create carries it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from comptoir.core import clock
from comptoir.core.sweeps import run_all, run_sweep, sweeps


class Command(BaseCommand):
    help = "Run every registered sweep once (optionally as if now were --at)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--at", help="ISO 8601 datetime to use as now (naive = Europe/Paris).")
        parser.add_argument(
            "--only", action="append", default=[], help="Run only this sweep (repeatable)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        at = None
        if options["at"]:
            try:
                at = clock.parse_iso(options["at"])
            except ValueError as exc:
                raise CommandError(f"--at: {exc}") from exc
        for name in options["only"]:
            if name not in sweeps:
                raise CommandError(f"Unknown sweep {name!r}; known: {', '.join(sweeps.keys())}")
        results = (
            [run_sweep(n, now=at) for n in options["only"]] if options["only"] else run_all(now=at)
        )
        for result in results:
            state = "skipped (running elsewhere)" if result.skipped else f"{result.handled} handled"
            self.stdout.write(f"{result.name}: {state}")
