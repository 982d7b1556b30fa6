"""Menu → articles → form in a real browser, in FR and EN, with and without JavaScript; and
screenshots of every help-center page (desktop and mobile) into var/screenshots/help-*.png."""

from __future__ import annotations

from typing import Any

import pytest

from comptoir.testing.browser import MOBILE, new_page, off_loop, screenshot
from comptoir.testing.factories import DEFAULT_PASSWORD, UserFactory


def _seed() -> Any:
    from comptoir.accounts.enums import Role
    from comptoir.helpcenter.seeders import helpcenter_seed
    from comptoir.taxonomy.seeders import taxonomy_seed

    taxonomy_seed()
    helpcenter_seed()
    buyer = UserFactory(email="buyer-help-fr@example.org", language="fr")
    UserFactory(email="buyer-help-en@example.org", language="en")
    UserFactory(email="super-help@example.org", role=Role.SUPERVISOR)
    return buyer


def _login(page: Any, live_url: str, email: str) -> None:
    page.goto(live_url + "/accounts/login/")
    page.locator("#id_email").fill(email)
    page.locator("#id_password").fill(DEFAULT_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("language", "labels"),
    [
        ("fr", ("Compte", "Compte bloqué ou suspendu", "Écrire au service client")),
        ("en", ("Account", "Account blocked or suspended", "Write to customer service")),
    ],
)
def test_menu_articles_form_with_htmx(
    live_url: str, playwright_browser: Any, language: str, labels: tuple[str, str, str]
) -> None:
    off_loop(_seed)
    page = new_page(playwright_browser, language=language)
    _login(page, live_url, f"buyer-help-{language}@example.org")
    page.goto(live_url + "/help/contact/")
    category, sub, form_title = labels
    page.locator("#contact-menu .menu-choice", has_text=category).first.click()
    page.wait_for_url("**c=account")
    page.locator("#contact-menu .menu-choice", has_text=sub).first.click()
    page.wait_for_url("**s=account.blocked")
    page.locator(".menu-choice").first.click()
    page.wait_for_url("**n=account.blocked.*")
    assert page.locator(".menu-suggestions li").count() in (2, 3)
    screenshot(page, f"help-menu-articles-{language}")
    page.locator("a.button[href*='/help/contact/account.blocked.']").click()
    page.wait_for_selector("h1")
    assert form_title in page.locator("h1").inner_text()
    page.fill(
        "textarea[name=text]",
        "Mon compte est bloqué." if language == "fr" else "My account is blocked.",
    )
    page.locator("form.card button[type=submit]").click()
    page.wait_for_url("**/support/requests/T-*/")
    number = page.url.rstrip("/").rsplit("/", 1)[-1]
    assert number.startswith("T-")
    page.context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_menu_without_javascript_and_keyboard(live_url: str, playwright_browser: Any) -> None:
    off_loop(_seed)
    context = playwright_browser.new_context(
        java_script_enabled=False, locale="en-GB", extra_http_headers={"Accept-Language": "en"}
    )
    page = context.new_page()
    page.goto(live_url + "/help/contact/")
    page.locator(".menu-choice", has_text="Delivery").first.click()
    page.locator(".menu-choice", has_text="Customs").first.click()
    page.locator(".menu-choice", has_text="Duties and taxes").first.click()
    assert "Customs duties and import VAT" in page.content()
    page.get_by_role("button", name="This solved my problem").click()
    assert "Glad we could help" in page.content()
    context.close()
    # Keyboard only (JavaScript on): Tab to the first category and press Enter.
    page = new_page(playwright_browser, language="en")
    page.goto(live_url + "/help/contact/")
    page.locator(".menu-choice").first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**c=delivery")
    assert page.locator("#menu-title").inner_text() == "Delivery"
    page.context.close()


PAGES = [
    ("home", "/help/"),
    ("category", "/help/topics/returns/"),
    ("article", "/help/articles/damaged-item/"),
    ("search", "/help/search/?q=colis+endommag%C3%A9"),
    ("search-empty", "/help/search/?q=xylophone"),
    ("contact-us", "/help/contact-us/"),
    ("menu", "/help/contact/?s=delivery.not_received"),
    ("menu-answers", "/help/contact/?n=delivery.customs.duties_and_taxes"),
    ("form-anonymous", "/help/contact/delivery.customs.duties_and_taxes/"),
]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_screenshots(live_url: str, playwright_browser: Any) -> None:
    off_loop(_seed)
    for language in ("fr", "en"):
        for viewport_name, viewport in (("desktop", None), ("mobile", MOBILE)):
            page = new_page(playwright_browser, language=language, viewport=viewport)
            for name, url in PAGES:
                response = page.goto(live_url + url)
                assert response.status == 200, url
                screenshot(page, f"help-{name}-{language}-{viewport_name}")
            _login(page, live_url, "super-help@example.org")
            for name, url in (
                ("manage-articles", "/help/manage/articles/?language=" + language),
                ("manage-article", f"/help/manage/articles/{language}/damaged-item/"),
                ("manage-taxonomy", "/help/manage/taxonomy/"),
                ("manage-node", "/help/manage/taxonomy/delivery.customs/"),
                ("form-signed-in", "/help/contact/delivery.customs.duties_and_taxes/"),
            ):
                response = page.goto(live_url + url)
                assert response.status == 200, url
                screenshot(page, f"help-{name}-{language}-{viewport_name}")
            page.context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_anonymous_visitor_attaches_a_photo(
    live_url: str, playwright_browser: Any, tmp_path: Any, settings: Any
) -> None:
    import io

    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    off_loop(_seed)
    photo = tmp_path / "photo-colis.png"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (180, 120, 40)).save(buffer, format="PNG")
    photo.write_bytes(buffer.getvalue())
    page = new_page(playwright_browser, language="fr")
    page.goto(live_url + "/help/contact/delivery.customs.duties_and_taxes/")
    page.fill("input[name=email]", "visiteur@example.org")
    page.fill("textarea[name=text]", "Voici la photo de l'avis de la douane.")
    page.set_input_files("input[name=attachments]", str(photo))
    screenshot(page, "help-form-anonymous-attachment-fr")
    page.locator("form.card button[type=submit]").click()
    page.wait_for_load_state()
    assert "visiteur@example.org" in page.content()

    def check() -> list[Any]:
        from comptoir.core.uploads import Upload
        from comptoir.helpcenter.models import PendingContactRequest

        pending = PendingContactRequest.objects.get()
        return [pending.upload_ids, list(Upload.objects.values_list("pk", "owner_id"))]

    upload_ids, uploads = off_loop(check)
    assert len(upload_ids) == 1 and uploads == [(upload_ids[0], None)]
    page.context.close()
