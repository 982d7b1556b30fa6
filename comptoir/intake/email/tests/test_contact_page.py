"""The Contact page lists the support address once the e-mail channel is registered: the one
address the listener accepts (SUPPORT_EMAIL, the first of INTAKE_EMAIL_ADDRESSES), once."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from comptoir.intake.email.addresses import support_addresses
from comptoir.intake.email.outbound import EMAIL_CHANNEL
from comptoir.tickets.outbound import outbound_channels

pytestmark = pytest.mark.django_db


def _main(language: str) -> str:
    page = Client(HTTP_ACCEPT_LANGUAGE=language).get("/help/contact-us/").content.decode()
    return page.split("<main")[1].split("</main>")[0]


def test_one_support_address_setting():
    assert settings.HELPCENTER_CONTACT["email"]["address"] == settings.SUPPORT_EMAIL
    assert settings.SUPPORT_EMAIL == "support@comptoir.localhost"
    assert support_addresses()[0] == settings.SUPPORT_EMAIL


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_contact_page_lists_the_channel_address_once(desk, language):
    main = _main(language)
    assert main.count('href="mailto:support@comptoir.localhost"') == 1
    assert "comptoir.example" not in main


def test_without_the_email_channel_no_address_is_listed(desk):
    outbound_channels.unregister(EMAIL_CHANNEL.code)
    try:
        main = _main("en")
    finally:
        outbound_channels.register(EMAIL_CHANNEL.code, EMAIL_CHANNEL, replace=True)
    assert "support@comptoir.localhost" not in main


def test_the_registry_entry_exposes_the_public_address(settings):
    """What the Contact page reads from the outbound registry (not from HELPCENTER_CONTACT)."""
    entry = outbound_channels.get("email")
    assert entry.listed is True
    assert entry.contact_details is not None
    assert dict(entry.contact_details()) == {"address": "support@comptoir.localhost"}
    settings.INTAKE_EMAIL_ADDRESSES = ["Help@Shop.example", "other@shop.example"]
    assert dict(entry.contact_details()) == {"address": "help@shop.example"}
