"""The console's cheap paths print what the slow ones did: queue rows as precomputed values,
the filter form rendered once per language and values, the viewer and the queue counts by SQL
compiled once per process, and the reply's file input in FR and EN."""

import datetime as dt
import unicodedata

import pytest
from django.template.defaultfilters import timesince_filter, timeuntil_filter
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import localize
from django.utils.text import Truncator

from comptoir.console import fragments, selectors
from comptoir.console.queues import QUEUES, Who, ticket_predicate
from comptoir.console.rows import _truncated
from comptoir.console.views import _filter_fields
from comptoir.core import clock
from comptoir.taxonomy.hooks import TaxonomyChange, run_taxonomy_changed_hooks
from comptoir.taxonomy.models import Node
from comptoir.testing.factories import DEFAULT_PASSWORD
from comptoir.tickets import services as svc
from comptoir.tickets.enums import Presence
from comptoir.tickets.models import AgentPresence, Ticket
from comptoir.tickets.selectors import ticket_scope

from .conftest import T0, make_agent, receive


@pytest.fixture(autouse=True)
def _fresh_fragments():
    fragments.forget()
    yield
    fragments.forget()


def _tickets(buyer, n):
    return [
        receive(buyer, text=f"Colis {i} en retard", node_code="delivery.delay").ticket
        for i in range(n)
    ]


def test_queue_rows_hold_what_the_template_filters_printed(desk, buyer, agent, supervisor):
    first, second, third = _tickets(buyer, 3)
    svc.ticket_assign(user=supervisor, ticket=first, assignee=agent)
    svc.ticket_tag(user=supervisor, ticket=first, add=["colis", "abime"])
    svc.ticket_change_status(user=supervisor, ticket=second, action="pend")
    Ticket.objects.filter(pk=third.pk).update(priority=4)
    later = T0 + dt.timedelta(hours=3, minutes=20)
    with translation.override("fr"), clock.frozen_at(later):
        page = selectors.queue_page(
            user=supervisor,
            who=Who.of(supervisor),
            queue="teams",
            filters=selectors.QueueFilters(),
        )
        rows = {row.number: row for row in page.items}
        assert set(rows) == {first.number, second.number, third.number}
        for ticket in Ticket.objects.filter(pk__in=[first.pk, second.pk, third.pk]):
            row = rows[ticket.number]
            local = timezone.localtime(ticket.last_message_at)
            assert row.url == reverse("console:ticket", args=[ticket.number])
            assert row.select_label == f"Sélectionner {ticket.number}"
            assert row.channel_label == "Formulaire web"
            assert row.language == "FR" and row.node_code == "delivery.delay"
            assert row.customer == "Léa Dubois"
            assert row.status_label == str(ticket.get_status_display())
            assert row.updated_iso == local.isoformat()
            assert row.updated_title == localize(local)
            assert row.updated_label == f"il y a {timesince_filter(ticket.last_message_at, later)}"
            if ticket.sla_state == "paused":
                assert row.sla_label == "En pause"
            elif ticket.sla_due_at is not None:
                assert row.sla_label == timeuntil_filter(ticket.sla_due_at, later)
                assert row.sla_due_title == localize(timezone.localtime(ticket.sla_due_at))
    assert rows[first.number].tags == ("abime", "colis")
    assert rows[first.number].assignee == agent.display_name
    assert rows[second.number].status == "pending" and rows[second.number].sla_label == "En pause"
    assert rows[third.number].priority_label == "Urgente"
    assert rows[first.number].priority_label == ""
    assert rows[first.number].updated_label == "il y a 3\xa0heures, 20\xa0minutes"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Léa",
        "x" * 28,
        "x" * 29,
        "Jean-Baptiste de La Fontaine-Dupont",
        "Le\u0301a",
        "e\u0301" * 30,
    ],
)
def test_customer_names_are_cut_like_truncatechars(text):
    assert _truncated(text, 28) == Truncator(text).chars(28)
    assert _truncated(text, 28) == unicodedata.normalize("NFC", _truncated(text, 28))


def _fields(query, language):
    request = RequestFactory().get("/console/", query)
    with translation.override(language):
        return str(_filter_fields(request))


def test_filter_fields_are_kept_per_language_and_values_and_dropped_on_taxonomy_edits(desk):
    french = _fields({}, "fr")
    english = _fields({}, "en")
    assert '<label for="id_channel">Canal\xa0:</label>' in french
    assert '<label for="id_channel">Channel:</label>' in english
    assert '<option value="email" selected>' not in french
    assert '<option value="email" selected>' in _fields({"channel": "email"}, "fr")
    assert 'value="colis"' in _fields({"tag": "colis"}, "fr")
    assert "— Retard de livraison" in french

    Node.objects.filter(code="delivery.delay").update(label_fr="Colis en retard")
    assert "— Retard de livraison" in _fields({}, "fr")  # kept: the same language and values
    run_taxonomy_changed_hooks(
        TaxonomyChange(action="update", codes=("delivery.delay",), fields=("label_fr",))
    )
    refreshed = _fields({}, "fr")
    assert "— Colis en retard" in refreshed and "Retard de livraison" not in refreshed


