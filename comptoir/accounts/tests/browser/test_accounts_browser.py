"""Browser tests (Playwright + Debian's Chromium against a live uvicorn server)."""

import re

import pyotp
import pytest
from django.core import mail

from comptoir.accounts.models import TotpDevice, User
from comptoir.core import clock
from comptoir.testing.browser import DESKTOP, MOBILE, new_page, off_loop, screenshot
from comptoir.testing.factories import DEFAULT_PASSWORD, StaffFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NEW = "a-brand-new-passphrase-9"


def log_in(page, live_url, email, password=DEFAULT_PASSWORD):
    page.goto(f"{live_url}/accounts/login/")
    page.locator("#id_email").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()


def open_account_menu(page):
    if page.locator("[data-nav-toggle]").is_visible():
        page.locator("[data-nav-toggle]").click()
    page.locator(".menu-account > summary").click()


@pytest.mark.parametrize(
    ("language", "welcome", "settings_label"),
    [
        ("fr", "Bon retour, Léa Dubois.", "Paramètres"),
        ("en", "Welcome back, Emily Carter.", "Settings"),
    ],
)
def test_log_in_and_out(live_url, playwright_browser, language, welcome, settings_label):
    name = "Léa Dubois" if language == "fr" else "Emily Carter"
    UserFactory(email="someone@example.com", full_name=name, language=language)
    page = new_page(playwright_browser, language=language)
    log_in(page, live_url, "someone@example.com", "wrong-password")
    expected = (
        "L’adresse e-mail ou le mot de passe est incorrect."
        if language == "fr"
        else "The e-mail address or the password is incorrect."
    )
    assert expected in page.locator(".error-summary").inner_text()
    assert page.evaluate("document.activeElement.matches('[data-error-summary]')")
    log_in(page, live_url, "someone@example.com")
    page.wait_for_url(f"{live_url}/")
    assert welcome in page.locator(".messages").inner_text()
    open_account_menu(page)
    assert page.get_by_role("link", name=settings_label).first.is_visible()
    page.locator(".menu-account .menu-button").click()
    page.wait_for_url(f"{live_url}/")
    assert page.locator(".menu-account").count() == 0
    page.context.close()


def test_sign_up_verify_then_log_in(live_url, playwright_browser):
    page = new_page(playwright_browser, language="en")
    page.goto(f"{live_url}/")
    page.locator("header").get_by_role("link", name="Sign up").click()
    assert page.locator("#id_language").input_value() == "en"
    page.locator("#id_full_name").fill("Nora Petit")
    page.locator("#id_email").fill("nora@example.com")
    page.locator("#id_password").fill(NEW)
    page.locator("#id_password_confirm").fill(NEW + "typo")
    page.locator("main form button[type=submit]").click()
    assert "The two passwords are different." in page.locator(".error-summary").inner_text()
    assert User.objects.count() == 0
    page.locator("#id_password").fill(NEW)
    page.locator("#id_password_confirm").fill(NEW)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/accounts/signup/done/$"))
    assert "Check your inbox" in page.locator("h1").inner_text()
    # Not verified yet: logging in explains and offers a new link.
    log_in(page, live_url, "nora@example.com", NEW)
    assert "Please confirm your e-mail address first" in page.locator("main").inner_text()
    assert page.get_by_role("link", name="Send me a new confirmation link").is_visible()
    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/verify/\S+/", mail.outbox[0].body).group(0)
    assert link.startswith(live_url)
    page.goto(link)
    assert "Your e-mail address is confirmed" in page.locator(".messages").inner_text()
    assert page.locator("#id_email").input_value() == "nora@example.com"
    page.locator("#id_password").fill(NEW)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{live_url}/")
    assert "Welcome back, Nora Petit." in page.locator(".messages").inner_text()
    page.context.close()


