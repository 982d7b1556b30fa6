"""Parse one raw mail with the standard library (``email`` with ``policy.compat32``, headers
decoded by ``headers.py``).

Never raises on bad input: malformed headers, unknown charsets and broken encodings degrade to
best-effort text and are listed in ``problems``. Text comes from ``text/plain`` (else the HTML
converted); attachments and inline images are returned as bytes for the upload primitive."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from typing import Any

from .charsets import decode_bytes
from .headers import Headers, decode_param, decode_words
from .html_text import html_to_text
from .models import MailKind
from .quotes import is_forwarded, strip_quotes

MAX_IDS = 50
_MSGID = re.compile(r"<[^<>\s]{1,250}>")
_AUTO_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[ -]?(reply|response)|out of (the )?office|r[ée]ponse automatique"
    r"|absence( du bureau)?|absent\b|je suis absent|away from|autoreply|abwesenheit"
    r"|r[ée]ponse en absence|message d'absence)",
    re.I,
)
_BOUNCE_FROM = re.compile(r"^(mailer-daemon|postmaster|mail-daemon)@", re.I)
_BOUNCE_SUBJECT = re.compile(
    r"(undeliver|delivery status notification|returned mail|mail delivery (failed|system)"
    r"|non remis|non distribu|[ée]chec de (la )?remise)",
    re.I,
)


@dataclass
class ParsedAttachment:
    """An attachment, decoded only when ``data`` is read (a 20 MB mail does not hold all its
    attachments decoded at once); ``release`` frees the encoded text once it is stored."""

    filename: str
    content_type: str
    part: Message = field(repr=False)
    inline: bool
    content_id: str = ""

    @property
    def data(self) -> bytes:
        try:
            payload = self.part.get_payload(decode=True)
        except Exception:
            return b""
        return payload if isinstance(payload, bytes) else b""

    def release(self) -> None:
        self.part.set_payload("")


@dataclass
class ParsedMail:
    message_id: str
    subject: str
    from_address: str
    from_name: str
    recipients: list[str]
    in_reply_to: list[str]
    references: list[str]
    date: dt.datetime | None
    text: str  # the whole text body (plain, or converted from HTML)
    html: str | None
    attachments: list[ParsedAttachment]
    kind: str  # models.MailKind
    language: str | None
    forwarded: bool
    bounced_message_ids: list[str] = field(default_factory=list)
    bounce_reason: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def new_text(self) -> str:
        """The customer's new words: quotes and signature stripped (forwards kept)."""
        return self.text.strip() if self.forwarded else strip_quotes(self.text)


def _header(msg: Message, name: str, problems: list[str]) -> str:
    """One header as text (8-bit bytes and encoded words decoded)."""
    return Headers(msg, problems, _charset_of(msg)).text(name)


def _charset_of(msg: Message) -> str | None:
    try:
        return msg.get_content_charset()
    except Exception:
        return None


def _ids(value: str) -> list[str]:
    return _MSGID.findall(value or "")[-MAX_IDS:]


