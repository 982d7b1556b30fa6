"""Serve HTTP and WebSockets with uvicorn, plus the in-process scheduler (embedded default)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve Comptoir (HTTP + WebSockets) with uvicorn and, in the embedded default, the sweep scheduler."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--no-scheduler", action="store_true")
        parser.add_argument("--no-background", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        import uvicorn

        from comptoir.core.background import background_services
        from comptoir.core.scheduler import Scheduler

        stops = []
        if not options["no_background"]:
            for _name, start in background_services.items():
                stop = start()
                if stop is not None:
                    stops.append(stop)
        scheduler = None
        if settings.COMPTOIR_SCHEDULER and not options["no_scheduler"]:
            scheduler = Scheduler(interval=settings.COMPTOIR_SCHEDULER_INTERVAL)
            scheduler.start()
        self.stdout.write(f"Comptoir on http://{options['host']}:{options['port']}/")
        try:
            uvicorn.run(
                "comptoir.asgi:application",
                host=options["host"],
                port=options["port"],
                log_level="info",
                lifespan="off",
                ws="websockets",
            )
        finally:
            for stop in stops:
                stop()
            if scheduler is not None:
                scheduler.stop()
                scheduler.join(timeout=10)
