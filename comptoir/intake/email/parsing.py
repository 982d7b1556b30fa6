"""Parse one raw mail with the standard library (``email`` with ``policy.default``).

Never raises on bad input: malformed headers, unknown charsets and broken encodings degrade to
best-effort text and are listed in ``problems``. Text comes from ``text/plain`` (else the HTML
converted); attachments and inline images are returned as bytes for the upload primitive."""

from __future__ import annotations

import codecs
import datetime as dt
import re
from dataclasses import dataclass, field
from email import policy
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from typing import Any

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
    filename: str
    content_type: str
    data: bytes
    inline: bool
    content_id: str = ""


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
    try:
        value = msg.get(name)
    except Exception as exc:  # a header the policy cannot parse
        problems.append(f"header {name}: {type(exc).__name__}")
        raw = msg.get_all(name, failobj=[]) if hasattr(msg, "get_all") else []
        value = raw[0] if raw else None
    if value is None:
        return ""
    try:
        text = str(value)
    except Exception:
        problems.append(f"header {name}: undecodable")
        return ""
    return re.sub(r"[\r\n]+\s*", " ", text).strip()


def _ids(value: str) -> list[str]:
    return _MSGID.findall(value or "")[-MAX_IDS:]


def _addresses(msg: Message, names: tuple[str, ...], problems: list[str]) -> list[str]:
    found: list[str] = []
    for name in names:
        values = [_header(msg, name, problems)] if name in msg else []
        for value in values:
            for _display, address in getaddresses([value]):
                if "@" in address:
                    found.append(address.strip())
    return found


def decode_bytes(data: bytes, charset: str | None, problems: list[str] | None = None) -> str:
    """Bytes → text: the declared charset when Python knows it; otherwise (or when it does not
    decode) UTF-8, then Windows-1252 (a superset of ISO-8859-1 in practice) with replacements."""
    candidates: list[str] = []
    if charset:
        name = charset.strip().strip('"').lower()
        if name in {"unknown-8bit", "x-unknown", "unknown"}:
            name = ""
        try:
            codecs.lookup(name)
            candidates.append(name)
        except LookupError:
            if problems is not None:
                problems.append(f"unknown charset {charset!r}")
    for candidate in [*candidates, "utf-8"]:
        try:
            return data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
    if problems is not None:
        problems.append("undecodable text: decoded as windows-1252")
    return data.decode("windows-1252", errors="replace")


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


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except Exception:
        name = None
    return str(name or "").strip()


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
    filename = _filename(msg)
    if ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename:
        (texts if ctype == "text/plain" else htmls).append(_part_text(msg, problems))
        return
    if ctype.startswith("text/") and disposition != "attachment" and ctype != "text/calendar":
        if ctype == "text/rfc822-headers":
            return
        texts.append(_part_text(msg, problems))
        return
    try:
        data = msg.get_payload(decode=True)
    except Exception as exc:
        problems.append(f"attachment payload: {type(exc).__name__}")
        data = None
    if not isinstance(data, bytes) or not data:
        return
    content_id = _header(msg, "content-id", problems).strip("<> ")
    attachments.append(
        ParsedAttachment(
            filename=filename or f"{ctype.replace('/', '.')}",
            content_type=ctype,
            data=data,
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


def _kind(msg: Message, subject: str, sender: str, problems: list[str]) -> str:
    ctype = msg.get_content_type()
    report = (msg.get_param("report-type") or "") if ctype == "multipart/report" else ""
    if str(report).lower() == "delivery-status" or (
        _BOUNCE_FROM.match(sender) and _BOUNCE_SUBJECT.search(subject)
    ):
        return MailKind.BOUNCE
    auto = _header(msg, "auto-submitted", problems).lower()
    if _header(msg, "x-autoreply", problems) or _header(msg, "x-autorespond", problems):
        return MailKind.AUTO_REPLY
    if auto.startswith("auto-replied") or _AUTO_SUBJECT.match(subject):
        return MailKind.AUTO_REPLY
    if _header(msg, "x-ms-exchange-generated-message-source", problems) or "auto-reply" in auto:
        return MailKind.AUTO_REPLY
    precedence = _header(msg, "precedence", problems).lower()
    if (auto and auto != "no") or precedence in {"bulk", "junk", "list", "auto_reply"}:
        return MailKind.AUTOMATIC
    if _header(msg, "list-id", problems) or _header(msg, "list-unsubscribe", problems):
        return MailKind.AUTOMATIC
    if _BOUNCE_FROM.match(sender):
        return MailKind.AUTOMATIC
    return MailKind.NORMAL


def parse_message(msg: Message) -> ParsedMail:
    problems: list[str] = list(getattr(msg, "defects", []) and ["defects: " + ", ".join(
        type(d).__name__ for d in msg.defects[:5])] or [])  # fmt: skip
    subject = _header(msg, "subject", problems)
    from_value = _header(msg, "from", problems)
    name, address = parseaddr(from_value)
    if "@" not in address:
        sender_value = _header(msg, "sender", problems) or _header(msg, "return-path", problems)
        name2, address = parseaddr(sender_value)
        name = name or name2
    address = address.strip().lower() if "@" in address else ""
    if not address:
        problems.append("no sender address")
    try:
        date_value = _header(msg, "date", problems)
        date = parsedate_to_datetime(date_value) if date_value else None
        if date is not None and date.tzinfo is None:
            date = date.replace(tzinfo=dt.UTC)
    except (TypeError, ValueError, IndexError):
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
    kind = _kind(msg, subject, address, problems)
    bounced: list[str] = []
    reason = ""
    if kind == MailKind.BOUNCE:
        bounced, reason = _bounce(msg, problems)
    language = _header(msg, "content-language", problems).split(",")[0].strip()[:2] or None
    return ParsedMail(
        message_id=(_ids(_header(msg, "message-id", problems)) or [""])[0],
        subject=subject[:255],
        from_address=address,
        from_name=name.strip()[:150],
        recipients=_addresses(
            msg, ("to", "cc", "delivered-to", "x-original-to", "envelope-to"), problems
        ),
        in_reply_to=_ids(_header(msg, "in-reply-to", problems)),
        references=_ids(_header(msg, "references", problems)),
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
    msg = BytesParser(policy=policy.default).parsebytes(data)
    return parse_message(msg)


def parse_file(fp: Any) -> ParsedMail:
    """From a binary file object (the parser reads it in chunks)."""
    msg = BytesParser(policy=policy.default).parse(fp)
    return parse_message(msg)
