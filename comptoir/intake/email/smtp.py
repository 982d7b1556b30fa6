"""The inbound SMTP listener (aiosmtpd): accepts mail for the support addresses and their
``+token`` forms only, within the size limit; stores each mail raw (committed) before answering
250, then processes it. Run it with ``manage.py smtp_listener``; ``manage.py serve`` starts it in
a thread in the embedded default."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections

from .addresses import is_support_address
from .services import raw_mail_receive

logger = logging.getLogger(__name__)
MAX_RECIPIENTS = 20


def _receive(data: bytes, mail_from: str, rcpt_tos: list[str]) -> None:
    close_old_connections()
    try:
        raw_mail_receive(
            data=data, source="smtp", envelope_from=mail_from or "", envelope_to=rcpt_tos
        )
    finally:
        close_old_connections()


class SupportHandler:
    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if not is_support_address(address):
            return "550 5.1.1 No such mailbox here"
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        data = envelope.original_content or envelope.content
        if isinstance(data, str):
            data = data.encode("utf-8", "surrogateescape")
        try:
            await asyncio.to_thread(_receive, data, envelope.mail_from, list(envelope.rcpt_tos))
        except Exception:
            logger.exception("SMTP: a mail could not be stored")
            return "451 4.3.0 Temporary failure, please try again later"
        return "250 2.0.0 Message accepted"


def make_controller(*, host: str | None = None, port: int | None = None) -> Any:
    from aiosmtpd.controller import Controller

    return Controller(
        SupportHandler(),
        hostname=host or settings.INTAKE_EMAIL_SMTP_HOST,
        port=settings.INTAKE_EMAIL_SMTP_PORT if port is None else port,
        data_size_limit=int(settings.INTAKE_EMAIL_MAX_BYTES),
        server_hostname="comptoir",
        ident="Comptoir ESMTP",
    )


def start_in_serve() -> Callable[[], None] | None:
    """Background service for ``manage.py serve`` (core.background registry)."""
    mode = str(settings.INTAKE_EMAIL_SMTP_IN_SERVE).strip().lower()
    enabled = settings.COMPTOIR_SCHEDULER if mode == "auto" else mode in {"1", "true", "yes", "on"}
    if not enabled:
        return None
    controller = make_controller()
    try:
        controller.start()
    except Exception:
        logger.exception(
            "SMTP listener could not start on %s:%s", controller.hostname, controller.port
        )
        return None
    logger.info("SMTP listener on %s:%s", controller.hostname, controller.port)
    return controller.stop
