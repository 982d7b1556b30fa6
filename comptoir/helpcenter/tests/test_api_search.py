"""``GET /api/v1/help/articles?q=…``: search results in keyset pages with ``next_cursor``."""

from __future__ import annotations

import pytest
from django.test import Client

from comptoir.helpcenter.search import search_articles


@pytest.mark.django_db
def test_search_results_are_paginated(help_content: int) -> None:
    client = Client()
    expected = [
        hit.article.slug for hit in search_articles(query="colis", language="fr", limit=50).hits
    ]
    assert len(expected) > 5
    seen: list[str] = []
    url = "/api/v1/help/articles?q=colis&lang=fr&limit=4"
    cursor = None
    while True:
        response = client.get(url + (f"&cursor={cursor}" if cursor else ""))
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"items", "next_cursor"}
        assert len(body["items"]) <= 4
        seen += [item["slug"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == expected
    first = client.get(url).json()
    assert set(first["items"][0]) >= {"title", "slug", "excerpt", "url"}
    # A cursor is bound to its query: with another one, or forged, it is refused.
    other = client.get(
        f"/api/v1/help/articles?q=remboursement&lang=fr&cursor={first['next_cursor']}"
    )
    assert other.status_code == 422 and other.json()["code"] == "invalid_cursor"
    forged = client.get("/api/v1/help/articles?q=colis&lang=fr&cursor=abc")
    assert forged.status_code == 422
