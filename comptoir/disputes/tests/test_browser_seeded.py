"""The demo data in the browser: every step seeded by ``disputes.seeders`` shows on the buyer's
Message Center ("Disputes" filter), the seller's list, the officers' queues and the pages of
each state (screenshots var/screenshots/disputes-demo-*.png)."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import make_password

from comptoir.core.seeders import ordered_seeders
from comptoir.testing.browser import new_page, off_loop, screenshot
from comptoir.testing.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NEEDED = {"accounts", "taxonomy", "catalog", "orders", "ledger", "tickets", "disputes"}


def _seed():
    from comptoir.accounts.models import User
    from comptoir.core.outbox import drain_outbox
    from comptoir.disputes.models import Dispute

    for seeder in ordered_seeders():
        if seeder.name in NEEDED:
            seeder.fn()
    drain_outbox()
    User.objects.update(password=make_password(DEFAULT_PASSWORD))
    return {d.status: d.public_id for d in Dispute.objects.order_by("pk")}


def _log_in(browser, live_url, email, language):
    page = new_page(browser, language=language)
    page.set_default_timeout(30_000)
    page.goto(live_url + "/accounts/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    return page


def test_every_seeded_step_on_its_screen(live_url, playwright_browser):
    by_status = off_loop(_seed)
    page = _log_in(playwright_browser, live_url, "buyer@example.com", "fr")
    page.goto(live_url + "/messages/?filter=disputes")
    assert page.locator("main").inner_text().count("commande") >= 5
    screenshot(page, "disputes-demo-inbox-buyer-fr")
    page.context.close()

    page = _log_in(playwright_browser, live_url, "buyer2@example.com", "en")
    page.goto(live_url + f"/disputes/{by_status['evidence_requested']}/")
    assert "label and serial number" in page.locator(".dp-actions").inner_text()
    submit = f"form[action$='/{by_status['evidence_requested']}/submit-evidence/']"
    assert page.locator(submit).count() == 1
    screenshot(page, "disputes-demo-evidence-requested-en")
    page.context.close()

    page = _log_in(playwright_browser, live_url, "seller@example.com", "fr")
    page.goto(live_url + "/seller/disputes/")
    screenshot(page, "disputes-demo-seller-list-fr")
    page.goto(live_url + "/messages/?filter=disputes")
    screenshot(page, "disputes-demo-inbox-seller-fr")
    page.context.close()

    page = _log_in(playwright_browser, live_url, "officer@example.com", "en")
    page.goto(live_url + "/disputes/officers/")
    assert page.locator("a[href$='/arbitrate/']").count() == 2
    screenshot(page, "disputes-demo-officer-queue-en")
    page.goto(live_url + "/disputes/officers/?tab=appeals")
    screenshot(page, "disputes-demo-officer-appeals-en")
    page.goto(live_url + f"/disputes/{by_status['decided']}/")
    assert page.locator(".dp-deadline").is_visible()
    screenshot(page, "disputes-demo-decided-en")
    page.context.close()
