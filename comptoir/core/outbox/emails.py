"""E-mail through the outbox: ``email_enqueue`` in the business transaction, sent after commit."""

from __future__ import annotations

from email.utils import make_msgid, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from .models import OutboxMessage
from .services import outbox_enqueue, register_outbox_handler

EMAIL_KIND = "email"


def _msgid_domain() -> str:
    address = parseaddr(str(settings.DEFAULT_FROM_EMAIL))[1]
    return address.rpartition("@")[2] or "comptoir.localhost"


def email_enqueue(
    *,
    to: list[str],
    subject: str,
    body_text: str,
    body_html: str | None = None,
    reply_to: list[str] | None = None,
    headers: dict[str, str] | None = None,
    from_email: str | None = None,
    idempotency_key: str | None = None,
) -> OutboxMessage:
    """Queue an e-mail; it is sent after commit, retried with back-off until it goes out.

    The Message-ID is fixed now, so a message delivered twice (after a crash) is recognisable
    by the receiving side as the same message."""
    recipients = [str(address) for address in to if str(address).strip()]
    if not recipients:
        raise ValueError("email_enqueue: no recipient.")
    all_headers = dict(headers or {})
    if not any(name.lower() == "message-id" for name in all_headers):
        all_headers["Message-ID"] = make_msgid(domain=_msgid_domain())
    payload: dict[str, Any] = {
        "to": recipients,
        "subject": str(subject),
        "body_text": str(body_text),
        "body_html": None if body_html is None else str(body_html),
        "reply_to": list(reply_to or []),
        "headers": all_headers,
        "from_email": from_email or str(settings.DEFAULT_FROM_EMAIL),
    }
    return outbox_enqueue(kind=EMAIL_KIND, payload=payload, idempotency_key=idempotency_key)


@register_outbox_handler(EMAIL_KIND)
def send_email(payload: dict[str, Any]) -> None:
    """Send through the configured backend (SMTP in production), with a connection timeout."""
    send_message(email_message(payload))


def email_message(payload: dict[str, Any]) -> EmailMultiAlternatives:
    """The mail of an ``email_enqueue`` payload (other outbox kinds add parts to it)."""
    message = EmailMultiAlternatives(
        subject=payload["subject"],
        body=payload["body_text"],
        from_email=payload.get("from_email") or settings.DEFAULT_FROM_EMAIL,
        to=payload["to"],
        reply_to=payload.get("reply_to") or None,
        headers=payload.get("headers") or {},
    )
    if payload.get("body_html"):
        message.attach_alternative(payload["body_html"], "text/html")
    return message


def send_message(message: EmailMultiAlternatives) -> None:
    """Through the configured backend with a connection timeout; raises to ask for a retry."""
    connection = get_connection(timeout=getattr(settings, "EMAIL_TIMEOUT", 10))
    sent = connection.send_messages([message])
    if not sent:
        raise RuntimeError("The e-mail backend sent nothing.")
