"""The "Contact us" page's data: the listed outbound channels (tickets' registry), each with
its expected first-response time from the SLA policies and the details its registry entry
gives (``OutboundChannel.contact_details``: the e-mail address, a phone number, postal
addresses…). A channel without details, or whose details cannot be read, is listed with its
label and response time only."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from comptoir.tickets.outbound import OutboundChannel, outbound_channels
from comptoir.tickets.services.sla import policy_for

logger = logging.getLogger(__name__)


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
                details=_localised(channel_details(channel), language),
            )
        )
    return cards


def channel_details(channel: OutboundChannel) -> dict[str, Any]:
    """What the channel's registry entry says to show, or nothing (never an error page)."""
    provider = getattr(channel, "contact_details", None)
    if provider is None:
        return {}
    try:
        details = provider()
    except Exception:  # a channel's display data must not take the Contact page down
        logger.exception("Contact page: the details of channel %r could not be read", channel.code)
        return {}
    return dict(details) if isinstance(details, Mapping) else {}


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
