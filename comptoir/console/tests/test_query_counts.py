"""The console's pages run a number of queries that does not grow with the rows they show:
every queue (as an agent and as a supervisor), filtered lists, the next keyset page, and the
ticket view whatever the length of the conversation and of the customer's history."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comptoir.console.queues import QUEUES
from comptoir.testing.factories import DEFAULT_PASSWORD
from comptoir.tickets import services as svc

from .conftest import receive


def _login(client, user):
    assert client.login(username=user.email, password=DEFAULT_PASSWORD)


def _queries(client, url):
    client.get(url)  # first hit: caches (node labels, translations) are not what is measured
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries), response.content.decode()


def _tickets(buyer, n, start):
    return [
        receive(buyer, text=f"Colis {start + i} en retard", node_code="delivery.delay").ticket
        for i in range(n)
    ]


def _shape(tickets, agent, supervisor):
    """Spread tickets over the queues: assigned to the agent, unassigned, pending, tagged (every
    queue holds at least one row: an empty list legitimately skips the query of its tags)."""
    for i, ticket in enumerate(tickets):
        svc.ticket_assign(user=supervisor, ticket=ticket, assignee=agent if i % 3 == 0 else None)
        if i % 4 == 1:
            svc.ticket_change_status(user=supervisor, ticket=ticket, action="pend")
        svc.ticket_tag(user=supervisor, ticket=ticket, add=[f"lot-{i % 3}", "colis"])


URLS = [reverse("console:queue", args=[code]) for code in QUEUES] + [
    reverse("console:queue", args=["teams"]) + "?channel=web&language=fr",
    reverse("console:queue", args=["teams"]) + "?tag=colis&sort=recent",
]


@pytest.mark.parametrize("who", ["agent", "supervisor"])
def test_every_queue_runs_the_same_queries_for_3_and_for_30_tickets(
    client, desk, buyer, agent, supervisor, who
):
    viewer = agent if who == "agent" else supervisor
    _shape(_tickets(buyer, 3, 0), agent, supervisor)
    _login(client, viewer)
    few = {url: _queries(client, url)[0] for url in URLS}
    _shape(_tickets(buyer, 27, 100), agent, supervisor)
    shown = 0
    for url in URLS:
        many, page = _queries(client, url)
        shown += page.count("data-row ")
        assert many == few[url], (url, few[url], many)
    assert shown > 30  # the lists did fill up


def test_a_next_keyset_page_costs_what_the_first_page_costs(client, desk, buyer, supervisor):
    _tickets(buyer, 60, 0)
    _login(client, supervisor)
    first_url = reverse("console:queue", args=["teams"]) + "?sort=recent"
    first, page = _queries(client, first_url)
    more = re.search(r'href="(\?[^"]*cursor=[^"]*)"', page)
    assert more is not None, "60 tickets fill more than one page"
    next_url = reverse("console:queue", args=["teams"]) + more.group(1).replace("&amp;", "&")
    following, _page = _queries(client, next_url)
    assert following == first


def test_the_ticket_view_runs_the_same_queries_for_a_short_and_a_long_story(
    client, desk, buyer, supervisor
):
    _login(client, supervisor)
    first = receive(buyer, text="Mon colis est en retard", node_code="delivery.delay").ticket
    short_url = reverse("console:ticket", args=[first.number])
    short, _page = _queries(client, short_url)

    # A long conversation with replies, notes and customer messages, and five earlier tickets.
    for i in range(6):
        svc.ticket_reply(user=supervisor, ticket=first, text=f"Réponse {i}")
        svc.ticket_note(user=supervisor, ticket=first, text=f"Note {i}")
        receive(buyer, text=f"Relance {i}", reply_token=first.reply_token)
    for i in range(5):
        receive(buyer, text=f"Autre demande {i}", node_code="payment.failed")
    long, page = _queries(client, short_url)
    assert page.count("Réponse") >= 6
    assert long == short, (short, long)
