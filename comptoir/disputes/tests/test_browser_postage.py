"""In the browser, FR and EN: the seller's "owed to the platform" card after a return whose
postage their balance could not cover, and the officer's arbitration screen with the
buyer–seller messages 50 a page (screenshots var/screenshots/disputes-owed-*.png and
disputes-arbitration-messages-*.png)."""

from __future__ import annotations

import pytest

from comptoir.testing.browser import new_page, off_loop, screenshot
from comptoir.testing.factories import DEFAULT_PASSWORD

from .test_arbitration_page import chat
from .test_notify import escalated
from .test_returns_postage import postage_returned

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(browser, live_url, email, language):
    page = new_page(browser, language=language)
    page.set_default_timeout(30_000)
    page.goto(live_url + "/accounts/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    return page


def _language(users, language):
    from comptoir.accounts.models import User

    User.objects.filter(pk__in=[u.pk for u in users]).update(language=language)


def test_owed_card_and_paged_messages(live_url, playwright_browser, buyer, seller, shop, officer):
    off_loop(postage_returned, buyer, seller, shop)
    d = off_loop(escalated, buyer, seller, shop)
    off_loop(chat, buyer, seller, d.order, 55)
    for language, owed, later in (
        ("fr", "Dû à la plateforme", "Messages suivants"),
        ("en", "Owed to the platform", "Later messages"),
    ):
        off_loop(_language, [seller, officer], language)
        page = _log_in(playwright_browser, live_url, seller.email, language)
        page.goto(live_url + "/seller/balance/")
        card = page.locator(".balance-owed")
        assert owed.casefold() in card.inner_text().casefold()
        assert ("25,00" if language == "fr" else "25.00") in card.inner_text()
        screenshot(page, f"disputes-owed-{language}")
        page.context.close()
        page = _log_in(playwright_browser, live_url, officer.email, language)
        page.goto(live_url + f"/disputes/{d.public_id}/arbitrate/")
        assert page.locator(".dp-msg").count() == 50
        page.locator("#conv-title").scroll_into_view_if_needed()
        page.click(f"text={later}")
        page.wait_for_load_state()
        assert page.locator(".dp-msg").count() == 5
        screenshot(page, f"disputes-arbitration-messages-{language}")
        page.context.close()
