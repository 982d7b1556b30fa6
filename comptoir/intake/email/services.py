"""Writes of the e-mail channel: store a raw mail (before anything else), process it into
intake, retry failed ones, record bounces.

``raw_mail_store`` commits on its own, so the mail is safe before parsing starts;
``raw_mail_process`` parses and calls ``tickets.services.intake_receive`` in one transaction and
records the outcome (or the failure and its reason) on the raw mail."""

from __future__ import annotations

import hashlib
import logging
import traceback
from contextvars import ContextVar
from dataclasses import dataclass
from email import policy
from email.parser import BytesHeaderParser
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from comptoir.accounts.models import User
from comptoir.core import clock
from comptoir.core.errors import ApplicationError
from comptoir.core.uploads import Upload, UploadKind, UploadRefused, upload_create
from comptoir.tickets.enums import Channel, IdentityKind
from comptoir.tickets.models import ContactIdentity
from comptoir.tickets.services import (
    InboundMessage,
    IntakeResult,
    SenderIdentity,
    intake_receive,
)

from .addresses import is_own_address
from .hints import ThreadHints, thread_hints
from .models import MailKind, OutboundMail, RawMail, RawStatus
from .parsing import ParsedMail, parse_file

logger = logging.getLogger(__name__)

SYSTEM_OWNER_EMAIL = "mail-intake@system.comptoir.invalid"
MAX_TEXT = 20_000
MAX_ATTACHMENTS = 10
_HEADER_SCAN = 64 * 1024


@dataclass(frozen=True)
class StoreResult:
    raw: RawMail
    created: bool  # False: the same mail (Message-ID or source key) was already stored


def _message_id(data: bytes) -> str:
    """The Message-ID from the header block only (no full parse before storage)."""
    head = data[:_HEADER_SCAN]
    end = head.find(b"\r\n\r\n")
    end = end if end >= 0 else head.find(b"\n\n")
    try:
        headers = BytesHeaderParser(policy=policy.compat32).parsebytes(
            head[: end if end >= 0 else len(head)]
        )
        value = str(headers.get("message-id") or "").strip()
    except Exception:
        return ""
    start, stop = value.find("<"), value.find(">")
    return value[start : stop + 1][:255] if 0 <= start < stop else ""


@transaction.atomic
def raw_mail_store(
    *,
    data: bytes,
    source: str,
    envelope_from: str = "",
    envelope_to: list[str] | tuple[str, ...] = (),
    source_key: str = "",
    attempts: int = 0,
) -> StoreResult:
    """Keep the mail exactly as received. The same Message-ID (or source key) twice keeps the
    first copy only. Commit before processing: the caller owns that boundary. ``attempts=1``
    when the caller processes it right after (the attempt is then committed with the mail)."""
    message_id = _message_id(data)
    existing = None
    if source_key:
        existing = RawMail.objects.filter(source_key=source_key).first()
    if existing is None and message_id:
        existing = RawMail.objects.filter(message_id=message_id).order_by("pk").first()
    if existing is not None:
        return StoreResult(raw=existing, created=False)
    raw = RawMail(
        source=source,
        source_key=source_key[:200],
        envelope_from=envelope_from[:254],
        envelope_to=[str(a)[:254] for a in list(envelope_to)[:50]],
        message_id=message_id,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        received_at=clock.now(),
        attempts=attempts,
    )
    raw.file.save(f"{raw.public_id}.eml", ContentFile(data), save=False)
    try:
        with transaction.atomic():
            raw.save()
    except IntegrityError:  # the same source key, stored concurrently
        raw.file.delete(save=False)
        return StoreResult(raw=RawMail.objects.get(source_key=source_key), created=False)
    return StoreResult(raw=raw, created=True)


