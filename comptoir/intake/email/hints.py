"""Threading hints of a parsed mail for intake: the reply token (support+<token>@…), the earlier
Message-IDs (In-Reply-To, then References), the ticket number in the subject. Intake applies
them in that order and only for the ticket's own contact."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .addresses import token_in
from .models import OutboundMail
from .parsing import ParsedMail

_TICKET_NUMBER = re.compile(r"\bT-(\d{6,12})\b", re.I)


@dataclass(frozen=True)
class ThreadHints:
    reply_token: str | None
    in_reply_to: tuple[str, ...]
    thread_ticket_number: str | None


def ticket_number_in(subject: str) -> str | None:
    found = _TICKET_NUMBER.search(subject or "")
    return f"T-{found.group(1)}" if found else None


def thread_hints(parsed: ParsedMail, envelope_to: list[str]) -> ThreadHints:
    earlier = list(dict.fromkeys([*parsed.in_reply_to, *reversed(parsed.references)]))[:50]
    # Our own mails' ids are not ticket messages: map them to their ticket, which intake then
    # checks like a ticket number (same contact only). It outranks the number in the subject.
    ours = (
        OutboundMail.objects.filter(message_id__in=earlier)
        .order_by("-created_at")
        .values_list("ticket__number", flat=True)
        .first()
        if earlier
        else None
    )
    return ThreadHints(
        reply_token=token_in([*envelope_to, *parsed.recipients]),
        in_reply_to=tuple(earlier),
        thread_ticket_number=ours or ticket_number_in(parsed.subject),
    )
