"""``manage.py smtp_listener``: the inbound SMTP listener in the foreground (its own process)."""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from comptoir.intake.email.smtp import make_controller


class Command(BaseCommand):
    help = "Receive support e-mail over SMTP (aiosmtpd)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=None)
        parser.add_argument("--port", type=int, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        controller = make_controller(host=options["host"], port=options["port"])
        controller.start()
        self.stdout.write(
            f"SMTP listener on {controller.hostname}:{controller.port} "
            f"for {', '.join(settings.INTAKE_EMAIL_ADDRESSES)}"
        )
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
