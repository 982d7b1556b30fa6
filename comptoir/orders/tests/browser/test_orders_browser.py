"""Browser tests: "Mes commandes" and an order page, in French and in English, desktop and mobile."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from comptoir.core import clock
from comptoir.core.order_numbers import format_order_number
from comptoir.core.sweeps import run_sweep
from comptoir.orders.models import Order
from comptoir.orders.tests.conftest import checkout, ship
from comptoir.testing.browser import MOBILE, new_page, screenshot
from comptoir.testing.factories import DEFAULT_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_url, email):
    page.goto(live_url + "/accounts/login/")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def in_thread(fn):
    """Run set-up in another thread: Playwright's event loop runs in this one, and the
    notifications' realtime push (core.realtime, async_to_sync) refuses to run beside it."""
    result = {}

    def run():
        try:
            result["value"] = fn()
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    return result["value"]


@pytest.fixture
def orders(buyer, seller, product):
    def make():
        now = clock.now()
        paid = checkout(buyer, product, at=now - dt.timedelta(days=1))
        shipped = checkout(buyer, product, quantity=2, at=now - dt.timedelta(days=9))
        ship(shipped, seller, at=now - dt.timedelta(days=8), route="customs", days=20)
        run_sweep("sandbox_carrier", now=now)
        return {"paid": paid, "shipped": Order.objects.get(pk=shipped.pk)}

    return in_thread(make)


def test_my_orders_in_french_with_status_tabs(live_url, page, playwright_browser, orders, buyer):
    log_in(page, live_url, buyer.email)
    page.goto(live_url + "/orders/")
    assert page.locator("h1").inner_text() == "Mes commandes"
    assert page.locator(".order-card").count() == 2
    assert page.get_by_text("Retenu en douane").first.is_visible()
    screenshot(page, "market-browser-orders-fr-desktop")
    page.get_by_role("link", name="À expédier").click()
    page.wait_for_load_state()
    assert page.locator(".order-card").count() == 1
    assert format_order_number(orders["paid"].number) in page.locator(".order-card").inner_text()
    page.get_by_role("link", name="Annulées").click()
    assert page.get_by_text("Aucune commande ici").is_visible()
    mobile = new_page(playwright_browser, language="fr", viewport=MOBILE)
    log_in(mobile, live_url, buyer.email)
    mobile.goto(live_url + "/orders/")
    assert mobile.locator(".order-card").count() == 2
    screenshot(mobile, "market-browser-orders-fr-mobile")
    mobile.context.close()


def test_order_page_in_english_with_timeline_and_confirm_receipt(
    live_url, page_en, playwright_browser, orders, buyer
):
    order = orders["shipped"]
    number = format_order_number(order.number)
    type(buyer).objects.filter(pk=buyer.pk).update(language="en")  # an English-speaking buyer
    log_in(page_en, live_url, buyer.email)
    page_en.goto(live_url + f"/orders/{order.number}/")  # undashed: redirected
    assert page_en.url.endswith(f"/orders/{number}/")
    assert (
        "Order" in page_en.locator("h1").inner_text()
        and number in page_en.locator("h1").inner_text()
    )
    timeline = page_en.locator("#tracking .track li")
    assert timeline.first.inner_text().startswith("Held at customs")
    assert timeline.count() == 6  # info received + 5 scans
    assert page_en.get_by_text("Promised delivery").is_visible()
    screenshot(page_en, "market-browser-order-en-desktop")
    mobile = new_page(playwright_browser, language="en", viewport=MOBILE)
    log_in(mobile, live_url, buyer.email)
    mobile.goto(live_url + f"/orders/{number}/")
    screenshot(mobile, "market-browser-order-en-mobile")
    mobile.context.close()
    page_en.get_by_role("link", name="Confirm receipt").click()
    assert page_en.locator("h1").inner_text() == "Did you receive everything?"
    order.refresh_from_db()
    assert order.status == "shipped"  # the confirmation step changes nothing
    page_en.get_by_role("button", name="Yes, I received everything").click()
    page_en.wait_for_load_state()
    assert page_en.get_by_text("Thank you, receipt confirmed").is_visible()
    order.refresh_from_db()
    assert order.status == "delivered"
    assert page_en.get_by_role("link", name="Confirm receipt").count() == 0


def test_order_page_in_french_and_404_for_someone_else(live_url, page, orders, other_buyer):
    number = format_order_number(orders["shipped"].number)
    log_in(page, live_url, other_buyer.email)
    response = page.goto(live_url + f"/orders/{number}/")
    assert response.status == 404


def test_buy_now_from_the_product_page(live_url, page, buyer, product):
    log_in(page, live_url, buyer.email)
    page.goto(live_url + f"/products/{product.public_id}/")
    page.fill("#quantity", "2")
    page.get_by_role("button", name="Acheter maintenant").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Payer et passer la commande").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").is_visible()  # address missing
    page.fill("input[name=line1]", "14 rue de la République")
    page.fill("input[name=postal_code]", "69002")
    page.fill("input[name=city]", "Lyon")
    page.get_by_role("button", name="Payer et passer la commande").click()
    page.wait_for_load_state()
    order = Order.objects.get()
    assert page.url.endswith(f"/orders/{format_order_number(order.number)}/")
    assert (order.status, order.total_minor) == ("paid", 2 * 3990 + 490)
    assert page.get_by_text("Votre commande est payée").is_visible()


def test_my_orders_in_english(live_url, page_en, orders, buyer):
    type(buyer).objects.filter(pk=buyer.pk).update(language="en")
    log_in(page_en, live_url, buyer.email)
    page_en.goto(live_url + "/orders/")
    assert page_en.locator("h1").inner_text() == "My orders"
    assert page_en.locator(".order-card").count() == 2
    page_en.get_by_role("link", name="To be shipped").click()
    page_en.wait_for_load_state()
    assert page_en.locator(".order-card").count() == 1
    assert format_order_number(orders["paid"].number) in page_en.locator(".order-card").inner_text()


def test_order_page_in_french_with_timeline(live_url, page, orders, buyer):
    number = format_order_number(orders["shipped"].number)
    log_in(page, live_url, buyer.email)
    page.goto(live_url + f"/orders/{number}/")
    assert (
        "Commande" in page.locator("h1").inner_text() and number in page.locator("h1").inner_text()
    )
    timeline = page.locator("#tracking .track li")
    assert timeline.first.inner_text().startswith("Retenu en douane")
    assert timeline.count() == 6
    assert page.get_by_role("link", name="Confirmer la réception").is_visible()