def _system_owner() -> User:
    """The owner of attachments from senders without an account (uploads need one)."""
    from comptoir.accounts.services import user_create

    user = User.objects.filter(email__iexact=SYSTEM_OWNER_EMAIL).first()
    if user is not None:
        return user
    try:
        with transaction.atomic():
            return user_create(
                email=SYSTEM_OWNER_EMAIL,
                password=None,
                full_name="E-mail intake",
                is_active=False,
            )
    except Exception:
        found = User.objects.filter(email__iexact=SYSTEM_OWNER_EMAIL).first()
        if found is None:
            raise
        return found


def _owner_for(address: str) -> User:
    identity = (
        ContactIdentity.objects.select_related("contact__user")
        .filter(kind=IdentityKind.EMAIL, value=address, verified_at__isnull=False)
        .first()
    )
    if identity is not None and identity.contact.user is not None:
        return identity.contact.user
    return _system_owner()


def _uploads(parsed: ParsedMail, notes: dict[str, Any]) -> list[Upload]:
    """Each attachment decoded, stored through the upload primitive and released in turn, so
    at most one is held decoded. The owner is looked up only when there is something to own."""
    kept: list[Upload] = []
    refused: list[dict[str, str]] = []
    owner: User | None = None
    for attachment in parsed.attachments:
        if len(kept) >= MAX_ATTACHMENTS:
            refused.append({"name": attachment.filename[:200], "code": "too_many_files"})
            continue
        data = attachment.data
        attachment.release()
        if not data:
            continue
        owner = owner or _owner_for(parsed.from_address)
        try:
            kept.append(
                upload_create(
                    owner=owner,
                    file=(attachment.filename, data),
                    allowed_kinds=set(UploadKind.values),
                )
            )
        except UploadRefused as exc:
            refused.append({"name": attachment.filename[:200], "code": exc.code})
        del data
    if refused:
        notes["refused_attachments"] = refused
    return kept


def _bounce(raw: RawMail, parsed: ParsedMail) -> None:
    mails = list(OutboundMail.objects.filter(message_id__in=parsed.bounced_message_ids))
    for mail in mails:
        OutboundMail.objects.filter(pk=mail.pk, bounced_at__isnull=True).update(
            bounced_at=clock.now(), bounce_reason=parsed.bounce_reason or "bounce"
        )
    raw.ticket_number = mails[0].ticket.number if mails else ""


def _text(parsed: ParsedMail) -> str:
    text = parsed.new_text.strip() or parsed.subject.strip() or "…"
    return text[:MAX_TEXT]


_FINISH_FIELDS = [
    "status", "reason", "error", "processed_at", "claimed_until", "claim_token", "attempts",
    "kind", "sender", "subject", "notes", "ticket_number",
]  # fmt: skip


def _finish(raw: RawMail, status: str, reason: str = "", error: str = "") -> RawMail:
    raw.status = status
    raw.reason = reason[:60]
    raw.error = error[:4000]
    raw.processed_at = clock.now()
    raw.claimed_until = None
    raw.claim_token = ""
    raw.save(update_fields=_FINISH_FIELDS)
    return raw


# The raw mail being processed in this context: the acknowledgement (called by intake inside
# the same transaction) reads its kind and sender from here instead of the database.
current_raw: ContextVar[RawMail | None] = ContextVar("current_raw_mail", default=None)


