from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from comptoir.accounts.enums import Role
from comptoir.core.outbox.models import OutboxMessage
from comptoir.helpcenter.models import Article, Deflection, PendingContactRequest
from comptoir.taxonomy.models import Node
from comptoir.testing.factories import UserFactory
from comptoir.tickets.models import Ticket


def _client(language: str = "fr", user: Any = None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_login(user)
    return client


def test_home_category_article_pages(help_content: int) -> None:
    client = _client("fr")
    home = client.get("/help/")
    assert home.status_code == 200 and "Livraison" in home.content.decode()
    assert client.get("/help/topics/delivery/").status_code == 200
    page = client.get("/help/articles/damaged-item/").content.decode()
    assert "Mon article est arrivé endommagé" in page
    assert "Cet article vous a-t-il aidé" in page
    assert "Articles liés" in page
    assert client.get("/help/articles/agent-escalation-playbook/").status_code == 404
    assert client.get("/help/articles/nope/").status_code == 404
    en = _client("en").get("/help/articles/damaged-item/").content.decode()
    assert "My item arrived damaged" in en and "Was this article helpful?" in en


def test_search_page_highlights_and_empty_state(help_content: int) -> None:
    client = _client("fr")
    page = client.get("/help/search/", {"q": "colis endommagé"}).content.decode()
    assert "<mark>" in page and "damaged-item" in page
    empty = client.get("/help/search/", {"q": "xylophone"}).content.decode()
    assert "Aucun article ne correspond" in empty


def test_feedback_counts_one_vote_per_visitor(help_content: int) -> None:
    client = _client("en")
    url = "/help/articles/damaged-item/feedback/?lang=en"
    client.post(url, {"helpful": "yes"})
    client.post(url, {"helpful": "yes"})
    article = Article.objects.get(slug="damaged-item", language="en")
    assert (article.helpful_yes, article.helpful_no) == (1, 0)
    client.post(url, {"helpful": "no"})
    article.refresh_from_db()
    assert (article.helpful_yes, article.helpful_no) == (0, 1)


def test_menu_steps_work_without_javascript(help_content: int) -> None:
    client = _client("en")
    step1 = client.get("/help/contact/").content.decode()
    assert "?c=delivery" in step1
    step2 = client.get("/help/contact/", {"c": "delivery"}).content.decode()
    assert "?s=delivery.not_received" in step2
    step3 = client.get("/help/contact/", {"s": "delivery.not_received"}).content.decode()
    assert "?n=delivery.not_received.returned_to_sender" in step3
    step4 = client.get("/help/contact/", {"n": "delivery.not_received.returned_to_sender"})
    html = step4.content.decode()
    assert "My parcel was returned to the sender" in html
    assert html.count('class="card"><h3>') in (2, 3)
    partial = client.get("/help/contact/", {"c": "item"}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="contact-menu"')


def test_solved_counts_a_deflection_and_creates_nothing(help_content: int) -> None:
    client = _client("fr")
    response = client.post(
        "/help/contact/solved/",
        {"node": "delivery.customs.duties_and_taxes", "article": "customs-duties-and-taxes"},
    )
    assert response.status_code == 200
    assert Deflection.objects.count() == 1
    assert Article.objects.get(slug="customs-duties-and-taxes", language="fr").deflections == 1
    assert Ticket.objects.count() == 0
    assert PendingContactRequest.objects.count() == 0
    assert client.post("/help/contact/solved/", {"node": "delivery"}).status_code == 404


def test_form_routes_the_ticket_to_the_nodes_team(help_content: int) -> None:
    user = UserFactory(language="fr")
    client = _client("fr", user)
    form = client.get("/help/contact/account.blocked.why_blocked/")
    assert form.status_code == 200
    key = form.context["form"].initial["idempotency_key"]
    response = client.post(
        "/help/contact/account.blocked.why_blocked/",
        {"text": "Mon compte est bloqué depuis hier.", "subject": "", "idempotency_key": key},
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/{ticket.number}/")
    node = Node.objects.get(code="account.blocked.why_blocked")
    assert ticket.node == node and ticket.team_id == node.parent.team_id and ticket.channel == "web"
    assert ticket.team_id is not None


def test_retired_or_unknown_nodes_are_not_offered(help_content: int) -> None:
    from comptoir.taxonomy.services import node_retire

    node_retire(node=Node.objects.get(code="account.data"), actor=None)
    client = _client("en", UserFactory())
    assert client.get("/help/contact/account.data.export_my_data/").status_code == 404
    assert "account.data" not in client.get("/help/contact/", {"c": "account"}).content.decode()


@pytest.mark.django_db
def test_anonymous_request_waits_for_the_email_link(help_content: int) -> None:
    from comptoir.orders.models import Order

    client = _client("fr")
    response = client.post(
        "/help/contact/account.login.forgot_password/",
        {
            "email": "visitor@example.org",
            "text": "Je n'arrive pas à me connecter.",
            "order_number": "8012-3456-7890-1230",
        },
    )
    assert response.status_code == 200 and "visitor@example.org" in response.content.decode()
    assert Ticket.objects.count() == 0  # nothing to work before the address is verified
    pending = PendingContactRequest.objects.get()
    mail = OutboxMessage.objects.latest("pk")
    link = next(word for word in str(mail.payload).split() if "/help/contact/verify/" in word)
    token = link.split("/help/contact/verify/")[1].split("/")[0]
    assert client.get(f"/help/contact/verify/{token}/").status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.order is None  # the typed number is not an order of this address
    assert ticket.contact.identities.get().is_verified
    assert Order.objects.filter(number="8012345678901230").count() == 0
    assert client.get(f"/help/contact/verify/{token}/").status_code == 200  # idempotent
    assert Ticket.objects.count() == 1
    pending.refresh_from_db()
    assert pending.ticket_number == ticket.number
    assert client.get("/help/contact/verify/forged/").status_code == 404


def test_contact_us_lists_channels_with_response_times(help_content: int) -> None:
    page = _client("en").get("/help/contact-us/").content.decode()
    assert "Contact form" in page and "API" not in page.split("<main")[1].split("</main>")[0]


@pytest.mark.parametrize("role", [None, Role.BUYER, Role.AGENT])
def test_editors_pages_are_404_for_others(help_content: int, role: Any) -> None:
    client = _client("en", UserFactory(role=role) if role else None)
    for url in (
        "/help/manage/articles/",
        "/help/manage/taxonomy/",
        "/help/manage/articles/en/damaged-item/",
        "/help/manage/taxonomy/delivery/",
    ):
        assert client.get(url).status_code == 404


def test_supervisor_edits_an_article_with_revisions(help_content: int) -> None:
    supervisor = UserFactory(role=Role.SUPERVISOR)
    client = _client("en", supervisor)
    assert client.get("/help/manage/articles/").status_code == 200
    url = "/help/manage/articles/en/damaged-item/"
    article = Article.objects.get(slug="damaged-item", language="en")
    response = client.post(
        url,
        {
            "title": "Damaged on arrival",
            "node": "item.damaged",
            "keywords": article.keywords,
            "body_markdown": article.body_markdown + "\n<script>alert(1)</script>",
            "status": "published",
            "internal": "",
            "note": "retitled",
        },
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "Damaged on arrival" and article.revision == 2
    assert "<script>" not in article.body_html
    assert list(article.revisions.values_list("number", flat=True)) == [2, 1]
    assert article.revisions.first().actor == supervisor


def test_supervisor_edits_the_taxonomy(help_content: int) -> None:
    from comptoir.taxonomy.hooks import taxonomy_changed_hooks

    seen: list[Any] = []
    taxonomy_changed_hooks.register("test.helpcenter", seen.append, replace=True)
    client = _client("en", UserFactory(role=Role.SUPERVISOR))
    node = Node.objects.get(code="delivery.customs")
    response = client.post(
        "/help/manage/taxonomy/delivery.customs/",
        {
            "label_fr": "Douane et taxes",
            "label_en": "Customs and taxes",
            "team": node.team.code,
            "skill": "",
            "needs_order": "yes",
            "usual_resolution": "article",
        },
    )
    assert response.status_code == 302
    node.refresh_from_db()
    assert node.code == "delivery.customs" and node.label_en == "Customs and taxes"
    client.post(
        "/help/manage/taxonomy/delivery.customs/add/",
        {
            "label_fr": "Colis saisi",
            "label_en": "Parcel seized",
            "team": "",
            "skill": "",
            "needs_order": "",
            "usual_resolution": "",
        },
    )
    assert Node.objects.filter(code="delivery.customs.parcel_seized", level=3).exists()
    client.post("/help/manage/taxonomy/delivery.customs.parcel_seized/retire/")
    retired = Node.objects.get(code="delivery.customs.parcel_seized")
    assert retired.is_retired
    assert Node.objects.filter(code="delivery.customs.parcel_seized").count() == 1  # never deleted
    assert seen == []  # hooks run after commit; the test transaction never commits
