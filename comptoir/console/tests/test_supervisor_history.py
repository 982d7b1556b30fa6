"""Every supervisor edit leaves one history row (who, what, before → after) in the same
transaction, and the history page lists them newest first, filtered, paginated, supervisors only."""

import datetime as dt

import pytest
from django.urls import reverse

from comptoir.accounts.models import Skill, Team
from comptoir.console.models import SupervisorEdit
from comptoir.console.services import supervisor as sv
from comptoir.core.errors import PermissionDenied
from comptoir.testing.factories import DEFAULT_PASSWORD
from comptoir.tickets.models import BusinessCalendar, SlaPolicy

Kind = SupervisorEdit.Kind


def _login(client, user):
    assert client.login(username=user.email, password=DEFAULT_PASSWORD)


def test_each_edit_is_recorded_with_its_values_before_and_after(desk, supervisor, agent):
    team = Team.objects.order_by("code").first()
    skill = Skill.objects.order_by("code").first()
    sv.agent_update(
        user=supervisor, agent=agent, teams=[team], languages=["en"], skills=[skill],
        max_open_tickets=12,
    )  # fmt: skip
    edit = SupervisorEdit.objects.get(kind=Kind.AGENT)
    assert edit.actor == supervisor and edit.target == agent.email and not edit.created
    assert edit.changes["languages"] == ["en, fr", "en"]
    assert edit.changes["max_open_tickets"] == ["25", "12"]
    assert edit.changes["teams"][1] == team.code

    # The same values again: nothing changed, nothing recorded.
    sv.agent_update(
        user=supervisor, agent=agent, teams=[team], languages=["en"], skills=[skill],
        max_open_tickets=12,
    )  # fmt: skip
    assert SupervisorEdit.objects.filter(kind=Kind.AGENT).count() == 1

    policy = SlaPolicy.objects.filter(team__isnull=True, channel="").first()
    sv.sla_policy_save(
        user=supervisor, policy=policy, team=None, channel="", calendar=policy.calendar,
        first_response_minutes=90, next_response_minutes=policy.next_response_minutes,
        resolution_minutes=policy.resolution_minutes, warn_before_minutes=30,
    )  # fmt: skip
    edit = SupervisorEdit.objects.get(kind=Kind.SLA_POLICY)
    assert set(edit.changes) == {"first_response_minutes", "warn_before_minutes"}
    assert edit.changes["first_response_minutes"][1] == "90"

    calendar = BusinessCalendar.objects.get(code="paris")
    sv.holiday_add(user=supervisor, calendar=calendar, date=dt.date(2031, 12, 24), name="Réveillon")
    sv.holiday_remove(user=supervisor, calendar=calendar, date=dt.date(2031, 12, 24))
    sv.holiday_remove(user=supervisor, calendar=calendar, date=dt.date(2031, 12, 24))  # no-op
    added, removed = SupervisorEdit.objects.filter(kind=Kind.HOLIDAY).order_by("pk")
    assert added.created and added.changes == {"name": ["", "Réveillon"]}
    assert removed.target == "paris: 2031-12-24" and removed.changes == {"name": ["Réveillon", ""]}

    sv.macro_save(
        user=supervisor, macro=None, code="merci", title_fr="Merci", title_en="Thanks",
        body_fr="Merci {{ customer_name }}", body_en="Thanks", team=None, active=True,
    )  # fmt: skip
    assert SupervisorEdit.objects.get(kind=Kind.MACRO).created

    sv.team_member_set(user=supervisor, team=team, agent=agent, member=False)
    assert SupervisorEdit.objects.get(kind=Kind.TEAM).changes == {"member": ["yes", "no"]}


def test_a_refused_edit_records_nothing(desk, agent):
    with pytest.raises(PermissionDenied):
        sv.macro_save(
            user=agent, macro=None, code="x", title_fr="x", title_en="x", body_fr="x",
            body_en="x", team=None, active=True,
        )  # fmt: skip
    assert not SupervisorEdit.objects.exists()


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_history_page_lists_filters_and_pages(client, desk, supervisor, agent, language):
    calendar = BusinessCalendar.objects.get(code="paris")
    for day in range(1, 56):
        sv.holiday_add(
            user=supervisor, calendar=calendar, date=dt.date(2032, 1, 1) + dt.timedelta(days=day),
            name=f"Jour {day}",
        )  # fmt: skip
    sv.macro_save(
        user=supervisor, macro=None, code="merci", title_fr="Merci", title_en="Thanks",
        body_fr="Merci", body_en="Thanks", team=None, active=True,
    )  # fmt: skip
    supervisor.language = language  # the page speaks the supervisor's own language
    supervisor.save(update_fields=["language"])
    _login(client, supervisor)
    url = reverse("console:sup_history")
    page = client.get(url).content.decode()
    assert ("Historique des modifications" if language == "fr" else "Change history") in page
    assert "merci" in page  # newest first: the macro is on the first page
    assert "Jour 55" in page and "Jour 1<" not in page
    more = page.split("cursor=", 1)[1].split('"', 1)[0]
    older = client.get(f"{url}?cursor={more}").content.decode()
    assert "Jour 1<" in older and "merci" not in older

    only_macros = client.get(f"{url}?kind=macro").content.decode()
    assert "merci" in only_macros and "Jour 55" not in only_macros

    forged = client.get(f"{url}?cursor=forged")
    assert forged.status_code == 302

    client.logout()
    _login(client, agent)
    assert client.get(url).status_code == 404


def test_the_history_page_has_an_empty_state(client, desk, supervisor):
    _login(client, supervisor)
    page = client.get(reverse("console:sup_history")).content.decode()
    assert "Aucune modification enregistrée pour l'instant." in page