@transaction.atomic
def _process(raw: RawMail) -> RawMail:
    with raw.file.open("rb") as fp:
        parsed = parse_file(fp)
    raw.kind = parsed.kind
    raw.sender = parsed.from_address[:254]
    raw.subject = parsed.subject[:255]
    notes: dict[str, Any] = {}
    if parsed.problems:
        notes["problems"] = parsed.problems[:20]
    if parsed.forwarded:
        notes["forwarded"] = True
    raw.notes = notes
    if parsed.kind == MailKind.BOUNCE:
        _bounce(raw, parsed)
        return _finish(raw, RawStatus.IGNORED, "bounce")
    if parsed.kind == MailKind.AUTO_REPLY:
        return _finish(raw, RawStatus.IGNORED, "auto_reply")
    if not parsed.from_address:
        return _finish(raw, RawStatus.FAILED, "no_sender")
    if is_own_address(parsed.from_address):
        return _finish(raw, RawStatus.IGNORED, "own_address")  # a loop through ourselves
    hints = thread_hints(parsed, list(raw.envelope_to))
    attachments = _uploads(parsed, notes)
    raw.notes = notes
    language = parsed.language if parsed.language in ("fr", "en") else None
    # The sender is matched to an account by its verified address; others become contacts
    # whose identity awaits verification (intake).
    account = User.objects.filter(
        email__iexact=parsed.from_address, email_verified_at__isnull=False, is_active=True
    ).first()
    token = current_raw.set(raw)
    try:
        result = _intake(raw, parsed, hints, account, language, attachments)
    finally:
        current_raw.reset(token)
    raw.ticket_number = result.ticket.number
    return _finish(raw, RawStatus.PROCESSED, "duplicate" if result.duplicate else "")


def _intake(
    raw: RawMail,
    parsed: ParsedMail,
    hints: ThreadHints,
    account: User | None,
    language: str | None,
    attachments: list[Upload],
) -> IntakeResult:
    return intake_receive(
        inbound=InboundMessage(
            channel=Channel.EMAIL,
            channel_message_id=parsed.message_id or f"<{raw.sha256[:40]}@raw.comptoir.invalid>",
            text=_text(parsed),
            sender_user=account,
            sender=None
            if account is not None
            else SenderIdentity(
                kind=IdentityKind.EMAIL,
                value=parsed.from_address,
                display_name=parsed.from_name,
            ),
            subject=parsed.subject[:200],
            html=parsed.html[:200_000] if parsed.html else None,
            attachments=tuple(attachments),
            reply_token=hints.reply_token,
            in_reply_to=hints.in_reply_to,
            thread_ticket_number=hints.thread_ticket_number,
            language_hint=language,
            received_at=raw.received_at,
            extra={"raw_mail": raw.public_id, "kind": parsed.kind},
        )
    )


def raw_mail_process(*, raw: RawMail, counted: bool = False) -> RawMail:
    """Parse and hand the mail to intake. Any failure is recorded on the raw mail (status
    ``failed``, a reason code and the error) and never raised: the mail stays for a retry.
    The attempt is committed before processing starts (``counted``: already done at storage)."""
    if not counted:
        RawMail.objects.filter(pk=raw.pk).update(attempts=raw.attempts + 1)
        raw.attempts += 1
    try:
        return _process(raw)
    except ApplicationError as exc:
        reason, error = exc.code, str(exc)
    except Exception as exc:
        logger.exception("e-mail %s could not be processed", raw.public_id)
        reason = type(exc).__name__
        error = "".join(traceback.format_exception_only(type(exc), exc)).strip()
    raw.refresh_from_db()
    with transaction.atomic():
        return _finish(raw, RawStatus.FAILED, reason, error)


def raw_mail_receive(
    *,
    data: bytes,
    source: str,
    envelope_from: str = "",
    envelope_to: list[str] | tuple[str, ...] = (),
    source_key: str = "",
) -> StoreResult:
    """Store, commit, then process (a new mail only). For listeners and pollers."""
    stored = raw_mail_store(
        data=data,
        source=source,
        envelope_from=envelope_from,
        envelope_to=envelope_to,
        source_key=source_key,
        attempts=1,
    )
    if stored.created:
        raw_mail_process(raw=stored.raw, counted=True)
    return stored


def raw_mail_retry(*, raws: list[RawMail]) -> list[RawMail]:
    """Staff action after a fix: process failed (or stuck) mails again."""
    done = []
    for raw in raws:
        if raw.status in (RawStatus.FAILED, RawStatus.RECEIVED):
            done.append(raw_mail_process(raw=raw))
    return done
