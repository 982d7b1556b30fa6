"""The "Contact us" page's data: the listed outbound channels (tickets' registry), each with
its expected first-response time from the SLA policies and its details from settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comptoir.tickets.outbound import outbound_channels
from comptoir.tickets.services.sla import policy_for


@dataclass(frozen=True)
class ChannelCard:
    code: str
    label: str
    response_time: str | None
    details: dict[str, Any] = field(default_factory=dict)


def response_time(minutes: int) -> str:
    if minutes < 60:
        return ngettext(
            "within %(n)d business minute", "within %(n)d business minutes", minutes
        ) % {"n": minutes}
    hours = minutes // 60
    if hours < 9 or minutes % (9 * 60):
        return ngettext("within %(n)d business hour", "within %(n)d business hours", hours) % {
            "n": hours
        }
    days = minutes // (9 * 60)
    return ngettext("within %(n)d business day", "within %(n)d business days", days) % {"n": days}


def contact_channels(*, language: str) -> list[ChannelCard]:
    """Listed channels, in registry order, with their response times and details."""
    details: dict[str, Any] = getattr(settings, "HELPCENTER_CONTACT", {})
    cards = []
    for code, channel in outbound_channels.items():
        if not channel.listed:
            continue
        policy = policy_for(team_id=None, channel=code)
        cards.append(
            ChannelCard(
                code=code,
                label=str(channel.label),
                response_time=response_time(policy.first_response_minutes) if policy else None,
                details=_localised(details.get(code, {}), language),
            )
        )
    return cards


def _localised(value: Any, language: str) -> Any:
    if isinstance(value, dict):
        if set(value) == {"fr", "en"}:
            return value.get(language)
        return {k: _localised(v, language) for k, v in value.items()}
    if isinstance(value, list):
        return [_localised(v, language) for v in value]
    return value


def no_channel_message() -> str:
    return _("No channel is open right now.")
