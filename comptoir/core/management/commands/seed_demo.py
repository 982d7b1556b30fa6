from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from comptoir.core.seeders import apply_seeders


class Command(BaseCommand):
    help = "Apply the demo seeders that are new or newer than this database has (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="Run every seeder again.")

    def handle(self, *args: Any, **options: Any) -> None:
        applied = apply_seeders(force=options["force"])
        self.stdout.write(
            f"seeders applied: {', '.join(applied) if applied else 'none (up to date)'}"
        )
