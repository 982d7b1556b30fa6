"""Files of an agent's reply sent as MIME parts of the reply mail.

Core's ``email`` outbox kind carries no attachments, so a reply with files is queued as this
app's own kind, ``intake_email.mail``: the same payload plus the uploads' public ids, read from
storage only when the mail is sent (the outbox row stays small). Files go in the order the agent
attached them while their total stays under ``INTAKE_EMAIL_REPLY_ATTACHMENTS_MAX_BYTES``
(10 MB by default, what most providers accept once base64 has grown it by a third); the others
are named in the mail as not sent and the agent is told on the ticket."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from comptoir.core.outbox import outbox_enqueue, register_outbox_handler
from comptoir.core.outbox.emails import email_message, send_message
from comptoir.core.uploads import Upload

MAIL_KIND = "intake_email.mail"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "INTAKE_EMAIL_REPLY_ATTACHMENTS_MAX_BYTES", DEFAULT_MAX_BYTES))


@dataclass(frozen=True)
class Selection:
    attached: list[Upload]
    too_large: list[Upload]


def select_attachments(uploads: Sequence[Upload]) -> Selection:
    """In order, as many files as fit under the cap; the rest are left out."""
    attached: list[Upload] = []
    too_large: list[Upload] = []
    total = 0
    cap = max_bytes()
    for upload in uploads:
        if total + upload.size <= cap:
            attached.append(upload)
            total += upload.size
        else:
            too_large.append(upload)
    return Selection(attached=attached, too_large=too_large)


def display_name(upload: Upload) -> str:
    return (upload.original_name or upload.file.name.rpartition("/")[2] or upload.public_id)[:200]


def mail_enqueue(
    *, payload: dict[str, Any], attachments: Sequence[Upload], idempotency_key: str
) -> Any:
    """Queue a mail (``core.outbox.email_enqueue``'s payload) with files as MIME parts."""
    full = {
        **payload,
        "attachments": [
            {"upload": u.public_id, "name": display_name(u), "content_type": u.content_type}
            for u in attachments
        ],
    }
    return outbox_enqueue(kind=MAIL_KIND, payload=full, idempotency_key=idempotency_key)


@register_outbox_handler(MAIL_KIND)
def send_mail_with_attachments(payload: dict[str, Any]) -> None:
    """Core's e-mail (the same payload, built by the same code) with the files read from
    storage at sending time."""
    message = email_message(payload)
    wanted = [item["upload"] for item in payload.get("attachments", [])]
    uploads = {u.public_id: u for u in Upload.objects.filter(public_id__in=wanted)}
    for item in payload.get("attachments", []):
        upload = uploads.get(item["upload"])
        if upload is None:
            raise RuntimeError(f"attachment {item['upload']} is gone")
        with upload.file.open("rb") as fp:
            message.attach(item["name"], fp.read(), item.get("content_type") or None)
    send_message(message)