def test_switch_language_logged_out_and_logged_in(live_url, playwright_browser):
    user = UserFactory(email="lea@example.com", full_name="Léa Dubois", language="fr")
    page = new_page(playwright_browser, language="fr")
    page.goto(f"{live_url}/accounts/login/")
    assert page.locator("h1").inner_text() == "Se connecter"
    page.locator(".language-switcher button[value=en]").click()
    page.wait_for_url(f"{live_url}/accounts/login/")
    assert page.locator("h1").inner_text() == "Log in"
    assert page.locator("html").get_attribute("lang") == "en"
    # Logged in, the account's language (fr) wins, and the switcher saves the account.
    log_in(page, live_url, "lea@example.com")
    page.wait_for_url(f"{live_url}/")
    assert page.locator(".site-nav .menu > summary").first.inner_text().strip() == "Aide"
    page.locator(".language-switcher button[value=en]").click()
    page.wait_for_load_state()
    assert page.locator(".site-nav .menu > summary").first.inner_text().strip() == "Help"
    user.refresh_from_db()
    assert user.language == "en"
    page.locator(".language-switcher button[value=fr]").click()
    page.wait_for_load_state()
    assert page.locator(".site-nav .menu > summary").first.inner_text().strip() == "Aide"
    user.refresh_from_db()
    assert user.language == "fr"
    page.context.close()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_two_factor_setup_then_log_in_with_a_code(live_url, playwright_browser, language):
    agent = StaffFactory(email="agent@example.com", full_name="Camille Martin", language=language)
    page = new_page(playwright_browser, language=language)
    log_in(page, live_url, "agent@example.com")
    page.wait_for_url(f"{live_url}/")
    open_account_menu(page)
    label = "Authentification à deux facteurs" if language == "fr" else "Two-factor authentication"
    page.locator(".menu-account").get_by_role("link", name=label).click()
    page.wait_for_url(re.compile(r".*/accounts/settings/two-factor/$"))
    assert page.locator(".qr svg").count() == 1
    secret = page.locator("[data-totp-secret]").get_attribute("data-totp-secret")
    assert secret and secret.replace(" ", "") == page.locator(".secret").inner_text().replace(
        " ", ""
    )
    page.locator("#id_enable-code").fill("000000")
    page.locator("button:has-text('Confirm'), button:has-text('Confirmer')").click()
    assert page.locator(".error-summary").is_visible()
    assert TotpDevice.objects.count() == 0
    now = int(clock.now().timestamp())
    page.locator("#id_enable-code").fill(pyotp.TOTP(secret).at(now))
    page.locator("button:has-text('Confirm'), button:has-text('Confirmer')").click()
    page.wait_for_url(re.compile(r".*/accounts/settings/two-factor/$"))
    assert TotpDevice.objects.get(user=agent).is_active
    assert page.locator(".status-pill.status-on").is_visible()
    open_account_menu(page)
    page.locator(".menu-account .menu-button").click()
    page.wait_for_url(f"{live_url}/")
    log_in(page, live_url, "agent@example.com")
    page.wait_for_url(re.compile(r".*/accounts/login/code/$"))
    # The code used for the set-up cannot be replayed: use the next time step's code.
    page.locator("#id_code").fill(pyotp.TOTP(secret).at(now + 30))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{live_url}/")
    assert "Camille Martin" in page.locator(".messages").inner_text()
    page.context.close()


PAGES = [
    ("home", "/"),
    ("login", "/accounts/login/"),
    ("signup", "/accounts/signup/"),
    ("password-reset", "/accounts/password/reset/"),
]
LOGGED_IN_PAGES = [
    ("settings", "/accounts/settings/"),
    ("two-factor", "/accounts/settings/two-factor/"),
]


def test_screenshots_of_every_page(live_url, playwright_browser):
    """Not an assertion about looks: it writes var/screenshots/*.png for people to look at."""
    from comptoir.core.seeders import apply_seeders

    off_loop(apply_seeders)  # the seeders push realtime events (async_to_sync)
    for language in ("fr", "en"):
        for size_name, viewport in (("desktop", DESKTOP), ("mobile", MOBILE)):
            page = new_page(playwright_browser, language=language, viewport=viewport)
            for name, path in PAGES:
                page.goto(live_url + path)
                assert page.locator("html").get_attribute("lang") == language
                screenshot(page, f"{name}-{language}-{size_name}")
            page.goto(live_url + "/accounts/signup/")
            page.locator("#id_email").fill("not-an-address")
            page.locator("#id_password").fill("123")
            page.locator("#id_password_confirm").fill("456")
            page.locator("main form button[type=submit]").click()
            screenshot(page, f"signup-errors-{language}-{size_name}")
            User.objects.filter(email="agent@example.com").update(language=language)
            log_in(page, live_url, "agent@example.com", "comptoir-demo")
            page.wait_for_url(f"{live_url}/")
            for name, path in LOGGED_IN_PAGES:
                page.goto(live_url + path)
                screenshot(page, f"{name}-{language}-{size_name}")
            page.goto(live_url + "/")
            open_account_menu(page)
            screenshot(page, f"menu-{language}-{size_name}", full_page=False)
            page.context.close()
