"""The pages through the test client: every screen renders for the right people only, the
actions come from the transition table, irreversible ones ask for a confirmation first."""

from __future__ import annotations

import html
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from comptoir.core import clock
from comptoir.core.money import Money
from comptoir.disputes import services as s
from comptoir.disputes.models import Dispute, Evidence

from .conftest import line_ids, photo_of
from .test_notify import DAY, NOW, delivered, escalated, open_received, refused

pytestmark = pytest.mark.django_db


def png(name="casse.png"):
    buf = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 30, 30)).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def test_open_step_by_step_with_a_photo(client, buyer, shop):
    order = delivered(buyer, shop)
    client.force_login(buyer)
    with clock.frozen_at(NOW):
        page = client.get(f"/orders/{order.number}/dispute/").content.decode()
        assert "1. Quels articles sont concernés ?" in page and "6. Vérifier et envoyer" in page
        assert "Qui paie le retour ?" in page
        r = client.post(
            f"/orders/{order.number}/dispute/",
            {
                "lines": [line_ids(order)[0]],
                "reason": "damaged",
                "request": "refund",
                "amount": "12.00",
                "description": "Écran fissuré",
                "evidence": [png("a.png"), png("b.png")],
            },
        )
    d = Dispute.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/disputes/{d.public_id}/"
    assert d.requested_minor == 1200
    assert list(Evidence.objects.values_list("upload__original_name", flat=True)) == [
        "a.png",
        "b.png",
    ]


def test_received_without_a_photo_is_explained_and_nothing_opens(client, buyer, shop):
    order = delivered(buyer, shop)
    client.force_login(buyer)
    with clock.frozen_at(NOW):
        r = client.post(
            f"/orders/{order.number}/dispute/",
            {
                "lines": [line_ids(order)[0]],
                "reason": "damaged",
                "request": "refund",
                "amount": "1.00",
                "description": "x",
            },
        )
    assert r.status_code == 200
    assert "Ajoutez au moins une photo ou une vidéo" in r.content.decode()
    assert not Dispute.objects.exists()


def test_accepting_asks_for_a_confirmation_first(client, buyer, seller, shop):
    d = open_received(buyer, delivered(buyer, shop))
    client.force_login(seller)
    page = html.unescape(client.get(f"/disputes/{d.public_id}/").content.decode())
    assert "Le vendeur répond d'ici" in page
    r = client.post(f"/disputes/{d.public_id}/accept/")
    assert r.status_code == 200 and "Veuillez confirmer" in r.content.decode()
    assert Dispute.objects.get(pk=d.pk).status == "awaiting_seller"
    r = client.post(f"/disputes/{d.public_id}/accept/", {"confirm": "yes"})
    assert r.status_code == 302
    assert Dispute.objects.get(pk=d.pk).status == "closed"


def test_refusal_with_counter_evidence_then_proposals_side_by_side(client, buyer, seller, shop):
    d = open_received(buyer, delivered(buyer, shop))
    client.force_login(seller)
    r = client.post(
        f"/disputes/{d.public_id}/refuse/",
        {
            "outcome": "partial_refund",
            "amount": "3.00",
            "message": "Emballé avec soin",
            "evidence": [png("carton.png")],
        },
    )
    assert r.status_code == 302
    assert Evidence.objects.filter(side="seller").count() == 1
    client.force_login(buyer)
    page = client.get(f"/disputes/{d.public_id}/").content.decode()
    assert "Le vendeur propose" in page and "3,00" in page and "Emballé avec soin" in page
    for action in ("accept-counter", "modify", "cancel", "escalate"):
        assert f"/disputes/{d.public_id}/{action}/" in page
    assert f"/disputes/{d.public_id}/accept/" not in page


def test_officer_screens_are_for_officers_only(client, buyer, seller, shop, officer, stranger):
    d = escalated(buyer, seller, shop)
    for user in (buyer, seller, stranger):
        client.force_login(user)
        assert client.get("/disputes/officers/").status_code == 404
        assert client.get(f"/disputes/{d.public_id}/arbitrate/").status_code == 404
    client.force_login(officer)
    queue = client.get("/disputes/officers/").content.decode()
    assert f"/disputes/{d.public_id}/arbitrate/" in queue
    screen = client.get(f"/disputes/{d.public_id}/arbitrate/").content.decode()
    assert "Messages acheteur–vendeur de la commande" in screen
    assert "L'argent des articles" in screen and "dans ce litige" in screen
    assert f"/disputes/{d.public_id}/decide/" in screen
    r = client.post(
        f"/disputes/{d.public_id}/decide/",
        {
            "outcome": "partial_refund",
            "amount": "4.00",
            "message": "Défaut léger",
            "confirm": "yes",
        },
    )
    assert r["Location"] == f"/disputes/{d.public_id}/arbitrate/"
    assert Dispute.objects.get(pk=d.pk).status == "decided"


def test_seller_list_nearest_deadline_first(client, buyer, seller, shop):
    first = open_received(buyer, delivered(buyer, shop))  # opened at NOW
    later = delivered(buyer, shop)
    with clock.frozen_at(NOW - DAY):
        earlier = s.dispute_open(
            user=buyer,
            order=later,
            line_ids=line_ids(later)[:1],
            reason="damaged",
            request="refund",
            description="x",
            amount=Money.parse("1.00"),
            evidence=[photo_of(buyer)],
        )
    client.force_login(seller)
    page = client.get("/seller/disputes/").content.decode()
    waiting = page.split("Retours qui vous attendent")[0]
    assert waiting.index(earlier.order.formatted_number) < waiting.index(
        first.order.formatted_number
    )


def test_change_of_mind_return_from_the_order(client, buyer, seller, shop):
    order = delivered(buyer, shop)
    client.force_login(buyer)
    with clock.frozen_at(NOW):
        page = client.get(f"/orders/{order.formatted_number}/").content.decode()
        assert f"/orders/{order.number}/return/" in page
        r = client.post(
            f"/orders/{order.number}/return/",
            {"lines": [line_ids(order)[0]], "unused": "on", "note": "Trop grand"},
        )
    assert r.status_code == 302
    url = r["Location"]
    client.force_login(seller)
    page = client.get(url).content.decode()
    assert "Donner l'adresse de retour" in page
    r = client.post(
        url + "return-address/",
        {
            "name": "Boutique",
            "line1": "1 rue A",
            "postal_code": "69001",
            "city": "Lyon",
            "country": "FR",
        },
    )
    assert r.status_code == 302
    client.force_login(buyer)
    page = client.get(url).content.decode()
    assert "1 rue A" in page and "J'ai renvoyé l'article" in page


def test_strangers_get_404_and_change_nothing(client, buyer, seller, shop, stranger):
    d = refused(buyer, seller, shop)
    client.force_login(stranger)
    assert client.get(f"/disputes/{d.public_id}/").status_code == 404
    assert client.post(f"/disputes/{d.public_id}/escalate/", {"confirm": "yes"}).status_code == 404
    assert Dispute.objects.get(pk=d.pk).status == "refused"
