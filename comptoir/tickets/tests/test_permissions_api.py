from __future__ import annotations

import pytest
from django.test import Client

from comptoir.accounts.models import Team
from comptoir.taxonomy.models import Node
from comptoir.tickets.enums import TicketStatus
from comptoir.tickets.models import Ticket
from comptoir.tickets.selectors import ticket_scope
from comptoir.tickets.tests.conftest import make_agent, make_order, post_json, receive

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def restricted(desk):
    Node.objects.filter(code="account.security").update(restricted=True)


def test_visibility_rule(buyer, other_buyer, agent, supervisor, restricted):
    mine = receive(buyer).ticket
    theirs = receive(other_buyer, text="Hello, a question of mine").ticket
    secret = receive(
        buyer, text="Activité inhabituelle sur mon compte", node_code="account.security"
    ).ticket
    assert secret.restricted and secret.team.code == "account-security"
    assert set(ticket_scope(buyer)) == {mine, secret}
    assert set(ticket_scope(agent)) == {mine, theirs}
    security_agent = make_agent(email="sec@example.org", teams=("account-security",))
    assert secret in set(ticket_scope(security_agent))
    assert set(ticket_scope(supervisor)) == {mine, theirs, secret}


def test_api_404_for_what_you_may_not_see(buyer, other_buyer, agent, restricted):
    theirs = receive(other_buyer, text="Hello, mine").ticket
    secret = receive(buyer, text="Sécurité du compte", node_code="account.security").ticket
    assert client_for(buyer).get(f"/api/v1/tickets/{theirs.number}").status_code == 404
    assert client_for(buyer).get("/api/v1/tickets/T-999999").status_code == 404
    assert client_for(agent).get(f"/api/v1/tickets/{secret.number}").status_code == 404
    assert client_for(agent).get(f"/api/v1/tickets/{theirs.number}").status_code == 200
    response = post_json(client_for(agent), f"/api/v1/tickets/{secret.number}/notes", {"text": "x"})
    assert response.status_code == 404
    assert client_for(buyer).get(f"/support/requests/{theirs.number}/").status_code == 404


