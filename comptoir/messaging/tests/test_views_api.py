from __future__ import annotations

import pytest
from django.test import Client

from comptoir.messaging.models import Conversation, ConversationMessage
from comptoir.messaging.services import conversation_start, message_send
from comptoir.orders.models import Order

from .conftest import post_json

pytestmark = pytest.mark.django_db


def client_for(user, language="fr"):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_product_page_has_the_contact_button_and_starting_writes(buyer, product, seller):
    client = client_for(buyer)
    page = client.get(f"/products/{product.public_id}/")
    assert "Contacter le vendeur" in page.content.decode()
    url = f"/messages/new/product/{product.public_id}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"text": "Quelle taille ?"})
    conversation = Conversation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/messages/c/{conversation.public_id}/"
    # The next visit to the start page goes to the existing conversation.
    assert client.get(url)["Location"] == f"/messages/c/{conversation.public_id}/"
    seller_page = client_for(seller).get(f"/messages/c/{conversation.public_id}/")
    assert "Quelle taille ?" in seller_page.content.decode()


def test_order_list_and_order_page_offer_contact_with_a_text_box(buyer, order):
    client = client_for(buyer)
    formatted = order.formatted_number if hasattr(order, "formatted_number") else order.number
    html = client.get("/orders/").content.decode()
    assert "Contacter le vendeur" in html
    detail = client.get(f"/orders/{formatted}/", follow=True).content.decode()
    assert 'id="contact-seller"' in detail and "Envoyer" in detail
    response = client.post(
        f"/messages/new/order/{order.number}/", {"text": "Où en est mon colis ?"}
    )
    assert response.status_code == 302
    assert Conversation.objects.get().order_id == order.pk


def test_third_party_gets_404_on_pages_and_api(buyer, other_buyer, other_seller, product, order):
    conversation, message = conversation_start(buyer=buyer, product=product, text="Bonjour")
    for user in (other_buyer, other_seller):
        client = client_for(user)
        assert client.get(f"/messages/c/{conversation.public_id}/").status_code == 404
        assert (
            client.post(f"/messages/c/{conversation.public_id}/", {"text": "x"}).status_code == 404
        )
        assert client.post(f"/messages/m/{message.public_id}/delete/").status_code == 404
        assert client.get(f"/messages/m/{message.public_id}/report/").status_code == 404
        assert (
            client.get(f"/api/v1/messages/conversations/{conversation.public_id}").status_code
            == 404
        )
        assert (
            post_json(
                client,
                f"/api/v1/messages/conversations/{conversation.public_id}/messages",
                {"text": "x"},
            ).status_code
            == 404
        )
        assert (
            post_json(
                client, f"/api/v1/messages/conversations/{conversation.public_id}/mark-read"
            ).status_code
            == 404
        )
    assert (
        client_for(other_buyer)
        .post(f"/messages/new/order/{order.number}/", {"text": "x"})
        .status_code
        == 404
    )
    assert client_for(other_buyer).get("/messages/shop/").status_code == 404
    assert client_for(other_buyer).get("/messages/flagged/").status_code == 404
    assert ConversationMessage.objects.count() == 1


def test_message_center_and_seller_inbox_pages(buyer, seller, product, order):
    conversation, _m = conversation_start(buyer=buyer, product=product, text="Bonjour ?")
    conversation_start(buyer=buyer, order=order, text="Colis ?")
    html = client_for(buyer).get("/messages/").content.decode()
    assert "Centre de messagerie" in html and "Bonjour ?" in html
    seller_client = client_for(seller)
    page = seller_client.get("/messages/shop/").content.decode()
    assert page.count('data-mark="to_answer"') == 2
    assert Order.objects.get().get_status_display() in page
    message_send(conversation=conversation, sender=seller, text="Oui")
    page = seller_client.get("/messages/shop/?answer=answered").content.decode()
    assert page.count('data-mark="answered"') == 1
    # The header shows the unread count.
    header = client_for(buyer).get("/").content.decode()
    assert "data-unread-badge" in header and ">1</span>" in header


