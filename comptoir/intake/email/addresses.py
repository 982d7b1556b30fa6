"""Support addresses: which recipients the listener accepts, the reply-token address form."""

from __future__ import annotations

import re

from django.conf import settings

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def support_addresses() -> list[str]:
    return [a.strip().lower() for a in settings.INTAKE_EMAIL_ADDRESSES if "@" in a]


def _split(address: str) -> tuple[str, str, str] | None:
    """(base local part, tag, domain) of ``local+tag@domain``, lower-cased except the tag."""
    local, at, domain = address.strip().strip("<>").rpartition("@")
    if not at or not local or not domain:
        return None
    base, _plus, tag = local.partition("+")
    return base.lower(), tag, domain.lower()


def is_support_address(address: str) -> bool:
    """One of the configured support addresses, or its ``+token`` form."""
    parts = _split(address)
    if parts is None:
        return False
    base, tag, domain = parts
    if f"{base}@{domain}" not in support_addresses():
        return False
    return not tag or bool(_TOKEN.match(tag))


def token_in(addresses: list[str]) -> str | None:
    """The reply token of the first ``support+<token>@…`` address among ``addresses``."""
    for address in addresses:
        parts = _split(address)
        if parts is None:
            continue
        base, tag, domain = parts
        if tag and _TOKEN.match(tag) and f"{base}@{domain}" in support_addresses():
            return tag
    return None


def reply_address(token: str) -> str:
    base, _at, domain = support_addresses()[0].partition("@")
    return f"{base}+{token}@{domain}"


def from_address() -> str:
    return f"{settings.SITE_NAME} <{support_addresses()[0]}>"


def message_id_domain() -> str:
    return support_addresses()[0].partition("@")[2] or "comptoir.localhost"


_NEVER_ANSWER = re.compile(
    r"^(no-?reply|do-?not-?reply|ne-?pas-?repondre|mailer-daemon|postmaster|bounces?)([+.-].*)?@",
    re.I,
)


def never_answer(address: str) -> bool:
    """Addresses that must never get an automatic mail (robots, our own addresses)."""
    return bool(_NEVER_ANSWER.match(address)) or is_own_address(address)


def is_own_address(address: str) -> bool:
    parts = _split(address)
    return parts is not None and f"{parts[0]}@{parts[2]}" in support_addresses()
