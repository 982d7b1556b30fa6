"""Transactional outbox (see services.py). Public API re-exported here."""

from .emails import EMAIL_KIND, email_enqueue, send_email
from .models import OutboxMessage, OutboxState
from .services import (
    BACKOFF_SCHEDULE,
    backoff_delay,
    drain_inline,
    drain_outbox,
    on_enqueue_hooks,
    outbox_enqueue,
    outbox_handlers,
    outbox_retry,
    register_outbox_handler,
)

__all__ = [
    "BACKOFF_SCHEDULE",
    "EMAIL_KIND",
    "OutboxMessage",
    "OutboxState",
    "backoff_delay",
    "drain_inline",
    "drain_outbox",
    "email_enqueue",
    "on_enqueue_hooks",
    "outbox_enqueue",
    "outbox_handlers",
    "outbox_retry",
    "register_outbox_handler",
    "send_email",
]