def test_api_flow(buyer, seller, product):
    client = client_for(buyer)
    response = post_json(
        client, "/api/v1/messages/conversations", {"product": product.public_id, "text": "Taille ?"}
    )
    assert response.status_code == 201, response.content
    conversation_id = response.json()["id"]
    seller_client = client_for(seller)
    assert seller_client.get("/api/v1/messages/unread-count").json() == {"count": 1}
    listed = seller_client.get("/api/v1/messages/conversations?side=shop").json()
    assert [c["id"] for c in listed["items"]] == [conversation_id]
    assert listed["items"][0]["to_answer"] is True
    sent = post_json(
        seller_client,
        f"/api/v1/messages/conversations/{conversation_id}/messages",
        {"text": "Du S au XL"},
    )
    assert sent.status_code == 201 and sent.json()["side"] == "shop"
    assert client.get("/api/v1/messages/unread-count").json() == {"count": 1}
    detail = client.get(f"/api/v1/messages/conversations/{conversation_id}").json()
    assert [m["text"] for m in detail["messages"]["items"]] == ["Du S au XL", "Taille ?"]
    assert detail["messages"]["items"][1]["read_by_other_side"] is True
    read = post_json(client, f"/api/v1/messages/conversations/{conversation_id}/mark-read")
    assert read.status_code == 200 and read.json()["unread"] == 0
    assert client.get("/api/v1/messages/unread-count").json() == {"count": 0}
    inbox = client.get("/api/v1/messages/inbox?filter=sellers").json()
    assert [i["key"].split(":")[0] for i in inbox["items"]] == ["conversations"]
    bad = post_json(client, "/api/v1/messages/conversations", {"text": "x"})
    assert bad.status_code == 422


def test_delete_and_report_pages(buyer, seller, product):
    from comptoir.taxonomy.seeders import taxonomy_seed

    taxonomy_seed()
    conversation, mine = conversation_start(buyer=buyer, product=product, text="Erreur")
    theirs = message_send(conversation=conversation, sender=seller, text="Payez sur PayPal svp")
    client = client_for(buyer)
    page = client.get(f"/messages/c/{conversation.public_id}/").content.decode()
    assert "ne payez jamais en dehors" in page.lower()
    assert client.post(f"/messages/m/{mine.public_id}/delete/").status_code == 302
    assert (
        "Ce message a été supprimé."
        in client.get(f"/messages/c/{conversation.public_id}/").content.decode()
    )
    response = client.post(
        f"/messages/m/{theirs.public_id}/report/", {"reason": "Paiement hors site"}
    )
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.reports.get().ticket_number.startswith("T-")


def test_shop_and_product_pages_show_the_median_first_response_in_fr_and_en(
    buyer, seller, product, shop, django_capture_on_commit_callbacks
):
    import datetime as dt

    from comptoir.core import clock

    from .conftest import T0

    with clock.frozen_at(T0):
        conversation, _m = conversation_start(buyer=buyer, product=product, text="Bonjour")
    pages = (f"/shops/{shop.slug}/", f"/products/{product.public_id}/")
    # No answered conversation yet: nothing is claimed.
    for url in pages:
        assert 'data-testid="response-time"' not in client_for(buyer).get(url).content.decode()
    # The answer forgets the cached median (on commit), so the pages show it at once.
    with (
        clock.frozen_at(T0 + dt.timedelta(hours=3)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        message_send(conversation=conversation, sender=seller, text="Oui")
    for url in pages:
        fr = client_for(buyer, "fr").get(url).content.decode()
        assert "Répond généralement en 3 heures" in fr, url
    buyer.language = "en"  # the account's language wins over the browser's
    buyer.save(update_fields=["language"])
    for url in pages:
        en = client_for(buyer, "en").get(url).content.decode()
        assert "Usually answers within 3 hours" in en, url
