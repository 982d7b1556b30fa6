"""Console pages: access, queues (constant queries, keyset pages, filters), the ticket view and
its actions, collision, bulk actions, merge, supervisor pages."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comptoir.console.services.counters import counters_drift
from comptoir.testing.factories import DEFAULT_PASSWORD, UserFactory
from comptoir.tickets import services as svc
from comptoir.tickets.models import Macro, Message, Ticket

from .conftest import make_agent, receive


def login(client, user):
    assert client.login(username=user.email, password=DEFAULT_PASSWORD)
    return client


@pytest.fixture
def restricted(desk, buyer):
    from comptoir.tickets.seeders import _restricted_nodes

    _restricted_nodes()
    return receive(buyer, text="Quelqu'un a piraté mon compte", node_code="account.security").ticket


@pytest.fixture
def plain(desk, buyer):
    return receive(buyer, text="Mon colis est en retard", node_code="delivery.delay").ticket


# --- access ------------------------------------------------------------------------------------


def test_customers_never_reach_the_console(client, buyer, plain):
    login(client, buyer)
    for url in [
        reverse("console:home"),
        reverse("console:queue", args=["unassigned"]),
        reverse("console:ticket", args=[plain.number]),
        reverse("console:sup_overview"),
        reverse("console:counts"),
    ]:
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            reverse("console:reply", args=[plain.number]), {"text": "x", "last_seen": 0}
        ).status_code
        == 404
    )
    assert not Message.objects.filter(ticket=plain, direction="out").exists()


def test_anonymous_is_sent_to_login(client, desk):
    response = client.get(reverse("console:home"))
    assert response.status_code == 302 and "/accounts/login" in response["Location"]


def test_agent_outside_the_owning_team_cannot_open_a_restricted_ticket(
    client, agent, restricted, plain
):
    assert restricted.restricted is True
    login(client, agent)
    assert client.get(reverse("console:ticket", args=[restricted.number])).status_code == 404
    assert client.get(reverse("console:ticket", args=[plain.number])).status_code == 200
    response = client.post(reverse("console:note", args=[restricted.number]), {"text": "psst"})
    assert response.status_code == 404
    assert not Message.objects.filter(ticket=restricted, kind="note").exists()


def test_owning_team_and_supervisors_open_the_restricted_ticket(client, restricted, supervisor):
    member = make_agent(email="secu@example.org", teams=(restricted.team.code,))
    login(client, member)
    assert client.get(reverse("console:ticket", args=[restricted.number])).status_code == 200
    client.logout()
    login(client, supervisor)
    assert client.get(reverse("console:ticket", args=[restricted.number])).status_code == 200


def test_supervisor_pages_are_for_supervisors_only(client, agent, supervisor):
    login(client, agent)
    assert client.get(reverse("console:sup_overview")).status_code == 404
    client.logout()
    login(client, supervisor)
    for name in ("sup_overview", "sup_agents", "sup_sla", "sup_calendars", "sup_macros"):
        assert client.get(reverse(f"console:{name}")).status_code == 200, name


# --- queues ------------------------------------------------------------------------------------


def _make(buyer, n, start=0):
    return [
        receive(buyer, text=f"Colis {start + i} en retard", node_code="delivery.delay").ticket
        for i in range(n)
    ]


def test_queue_query_count_is_constant(client, desk, buyer, supervisor):
    login(client, supervisor)
    url = reverse("console:queue", args=["teams"])
    _make(buyer, 3)
    tag_all = Ticket.objects.all()
    for t in tag_all:
        svc.ticket_tag(user=supervisor, ticket=t, add=["urgent", "colis"])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _make(buyer, 20, start=10)
    for t in Ticket.objects.exclude(pk__in=[t.pk for t in tag_all]):
        svc.ticket_tag(user=supervisor, ticket=t, add=["retard"])
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("data-row ") == 23
    assert len(many.captured_queries) == len(few.captured_queries)


def test_queues_count_from_counters_and_list_by_sla_due_with_keyset_pages(
    client, desk, buyer, supervisor
):
    tickets = _make(buyer, 30)
    for t in tickets[:5]:
        svc.ticket_change_status(user=supervisor, ticket=t, action="pend")
    login(client, supervisor)
    page1 = client.get(reverse("console:queue", args=["teams"]))
    html = page1.content.decode()
    assert 'data-count="teams">30<' in html
    assert 'data-count="pending">5<' in html
    numbers1 = re.findall(r'name="tickets" value="(T-\d+)"', html)
    assert len(numbers1) == 25
    cursor = re.search(r'cursor=([^"&]+)"', html).group(1)
    page2 = client.get(reverse("console:queue", args=["teams"]) + "?cursor=" + cursor)
    numbers2 = re.findall(r'name="tickets" value="(T-\d+)"', page2.content.decode())
    assert len(numbers2) == 5 and not set(numbers1) & set(numbers2)
    ordered = list(Ticket.objects.filter(number__in=numbers1 + numbers2))
    dues = {t.number: t.sla_due_at for t in ordered}
    seq = [dues[n] for n in numbers1 + numbers2]
    running = [d for d in seq if d is not None]
    assert running == sorted(running)
    assert seq[-5:] == [None] * 5  # paused (pending) tickets last
    # A forged cursor is a 404, not a crash.
    assert client.get(reverse("console:queue", args=["teams"]) + "?cursor=nope").status_code == 404


def test_queue_filters(client, desk, buyer, other_buyer, supervisor):
    a = receive(buyer, text="Colis en retard", node_code="delivery.delay").ticket
    b = receive(
        other_buyer, text="My parcel is late", node_code="delivery.delay", language_hint="en"
    ).ticket
    svc.ticket_tag(user=supervisor, ticket=b, add=["vip"])
    login(client, supervisor)
    url = reverse("console:queue", args=["teams"])
    html = client.get(url + "?tag=vip").content.decode()
    assert b.number in html and a.number not in html
    html = client.get(url + f"?language={b.language}&channel=web").content.decode()
    assert b.number in html
    html = client.get(url + "?node=delivery").content.decode()
    assert a.number in html and b.number in html
    html = client.get(url + "?sla_state=breached").content.decode()
    assert a.number not in html


def test_bulk_assign_confirms_then_summarises(client, desk, buyer, supervisor, agent):
    tickets = _make(buyer, 3)
    solved = tickets[2]
    svc.ticket_change_status(user=supervisor, ticket=solved, action="solve")
    login(client, supervisor)
    data = {"tickets": [t.number for t in tickets], "action": "status", "value_status": "pend"}
    confirm = client.post(reverse("console:bulk"), data)
    assert confirm.status_code == 200 and "data-bulk-confirm" in confirm.content.decode()
    assert Ticket.objects.filter(status="pending").count() == 0  # nothing yet
    result = client.post(
        reverse("console:bulk"),
        {
            "tickets": [t.number for t in tickets],
            "action": "status",
            "value": "pend",
            "confirm": "1",
        },
    )
    html = result.content.decode()
    assert "data-bulk-result" in html
    assert Ticket.objects.filter(status="pending").count() == 2
    assert solved.number in html.split("Refus")[-1] or "refus" in html.lower()
    assigned = client.post(
        reverse("console:bulk"),
        {
            "tickets": [tickets[0].number],
            "action": "assign",
            "value": agent.public_id,
            "confirm": "1",
        },
    )
    assert assigned.status_code == 200
    assert Ticket.objects.get(pk=tickets[0].pk).assignee_id == agent.pk
    assert counters_drift() == {}


# --- the ticket view ---------------------------------------------------------------------------


def test_ticket_view_shows_conversation_notes_timeline_and_sla(
    client, desk, buyer, agent, supervisor
):
    from .conftest import make_order

    order = make_order(buyer)
    first = receive(buyer, text="Ancienne demande", node_code="delivery.delay").ticket
    ticket = receive(
        buyer, text=f"Mon colis {order.number} n'arrive pas", node_code="delivery.delay"
    ).ticket
    svc.ticket_note(user=supervisor, ticket=ticket, text="Vérifier le transporteur")
    login(client, agent)
    html = client.get(reverse("console:ticket", args=[ticket.number])).content.decode()
    assert "Vérifier le transporteur" in html and "cs-msg-note" in html
    assert first.number in html  # earlier ticket in the customer's story
    assert order.number[:4] in html  # the order in the story
    assert "First response" in html or "Première réponse" in html


def test_reply_macro_solve_and_collision(client, desk, buyer, agent, supervisor, plain):
    login(client, agent)
    url = reverse("console:ticket", args=[plain.number])
    html = client.get(url).content.decode()
    last_seen = int(re.search(r'name="last_seen" value="(\d+)"', html).group(1))
    macro = Macro.objects.create(
        code="hello",
        title_fr="Bonjour",
        title_en="Hello",
        body_fr="Bonjour {{ customer_name }}, {{ ticket_number }}",
        body_en="Hi",
    )
    preview = client.get(reverse("console:macro_preview", args=[plain.number]) + "?macro=hello")
    assert f"Bonjour Léa Dubois, {plain.number}" in preview.content.decode()
    # Someone else replies meanwhile: the agent's send is refused, their text kept.
    svc.ticket_reply(user=supervisor, ticket=plain, text="Je m'en occupe")
    refused = client.post(
        reverse("console:reply", args=[plain.number]), {"text": "Bonjour !", "last_seen": last_seen}
    )
    assert refused.status_code == 409
    body = refused.content.decode()
    assert "data-collision-warning" in body and "Bonjour !" in body
    assert Message.objects.filter(ticket=plain, body_text="Bonjour !").count() == 0
    # Confirmed: sent, and solved.
    sent = client.post(
        reverse("console:reply", args=[plain.number]),
        {"text": "Bonjour !", "last_seen": last_seen, "force": "on", "then": "solve"},
    )
    assert sent.status_code == 302
    plain.refresh_from_db()
    assert plain.status == "solved"
    assert Message.objects.filter(ticket=plain, body_text="Bonjour !", kind="public").count() == 1
    assert macro.pk


def test_note_assign_tags_order_and_status(client, desk, buyer, agent, plain):
    from .conftest import make_order

    order = make_order(buyer)
    login(client, agent)
    n = plain.number
    assert client.post(reverse("console:note", args=[n]), {"text": "interne"}).status_code == 302
    assert client.post(reverse("console:assign", args=[n]), {"assignee": "me"}).status_code == 302
    assert client.post(reverse("console:tags", args=[n]), {"add": "retard, vip"}).status_code == 302
    assert client.post(reverse("console:tags", args=[n]), {"remove": "vip"}).status_code == 302
    assert (
        client.post(reverse("console:link_order", args=[n]), {"order": order.number}).status_code
        == 302
    )
    assert client.post(reverse("console:status", args=[n]), {"action": "pend"}).status_code == 302
    plain.refresh_from_db()
    assert plain.assignee_id == agent.pk
    assert sorted(plain.tags.values_list("code", flat=True)) == ["retard"]
    assert plain.order_id == order.pk and plain.status == "pending"
    assert Message.objects.filter(ticket=plain, kind="note", body_text="interne").exists()
    # An illegal move is refused with a message, nothing changes.
    response = client.post(reverse("console:status", args=[n]), {"action": "close"}, follow=True)
    assert response.status_code == 200
    plain.refresh_from_db()
    assert plain.status == "pending"


def test_merge_search_preview_confirm(client, desk, buyer, agent):
    a = receive(buyer, text="Colis abîmé", node_code="delivery.delay").ticket
    b = receive(buyer, text="Toujours pas de nouvelles", node_code="delivery.delay").ticket
    login(client, agent)
    found = client.get(reverse("console:merge_search", args=[b.number]) + "?q=" + a.number)
    assert a.number in found.content.decode()
    preview = client.get(reverse("console:merge", args=[b.number]) + "?target=" + a.number)
    assert preview.status_code == 200 and "data-merge-confirm" in preview.content.decode()
    assert Ticket.objects.get(pk=b.pk).merged_into_id is None
    done = client.post(reverse("console:merge", args=[b.number]), {"target": a.number})
    assert done.status_code == 302 and done["Location"].endswith(f"/{a.number}/")
    assert Ticket.objects.get(pk=b.pk).merged_into_id == a.pk
    assert counters_drift() == {}


def test_merge_refuses_another_customers_ticket(client, desk, buyer, other_buyer, agent):
    a = receive(buyer, text="Colis", node_code="delivery.delay").ticket
    c = receive(other_buyer, text="Parcel", node_code="delivery.delay").ticket
    login(client, agent)
    assert (
        client.get(reverse("console:merge", args=[a.number]) + "?target=" + c.number).status_code
        == 404
    )
    assert (
        client.post(reverse("console:merge", args=[a.number]), {"target": c.number}).status_code
        == 404
    )
    assert Ticket.objects.get(pk=a.pk).merged_into_id is None


# --- supervisor --------------------------------------------------------------------------------


def test_supervisor_edits_agent_sla_calendar_holiday_macro(client, desk, supervisor, agent):
    from comptoir.accounts.models import Skill, Team
    from comptoir.tickets.models import BusinessCalendar, Holiday, SlaPolicy

    login(client, supervisor)
    team = Team.objects.order_by("code").first()
    skill = Skill.objects.order_by("code").first()
    r = client.post(
        reverse("console:sup_agent", args=[agent.public_id]),
        {"teams": [team.pk], "languages": ["en"], "skills": [skill.pk], "max_open_tickets": 12},
    )
    assert r.status_code == 302
    agent.refresh_from_db()
    assert list(agent.teams.all()) == [team]
    assert agent.agent_profile.languages == ["en"] and agent.agent_profile.max_open_tickets == 12
    calendar = BusinessCalendar.objects.get(code="paris")
    policy = SlaPolicy.objects.filter(team__isnull=True, channel="").first()
    r = client.post(
        reverse("console:sup_sla_edit", args=[policy.pk]),
        {
            "team": "",
            "channel": "",
            "calendar": calendar.pk,
            "first_response_minutes": 90,
            "next_response_minutes": 120,
            "resolution_minutes": 600,
            "warn_before_minutes": 30,
        },
    )
    assert r.status_code == 302
    policy.refresh_from_db()
    assert policy.first_response_minutes == 90
    r = client.post(
        reverse("console:sup_holiday", args=["paris"]), {"date": "2031-12-24", "name": "Réveillon"}
    )
    assert Holiday.objects.filter(calendar=calendar, date="2031-12-24").exists()
    r = client.post(reverse("console:sup_holiday", args=["paris"]), {"remove": "2031-12-24"})
    assert not Holiday.objects.filter(calendar=calendar, date="2031-12-24").exists()
    r = client.post(
        reverse("console:sup_calendar_new"),
        {
            "code": "montreal",
            "name": "Montréal",
            "timezone": "America/Toronto",
            "hours": '{"0": [["08:00", "17:00"]]}',
        },
    )
    assert r.status_code == 302 and BusinessCalendar.objects.get(code="montreal").hours == {
        "0": [["08:00", "17:00"]]
    }
    r = client.post(
        reverse("console:sup_macro_new"),
        {
            "code": "merci",
            "title_fr": "Merci",
            "title_en": "Thanks",
            "body_fr": "Merci {{ customer_name }}",
            "body_en": "Thanks",
            "team": "",
            "active": "on",
        },
    )
    assert r.status_code == 302 and Macro.objects.get(code="merci").active


def test_agents_cannot_use_supervisor_services(desk, agent):
    from comptoir.console.services.supervisor import macro_save
    from comptoir.core.errors import PermissionDenied

    with pytest.raises(PermissionDenied):
        macro_save(
            user=agent,
            macro=None,
            code="x",
            title_fr="x",
            title_en="x",
            body_fr="x",
            body_en="x",
            team=None,
            active=True,
        )
    assert not Macro.objects.filter(code="x").exists()


def test_customer_fixture_is_not_staff(desk):
    assert not UserFactory(email="someone@example.org").is_staff_member
