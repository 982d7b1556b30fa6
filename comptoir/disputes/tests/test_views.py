"""The pages: the order panel, opening from the order, the dispute page's actions, the seller's list."""

from __future__ import annotations

import pytest

from comptoir.core import clock
from comptoir.disputes.models import Dispute

from .conftest import line_ids
from .test_services import NOW, delivered, open_received

pytestmark = pytest.mark.django_db


def test_order_page_links_to_open_and_the_form_opens_a_dispute(client, buyer, shop, settings):
    order = delivered(buyer, shop)
    client.force_login(buyer)
    with clock.frozen_at(NOW):
        page = client.get(f"/orders/{order.formatted_number}/").content.decode()
        assert f"/orders/{order.number}/dispute/" in page
        r = client.post(
            f"/orders/{order.number}/dispute/",
            {
                "lines": [line_ids(order)[0]],
                "reason": "not_received",
                "request": "refund",
                "description": "Rien",
                "amount": "",
            },
        )
    assert r.status_code == 200  # delivered: "not received" is refused with an explanation
    assert "Le transporteur indique que ce colis a été livré" in r.content.decode()
    assert not Dispute.objects.exists()


def test_dispute_page_shows_actions_from_the_table_and_runs_them(
    client, buyer, seller, shop, stranger
):
    order = delivered(buyer, shop)
    d = open_received(buyer, order)
    client.force_login(seller)
    page = client.get(f"/disputes/{d.public_id}/").content.decode()
    assert f"/disputes/{d.public_id}/accept/" in page and f"/disputes/{d.public_id}/refuse/" in page
    assert f"/disputes/{d.public_id}/cancel/" not in page
    r = client.post(f"/disputes/{d.public_id}/refuse/", {"outcome": "no_refund", "message": "Non"})
    assert r.status_code == 302
    assert Dispute.objects.get(pk=d.pk).status == "refused"
    assert "Rien ne vous attend" in client.get("/seller/disputes/").content.decode()
    client.force_login(stranger)
    assert client.get(f"/disputes/{d.public_id}/").status_code == 404
    assert client.post(f"/disputes/{d.public_id}/cancel/").status_code == 404


def test_seller_list_sorted_by_deadline(client, buyer, seller, shop):
    order = delivered(buyer, shop)
    d = open_received(buyer, order)
    client.force_login(seller)
    page = client.get("/seller/disputes/").content.decode()
    assert d.order.formatted_number in page
