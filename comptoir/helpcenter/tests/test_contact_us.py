"""The Contact page lists the outbound channels of the registry with what each entry says to
show (``contact_details``), in the page's language; a channel without details, or whose details
fail, is listed without them; unlisted channels never appear."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any

import pytest
from django.test import Client

from comptoir.tickets.outbound import OutboundChannel, outbound_channels, outbound_for


def _main(language: str) -> str:
    page = Client(HTTP_ACCEPT_LANGUAGE=language).get("/help/contact-us/").content.decode()
    return page.split("<main")[1].split("</main>")[0]


@pytest.fixture
def channels() -> Iterator[dict[str, OutboundChannel]]:
    """Registers test channels; puts the registry back as it was afterwards."""
    before = dict(outbound_channels.items())
    added: dict[str, OutboundChannel] = {}
    yield added
    for code in list(outbound_channels.keys()):
        if code not in before:
            outbound_channels.unregister(code)
    for code, entry in before.items():
        outbound_channels.register(code, entry, replace=True)


def _channel(code: str, details: Any = None, *, listed: bool = True) -> OutboundChannel:
    base = outbound_for("web")
    channel = dataclasses.replace(
        base, code=code, label=code.capitalize(), listed=listed, contact_details=details
    )
    outbound_channels.register(code, channel, replace=True)
    return channel


def test_details_come_from_the_registry_entry(help_content: int, channels: Any) -> None:
    def phone() -> Mapping[str, Any]:
        return {"number": "+33 1 99 00 00 01", "hours": {"fr": "9 h – 18 h", "en": "9am–6pm"}}

    _channel("email", lambda: {"address": "help@shop.example"})
    _channel("phone", phone)
    fr, en = _main("fr"), _main("en")
    assert 'href="mailto:help@shop.example"' in fr and 'href="mailto:help@shop.example"' in en
    assert 'href="tel:+33199000001"' in en
    assert "9am–6pm" in en and "9am–6pm" not in fr and "9 h – 18 h" in fr


def test_a_channel_without_details_is_listed_plainly(help_content: int, channels: Any) -> None:
    def broken() -> Mapping[str, Any]:
        raise RuntimeError("display data unavailable")

    _channel("email")  # no details given by the entry
    _channel("phone", broken)
    _channel("post", lambda: ["not", "a", "mapping"])
    _channel("secret", lambda: {"address": "hidden@shop.example"}, listed=False)
    page = _main("en")
    for code in ("email", "phone", "post"):
        assert f'id="channel-{code}"' in page
    card = page.split('id="channel-email"')[1].split("</li>")[0]
    assert "mailto:" not in card and "Email" in card
    assert "tel:" not in page and "hidden@shop.example" not in page
    assert 'id="channel-secret"' not in page