def test_api_create_read_search_reply_status(buyer, agent, django_capture_on_commit_callbacks):
    order = make_order(buyer)
    client = client_for(buyer)
    # Indexed after commit (tickets.followups), like the acknowledgement.
    with django_capture_on_commit_callbacks(execute=True):
        response = post_json(
            client,
            "/api/v1/tickets",
            {
                "taxonomy": "delivery.delay",
                "order": order.formatted_number,
                "subject": "Colis en retard",
                "text": "Bonjour, mes colis endommagés n'arrivent pas.",
            },
            HTTP_IDEMPOTENCY_KEY="k-1",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    number = body["number"]
    assert body["team"] == "delivery-delay" and body["order"] == order.number
    assert body["language"] == "fr" and body["status"] == "new" and body["channel"] == "api"
    assert body["assignee"]["name"] == agent.display_name
    assert body["sla"]["first_response_due_at"] is not None
    again = post_json(client, "/api/v1/tickets", {"text": "autre"}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.status_code == 200 and again.json()["number"] == number
    assert Ticket.objects.count() == 1
    # Search: accents folded and stemmed ("endommagé" finds "endommagés").
    found = client.get("/api/v1/tickets", {"q": "colis endommagé"}).json()
    assert [t["number"] for t in found["items"]] == [number]
    assert client.get("/api/v1/tickets", {"q": "parapluie"}).json()["items"] == []
    assert (
        client_for(agent).get("/api/v1/tickets", {"q": "endommage"}).json()["items"][0]["number"]
        == number
    )
    # Staff reply and solve, then the customer rates.
    reply = post_json(
        client_for(agent),
        f"/api/v1/tickets/{number}/replies",
        {"text": "Nous regardons.", "then": "solve"},
    )
    assert reply.status_code == 201
    assert client.get(f"/api/v1/tickets/{number}").json()["status"] == TicketStatus.SOLVED
    rated = post_json(client, f"/api/v1/tickets/{number}/csat", {"score": 5, "comment": "Merci"})
    assert rated.status_code == 201
    assert post_json(client, f"/api/v1/tickets/{number}/csat", {"score": 4}).status_code == 409
    # Customers cannot take staff actions; illegal moves are 409.
    assert post_json(client, f"/api/v1/tickets/{number}/close").status_code == 403
    assert post_json(client_for(agent), f"/api/v1/tickets/{number}/pend").status_code == 409
    messages = client.get(f"/api/v1/tickets/{number}/messages").json()
    assert [m["direction"] for m in messages] == ["in", "out"]


def test_customer_never_sees_notes(buyer, agent):
    ticket = receive(buyer, node_code="delivery.delay").ticket
    post_json(client_for(agent), f"/api/v1/tickets/{ticket.number}/notes", {"text": "secret note"})
    kinds = [
        m["kind"] for m in client_for(buyer).get(f"/api/v1/tickets/{ticket.number}/messages").json()
    ]
    assert kinds == ["public"]
    assert (
        "secret note"
        not in client_for(buyer).get(f"/support/requests/{ticket.number}/").content.decode()
    )


def test_api_assign_by_supervisor(buyer, supervisor, agent):
    ticket = receive(buyer, node_code="delivery.delay").ticket
    other = make_agent(email="o@example.org", teams=("item-damaged",))
    response = post_json(
        client_for(supervisor),
        f"/api/v1/tickets/{ticket.number}/assign",
        {"assignee": other.email, "team": "item-damaged"},
    )
    assert response.status_code == 200
    assert response.json()["team"] == "item-damaged"
    assert Team.objects.get(code="item-damaged").pk == Ticket.objects.get().team_id


def test_html_shown_escaped_on_the_page(buyer):
    ticket = receive(buyer, text="<img src=x onerror=alert(1)> bonjour").ticket
    page = client_for(buyer).get(f"/support/requests/{ticket.number}/").content.decode()
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_web_form_files_ticket_with_attachment_and_refuses_disguised_files(buyer, agent):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    client = client_for(buyer)
    page = client.get("/support/new/")
    assert page.status_code == 200
    key = page.context["form"].initial["idempotency_key"]
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(buffer, format="PNG")
    disguised = SimpleUploadedFile("photo.png", b"%PDF-1.4 not an image", content_type="image/png")
    refused = client.post(
        "/support/new/",
        {
            "taxonomy": "delivery.delay.tracking_not_updated",
            "text": "Bonjour",
            "idempotency_key": key,
            "attachments": [disguised],
        },
    )
    assert refused.status_code == 200 and Ticket.objects.count() == 0
    assert refused.context["form"].errors["attachments"]
    good = SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")
    response = client.post(
        "/support/new/",
        {
            "taxonomy": "delivery.delay.tracking_not_updated",
            "text": "Bonjour, voici une photo.",
            "idempotency_key": key,
            "attachments": [good],
        },
    )
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.messages.get().attachments.count() == 1
    # Submitting the same form twice does not make a second ticket.
    client.post(
        "/support/new/",
        {
            "taxonomy": "delivery.delay.tracking_not_updated",
            "text": "Bonjour, voici une photo.",
            "idempotency_key": key,
        },
    )
    assert Ticket.objects.count() == 1


def test_oversized_attachment_refused(buyer, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.UPLOAD_MAX_PDF_BYTES = 100
    settings.UPLOAD_MAX_IMAGE_BYTES = 100
    settings.UPLOAD_MAX_VIDEO_BYTES = 100
    client = client_for(buyer)
    big = SimpleUploadedFile("doc.pdf", b"%PDF-1.4\n" + b"0" * 500, content_type="application/pdf")
    response = client.post(
        "/support/new/",
        {
            "taxonomy": "delivery.delay.tracking_not_updated",
            "text": "Bonjour",
            "idempotency_key": "abc",
            "attachments": [big],
        },
    )
    assert response.status_code == 200 and Ticket.objects.count() == 0
    assert response.context["form"].errors["attachments"]
