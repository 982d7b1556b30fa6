"""The HTML search page is paginated with the API's keyset cursor: plain links (no JavaScript
needed), the same order as the API, a refused cursor gives the first page again."""

from __future__ import annotations

import html
import re

from django.test import Client

NEXT = re.compile(r'<a class="button" rel="next" href="([^"]+)"')
FIRST = re.compile(r'<a class="button button-secondary" href="([^"]+)"')
RESULT = re.compile(r'href="/help/articles/([\w-]+)/\?lang=(?:fr|en)"')


def _slugs(page: str) -> list[str]:
    results = page.split('<ol class="help-results"', 1)[1].split("</ol>", 1)[0]
    return RESULT.findall(results)


def test_more_results_follow_the_api_order(help_content: int) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="fr")
    api = client.get("/api/v1/help/articles", {"q": "colis", "lang": "fr", "limit": 20}).json()
    expected = [item["slug"] for item in api["items"]]
    assert len(expected) == 20  # enough articles mention "colis" for two pages

    first = client.get("/help/search/", {"q": "colis", "lang": "fr"}).content.decode()
    assert _slugs(first) == expected[:10]
    assert "Premiers résultats" not in first and 'start="1"' in first
    link = html.unescape(NEXT.search(first).group(1))  # type: ignore[union-attr]
    assert link.startswith("/help/search/?") and link.endswith("#help-results")
    assert "start=11" in link and "lang=fr" in link

    second = client.get(link.split("#")[0]).content.decode()
    assert _slugs(second) == expected[10:20]
    assert 'start="11"' in second and "Résultats 11 à 20" in second
    back = html.unescape(FIRST.search(second).group(1))  # type: ignore[union-attr]
    assert "cursor" not in back and "start" not in back
    assert _slugs(client.get(back.split("#")[0]).content.decode()) == expected[:10]


def test_last_page_has_no_more_link(help_content: int) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    api = client.get("/api/v1/help/articles", {"q": "customs duties", "lang": "en", "limit": 50})
    total = len(api.json()["items"])
    assert 0 < total < 50
    link: str | None = "/help/search/?q=customs+duties&lang=en"
    seen: list[str] = []
    while link:
        page = client.get(link.split("#")[0]).content.decode()
        seen += _slugs(page)
        found = NEXT.search(page)
        link = html.unescape(found.group(1)) if found else None
    assert len(seen) == total == len(set(seen))
    assert "More results" not in page and "First results" in page


def test_a_forged_or_foreign_cursor_gives_the_first_page(help_content: int) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    first = client.get("/help/search/", {"q": "refund", "lang": "en"}).content.decode()
    cursor = re.search(r"cursor=([^&\"]+)", html.unescape(NEXT.search(first).group(1)))  # type: ignore[union-attr]
    assert cursor is not None
    for query, value in (("refund", "forged"), ("parcel", cursor.group(1))):
        page = client.get(
            "/help/search/", {"q": query, "lang": "en", "cursor": value, "start": "11"}
        ).content.decode()
        assert "This page link is invalid or has expired" in page
        assert 'start="1"' in page and "Results 11" not in page
        assert _slugs(page)  # the first page of that query
