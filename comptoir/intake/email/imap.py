"""IMAP polling: take the unseen mails of a mailbox, store each raw (idempotent on the source
key and the Message-ID), mark it seen, then process the new ones."""

from __future__ import annotations

import imaplib
import logging
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from .services import raw_mail_process, raw_mail_store

logger = logging.getLogger(__name__)
BATCH = 100


@dataclass(frozen=True)
class PollResult:
    seen: int  # unseen mails found
    stored: int  # new mails stored
    duplicates: int  # already stored (same source key or Message-ID)


def _connect() -> imaplib.IMAP4:
    host, port = settings.INTAKE_EMAIL_IMAP_HOST, settings.INTAKE_EMAIL_IMAP_PORT
    timeout = settings.INTAKE_EMAIL_IMAP_TIMEOUT
    if settings.INTAKE_EMAIL_IMAP_SSL:
        return imaplib.IMAP4_SSL(host, port, timeout=timeout)
    return imaplib.IMAP4(host, port, timeout=timeout)


def _body(data: list[Any]) -> bytes | None:
    for item in data:
        if isinstance(item, tuple) and len(item) >= 2 and isinstance(item[1], bytes):
            return item[1]
    return None


def imap_poll(*, limit: int = BATCH) -> PollResult:
    connection = _connect()
    seen = stored = duplicates = 0
    try:
        connection.login(settings.INTAKE_EMAIL_IMAP_USER, settings.INTAKE_EMAIL_IMAP_PASSWORD)
        mailbox = settings.INTAKE_EMAIL_IMAP_MAILBOX
        typ, _data = connection.select(mailbox)
        if typ != "OK":
            raise imaplib.IMAP4.error(f"SELECT {mailbox} failed")
        validity = (connection.response("UIDVALIDITY")[1] or [b"0"])[0]
        uidvalidity = validity.decode() if isinstance(validity, bytes) else str(validity or 0)
        typ, data = connection.uid("SEARCH", "UNSEEN")
        uids = (data[0] or b"").split() if typ == "OK" and data else []
        for uid in uids[:limit]:
            seen += 1
            uid_text = uid.decode()
            if not re.fullmatch(r"\d+", uid_text):
                continue
            typ, fetched = connection.uid("FETCH", uid_text, "(BODY.PEEK[])")
            body = _body(fetched) if typ == "OK" and fetched else None
            if body is None:
                logger.warning("IMAP: UID %s could not be fetched", uid_text)
                continue
            key = f"imap:{settings.INTAKE_EMAIL_IMAP_HOST}:{mailbox}:{uidvalidity}:{uid_text}"
            result = raw_mail_store(data=body, source="imap", source_key=key)
            # Marked only once stored (committed): a crash before leaves it for the next poll.
            connection.uid("STORE", uid_text, "+FLAGS", "(\\Seen)")
            if result.created:
                stored += 1
                raw_mail_process(raw=result.raw)
            else:
                duplicates += 1
    finally:
        try:
            connection.logout()
        except Exception:
            pass
    return PollResult(seen=seen, stored=stored, duplicates=duplicates)
