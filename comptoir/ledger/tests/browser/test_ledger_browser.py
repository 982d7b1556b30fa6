"""The protection box on the order page and the seller balance pages, FR and EN, desktop and
mobile (screenshots in var/screenshots/ledger-*.png), and a payout with its confirmation step."""

from __future__ import annotations

import datetime as dt

import pytest

from comptoir.core import clock
from comptoir.core.order_numbers import format_order_number
from comptoir.ledger.services import escrow_release_due, refund_partial
from comptoir.ledger.tests.conftest import deliver, line_ids, make_order
from comptoir.testing.browser import MOBILE, new_page, off_loop, screenshot
from comptoir.testing.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_url, email):
    page.goto(live_url + "/accounts/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def _setup(buyer, shop):
    from comptoir.core.money import Money

    now = clock.now()
    old = deliver(
        make_order(buyer, shop, ["89.00", "25.50"], shipping="4.90"), now - dt.timedelta(days=75)
    )
    escrow_release_due(now=now)
    order = deliver(
        make_order(buyer, shop, ["39.90", "12.50"], shipping="4.90"), now - dt.timedelta(days=18)
    )
    refund_partial(
        order=order, amount=Money.parse("5.00"), line_ids=line_ids(order)[:1], idempotency_key="b1"
    )
    return order, old


def test_protection_box_and_balance_pages(live_url, playwright_browser, buyer, seller, shop):
    order, _old = off_loop(_setup, buyer, shop)
    number = format_order_number(order.number)
    from comptoir.accounts.models import User

    for language in ("fr", "en"):
        off_loop(
            lambda lang=language: User.objects.filter(pk__in=[buyer.pk, seller.pk]).update(
                language=lang
            )
        )
        for size, viewport in (("desktop", None), ("mobile", MOBILE)):
            page = new_page(playwright_browser, language=language, viewport=viewport)
            log_in(page, live_url, buyer.email)
            page.goto(live_url + f"/orders/{number}/")
            box = page.locator("#protection")
            assert box.is_visible()
            assert ("52,30" if language == "fr" else "52.30") in box.inner_text()
            screenshot(page, f"ledger-protection-{language}-{size}")
            page.context.close()
            seller_page = new_page(playwright_browser, language=language, viewport=viewport)
            log_in(seller_page, live_url, seller.email)
            seller_page.goto(live_url + "/seller/balance/?tab=available")
            screenshot(seller_page, f"ledger-balance-{language}-{size}")
            seller_page.context.close()
    page = new_page(playwright_browser, language="en")
    log_in(page, live_url, seller.email)
    page.goto(live_url + "/seller/balance/payout/")
    page.fill("input[name=amount]", "50.00")
    page.click("main form button[type=submit]")
    assert page.locator("text=Please confirm").is_visible()
    screenshot(page, "ledger-payout-confirm-en-desktop")
    page.click("text=Confirm the payout")
    page.wait_for_load_state()
    assert "Payout requested" in page.content()
    screenshot(page, "ledger-balance-after-payout-en-desktop")
    page.context.close()


def _failed_refunds_and_late_order(buyer, shop, sandbox):
    from comptoir.core.outbox import drain_outbox
    from comptoir.ledger.services import refund_full
    from comptoir.orders.models import Order

    now = clock.now()
    for key in ("s1", "s2"):
        order = make_order(buyer, shop, ["24.90"], shipping="0")
        drain_outbox()
        sandbox.script("decline", "decline", "decline")
        refund_full(order=order, idempotency_key=key)
        at = now
        for _ in range(6):
            drain_outbox(now=at)
            at += dt.timedelta(days=1)
    late = make_order(buyer, shop, ["19.90"], shipping="3.90")
    Order.objects.filter(pk=late.pk).update(
        status="shipped",
        shipped_at=now - dt.timedelta(days=12),
        promised_delivery_date=(now - dt.timedelta(days=3)).date(),
    )
    return late


def test_staff_failed_transfers_and_late_order_box(
    live_url, playwright_browser, buyer, shop, sandbox
):
    from comptoir.accounts.models import Role
    from comptoir.testing.factories import UserFactory

    late = off_loop(_failed_refunds_and_late_order, buyer, shop, sandbox)
    agent = off_loop(lambda: UserFactory(email="agent@example.org", role=Role.AGENT, language="fr"))
    for size, viewport in (("desktop", None), ("mobile", MOBILE)):
        page = new_page(playwright_browser, language="fr", viewport=viewport)
        log_in(page, live_url, agent.email)
        page.goto(live_url + "/staff/payments/failed/")
        assert page.locator("table.statement tbody tr").count() == 2
        screenshot(page, f"ledger-staff-failed-fr-{size}")
        page.locator("text=Relancer…").first.click()
        page.wait_for_load_state()
        assert page.locator("text=Relancer ce remboursement ?").is_visible()
        screenshot(page, f"ledger-staff-retry-fr-{size}")
        page.context.close()
    page = new_page(playwright_browser, language="fr")
    log_in(page, live_url, agent.email)
    page.goto(live_url + "/staff/payments/failed/")
    page.locator("text=Relancer…").first.click()
    page.click("text=Oui, relancer le remboursement")
    page.wait_for_load_state()
    assert page.locator("table.statement tbody tr").count() == 1
    screenshot(page, "ledger-staff-after-retry-fr-desktop")
    page.context.close()
    page = new_page(playwright_browser, language="fr")
    log_in(page, live_url, buyer.email)
    page.goto(live_url + f"/orders/{format_order_number(late.number)}/")
    assert "est passée" in page.locator("#protection").inner_text()
    screenshot(page, "ledger-protection-late-fr-desktop")
    page.context.close()
