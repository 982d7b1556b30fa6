"""The search page's "More results" link in a real browser: keyboard only, without
JavaScript, FR and EN; screenshots into var/screenshots/help-search-*.png."""

from __future__ import annotations

from typing import Any

import pytest

from comptoir.testing.browser import screenshot


def _seed() -> None:
    from comptoir.helpcenter.seeders import helpcenter_seed
    from comptoir.taxonomy.seeders import taxonomy_seed

    taxonomy_seed()
    helpcenter_seed()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("language", "query", "more", "first", "range_text"),
    [
        ("fr", "colis", "Plus de résultats", "Premiers résultats", "Résultats 11 à 20"),
        ("en", "refund", "More results", "First results", "Results 11 to 20"),
    ],
)
def test_more_results_by_keyboard_without_javascript(
    live_url: str,
    playwright_browser: Any,
    language: str,
    query: str,
    more: str,
    first: str,
    range_text: str,
) -> None:
    from comptoir.testing.browser import off_loop

    off_loop(_seed)
    context = playwright_browser.new_context(
        java_script_enabled=False,
        locale="fr-FR" if language == "fr" else "en-GB",
        extra_http_headers={"Accept-Language": language},
    )
    page = context.new_page()
    page.goto(f"{live_url}/help/search/?q={query}&lang={language}")
    results = page.locator("ol.help-results > li")
    assert results.count() == 10
    page_one = results.locator("h2 a").all_inner_texts()
    screenshot(page, f"help-search-page1-{language}")

    page.locator("nav.help-pager a", has_text=more).focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**start=11**")
    assert page.locator(".help-range").inner_text() == range_text
    page_two = page.locator("ol.help-results > li h2 a").all_inner_texts()
    assert page_two and not set(page_two) & set(page_one)
    # The link leads to #help-results: the next Tab reaches the first new result.
    page.keyboard.press("Tab")
    assert page.locator("ol.help-results > li:first-child h2 a:focus").count() == 1
    screenshot(page, f"help-search-page2-{language}")

    page.locator("nav.help-pager a", has_text=first).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "start=" not in url)
    assert page.locator("ol.help-results > li h2 a").all_inner_texts() == page_one
    context.close()