def _addresses(headers: Headers, names: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    for name in names:
        if name in headers:
            for _display, address in getaddresses([headers.raw(name)]):
                if "@" in address:
                    found.append(address.strip())
    return found


def _part_text(part: Message, problems: list[str]) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception as exc:
        problems.append(f"payload: {type(exc).__name__}")
        payload = None
    if payload is None:
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    if not isinstance(payload, bytes):
        return str(payload)
    return decode_bytes(payload, part.get_content_charset(), problems)


def _filename(part: Message, problems: list[str]) -> str:
    """The file name (RFC 2231, encoded words, raw 8-bit bytes). compat32 turns 8-bit bytes in
    a header into replacement characters: the parameters are then read from the fixed value."""
    charset = _charset_of(part)
    source = part
    headers = Headers(part, problems, charset)
    if headers.has_8bit("content-disposition") or headers.has_8bit("content-type"):
        source = Message()
        for field_name in ("content-disposition", "content-type"):
            if field_name in headers:
                source[field_name] = headers.raw(field_name)
    try:
        name = source.get_filename()
    except Exception:
        name = None
    return decode_param(name, problems, charset) if name else ""


def _walk(
    msg: Message,
    problems: list[str],
    texts: list[str],
    htmls: list[str],
    attachments: list[ParsedAttachment],
) -> None:
    """Depth-first over the MIME tree. In multipart/alternative the plain part wins; forwarded
    messages (message/rfc822) are appended as forwarded text."""
    ctype = msg.get_content_type()
    if ctype == "message/rfc822":
        inner: Any = msg.get_payload()
        if isinstance(inner, list) and inner:
            sub_texts: list[str] = []
            sub_htmls: list[str] = []
            _walk(inner[0], problems, sub_texts, sub_htmls, attachments)
            body = "\n".join(sub_texts) or html_to_text("\n".join(sub_htmls))
            head = "\n".join(
                f"{label}: {_header(inner[0], label.lower(), problems)}"
                for label in ("From", "Date", "Subject")
            )
            texts.append(f"---------- Forwarded message ----------\n{head}\n\n{body}")
        return
    if msg.is_multipart():
        parts: Any = msg.get_payload()
        if not isinstance(parts, list):
            return
        if ctype == "multipart/alternative":
            plain: list[Any] = [p for p in parts if p.get_content_type() == "text/plain"]
            html: list[Any] = [p for p in parts if p.get_content_type() == "text/html"]
            if plain:
                texts.append(_part_text(plain[-1], problems))
                if html:
                    htmls.append(_part_text(html[-1], problems))
                for p in parts:
                    if p.is_multipart():
                        _walk(p, problems, [], [], attachments)  # related images in there
                return
        for part in parts:
            if isinstance(part, Message):
                _walk(part, problems, texts, htmls, attachments)
        return
    disposition = (msg.get_content_disposition() or "").lower()
    filename = _filename(msg, problems)
    if ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename:
        (texts if ctype == "text/plain" else htmls).append(_part_text(msg, problems))
        return
    if ctype.startswith("text/") and disposition != "attachment" and ctype != "text/calendar":
        if ctype == "text/rfc822-headers":
            return
        texts.append(_part_text(msg, problems))
        return
    encoded = msg.get_payload()
    if not isinstance(encoded, str | bytes) or not encoded.strip():
        return
    content_id = _header(msg, "content-id", problems).strip("<> ")
    attachments.append(
        ParsedAttachment(
            filename=filename or f"{ctype.replace('/', '.')}",
            content_type=ctype,
            part=msg,
            inline=disposition == "inline" or bool(content_id and disposition != "attachment"),
            content_id=content_id,
        )
    )


def _bounce(msg: Message, problems: list[str]) -> tuple[list[str], str]:
    """From a DSN (multipart/report): the Message-IDs of the original and the status."""
    ids: list[str] = []
    reason = ""
    for part in msg.walk():
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            payload: Any = part.get_payload()
            blocks = payload if isinstance(payload, list) else []
            for block in blocks:
                for key in ("Diagnostic-Code", "Status", "Action"):
                    value = block.get(key)
                    if value and not reason:
                        reason = f"{key}: {value}"
            if not blocks:
                text = _part_text(part, problems)
                found = re.search(r"Diagnostic-Code:\s*(.+)", text) or re.search(
                    r"Status:\s*(.+)", text
                )
                reason = reason or (found.group(0).strip() if found else "")
        elif ctype in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
            if ctype == "message/rfc822":
                inner: Any = part.get_payload()
                if isinstance(inner, list) and inner:
                    ids += _ids(_header(inner[0], "message-id", problems))
            else:
                ids += _ids(
                    "\n".join(
                        line
                        for line in _part_text(part, problems).splitlines()
                        if line.lower().startswith("message-id")
                    )
                )
    return ids, reason[:300]


def _kind(msg: Message, headers: Headers, subject: str, sender: str) -> str:
    ctype = msg.get_content_type()
    report = (msg.get_param("report-type") or "") if ctype == "multipart/report" else ""
    if str(report).lower() == "delivery-status" or (
        _BOUNCE_FROM.match(sender) and _BOUNCE_SUBJECT.search(subject)
    ):
        return MailKind.BOUNCE
    auto = headers.raw("auto-submitted").lower()
    if headers.raw("x-autoreply") or headers.raw("x-autorespond"):
        return MailKind.AUTO_REPLY
    if auto.startswith("auto-replied") or _AUTO_SUBJECT.match(subject):
        return MailKind.AUTO_REPLY
    if headers.raw("x-ms-exchange-generated-message-source") or "auto-reply" in auto:
        return MailKind.AUTO_REPLY
    precedence = headers.raw("precedence").lower()
    if (auto and auto != "no") or precedence in {"bulk", "junk", "list", "auto_reply"}:
        return MailKind.AUTOMATIC
    if headers.raw("list-id") or headers.raw("list-unsubscribe"):
        return MailKind.AUTOMATIC
    if _BOUNCE_FROM.match(sender):
        return MailKind.AUTOMATIC
    return MailKind.NORMAL


def _sender(headers: Headers) -> tuple[str, str]:
    """(display name, address) from From, else Sender, else Return-Path. The address is read
    before the name is decoded: a decoded name may hold commas or quotes."""
    name, address = parseaddr(headers.raw("from"))
    if "@" not in address:
        name2, address = parseaddr(headers.raw("sender") or headers.raw("return-path"))
        name = name or name2
    address = address.strip().lower() if "@" in address else ""
    return decode_words(name, headers.problems).strip(), address


def parse_message(msg: Message) -> ParsedMail:
    defects = getattr(msg, "defects", None) or []
    problems: list[str] = (
        ["defects: " + ", ".join(type(d).__name__ for d in defects[:5])] if defects else []
    )
    headers = Headers(msg, problems, _charset_of(msg))
    subject = headers.text("subject")
    name, address = _sender(headers)
    if not address:
        problems.append("no sender address")
    try:
        date_value = headers.raw("date")
        date = parsedate_to_datetime(date_value) if date_value else None
        if date is not None and date.tzinfo is None:
            date = date.replace(tzinfo=dt.UTC)
    except (TypeError, ValueError, IndexError, OverflowError):
        date = None
        problems.append("bad Date header")
    texts: list[str] = []
    htmls: list[str] = []
    attachments: list[ParsedAttachment] = []
    try:
        _walk(msg, problems, texts, htmls, attachments)
    except Exception as exc:  # defensive: a broken tree keeps what was read so far
        problems.append(f"mime: {type(exc).__name__}: {exc}")
    text = "\n\n".join(t.strip() for t in texts if t and t.strip())
    html = "\n".join(htmls) if htmls else None
    if not text and html:
        text = html_to_text(html)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    kind = _kind(msg, headers, subject, address)
    bounced: list[str] = []
    reason = ""
    if kind == MailKind.BOUNCE:
        bounced, reason = _bounce(msg, problems)
    language = headers.raw("content-language").split(",")[0].strip()[:2] or None
    return ParsedMail(
        message_id=(_ids(headers.raw("message-id")) or [""])[0],
        subject=subject[:255],
        from_address=address,
        from_name=name[:150],
        recipients=_addresses(
            headers, ("to", "cc", "delivered-to", "x-original-to", "envelope-to")
        ),
        in_reply_to=_ids(headers.raw("in-reply-to")),
        references=_ids(headers.raw("references")),
        date=date,
        text=text,
        html=html,
        attachments=attachments,
        kind=kind,
        language=language.lower() if language else None,
        forwarded=is_forwarded(text) or bool(re.match(r"^\s*(fwd?|tr|transf?)\s*:", subject, re.I)),
        bounced_message_ids=bounced,
        bounce_reason=reason,
        problems=problems,
    )


def parse_bytes(data: bytes) -> ParsedMail:
    return parse_message(BytesParser(policy=policy.compat32).parsebytes(data))


def parse_file(fp: Any) -> ParsedMail:
    """From a binary file object (the parser reads it in chunks). Attachments are decoded only
    when asked for (``ParsedAttachment.data``), one at a time."""
    return parse_message(BytesParser(policy=policy.compat32).parse(fp))