def test_queue_counts_by_compiled_sql_match_the_tickets_for_every_kind_of_viewer(
    desk, buyer, agent, supervisor
):
    two_teams = make_agent(email="deux@example.org", teams=("delivery-delay", "payments"))
    no_team = make_agent(email="seul@example.org")
    tickets = _tickets(buyer, 5)
    viewers = [agent, two_teams, no_team, supervisor]

    def check():
        for user in viewers:
            who = selectors.console_viewer(user).who
            counts = selectors.queue_counts(who)
            for code in QUEUES:
                expected = ticket_scope(user).filter(ticket_predicate(code, who)).count()
                assert counts[code] == expected, (user.email, code)

    check()
    svc.ticket_assign(user=supervisor, ticket=tickets[0], assignee=agent)
    svc.ticket_assign(user=supervisor, ticket=tickets[1], assignee=two_teams)
    svc.ticket_change_status(user=supervisor, ticket=tickets[2], action="pend")
    check()


def test_console_viewer_reads_teams_and_presence_in_one_query(
    desk, agent, supervisor, django_assert_num_queries
):
    with django_assert_num_queries(1):
        viewer = selectors.console_viewer(agent)
    assert viewer.who == Who.of(agent)
    assert viewer.who.team_ids and viewer.presence == Presence.ONLINE
    AgentPresence.objects.filter(user=agent).update(status=Presence.AWAY)
    assert selectors.console_viewer(agent).presence == Presence.AWAY
    # No presence row and no team: offline, no teams.
    assert selectors.console_viewer(supervisor) == selectors.Viewer(
        who=Who(user_id=supervisor.pk, team_ids=(), supervisor=True), presence=Presence.OFFLINE
    )


@pytest.mark.parametrize(
    ("language", "button", "none"),
    [
        ("fr", "Joindre des fichiers", "Aucun fichier choisi"),
        ("en", "Attach files", "No file chosen"),
    ],
)
def test_reply_file_input_is_a_console_button_in_both_languages(
    client, desk, buyer, agent, language, button, none
):
    ticket = _tickets(buyer, 1)[0]
    agent.language = language
    agent.save(update_fields=["language"])
    assert client.login(username=agent.email, password=DEFAULT_PASSWORD)
    page = client.get(reverse("console:ticket", args=[ticket.number])).content.decode()
    assert 'class="cs-file-input" multiple' in page
    assert 'class="button button-secondary button-small cs-file-button">' in page
    assert f"</svg>{button}</label>" in page
    assert (
        f'data-file-names data-many="{{count}} {"fichiers" if language == "fr" else "files"}">{none}</span>'
        in page
    )


@pytest.mark.parametrize("who", ["agent", "supervisor"])
def test_first_queue_pages_by_compiled_sql_are_the_orm_pages(desk, buyer, agent, supervisor, who):
    from django.core import signing

    viewer = agent if who == "agent" else supervisor
    tickets = _tickets(buyer, 7)
    for i, ticket in enumerate(tickets):
        svc.ticket_assign(user=supervisor, ticket=ticket, assignee=agent if i % 2 else None)
        svc.ticket_tag(user=supervisor, ticket=ticket, add=["colis"] if i % 3 else ["autre"])
    svc.ticket_change_status(user=supervisor, ticket=tickets[0], action="pend")
    combos = [
        selectors.QueueFilters(),
        selectors.QueueFilters(channel="web", language="fr"),
        selectors.QueueFilters(status="open"),
        selectors.QueueFilters(node="delivery"),
        selectors.QueueFilters(tag="colis"),
        selectors.QueueFilters(q=tickets[3].number.lower()),
    ]
    who_ = selectors.console_viewer(viewer).who
    for limit in (3, 25):
        for code in QUEUES:
            for filters in combos:
                for _ in range(2):  # the compiling call, then the compiled one
                    fast = selectors._first_page_by_due(
                        user=viewer, who=who_, queue=code, filters=filters, limit=limit
                    )
                    slow = selectors._page_by_due(
                        selectors._filtered(
                            ticket_scope(viewer).filter(ticket_predicate(code, who_)), filters
                        ).values(*selectors.ROW_FIELDS),
                        None,
                        limit,
                    )
                    assert fast.items == slow.items, (code, filters, limit)
                    assert (fast.next_cursor is None) == (slow.next_cursor is None)
                    if fast.next_cursor:
                        assert signing.loads(fast.next_cursor, salt=selectors._SALT) == (
                            signing.loads(slow.next_cursor, salt=selectors._SALT)
                        )
    # Not vacuous: the viewer's teams queue lists these tickets.
    teams = selectors.queue_page(
        user=viewer, who=who_, queue="teams", filters=selectors.QueueFilters()
    )
    assert len(teams.items) == 7
