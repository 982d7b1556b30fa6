"""``manage.py payment_sandbox [--port 8765]``: the loopback payment sandbox, standalone.

Point the app at it with ``PAYMENT_PROVIDER_URL=http://127.0.0.1:8765``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run the Stripe-style payment sandbox on a loopback port."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument(
            "--webhook-url",
            default=f"{str(settings.SITE_URL).rstrip('/')}/api/v1/payments/webhooks/sandbox",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from comptoir.ledger.providers.sandbox import SandboxServer

        server = SandboxServer(
            secret_key=str(settings.PAYMENT_PROVIDER_SECRET_KEY),
            webhook_secret=str(settings.PAYMENT_PROVIDER_WEBHOOK_SECRET),
            host=options["host"],
            port=options["port"],
            webhook_url=options["webhook_url"],
        )
        self.stdout.write(f"payment sandbox on {server.url} (webhooks to {options['webhook_url']})")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
