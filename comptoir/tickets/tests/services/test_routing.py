"""route_pick_agent: the ranking (skill, then language, then load, then id), caps, presence,
agents without a profile, the exclusion list — and one query whatever the team's size."""

from __future__ import annotations

import pytest

from comptoir.accounts.models import Skill, Team
from comptoir.testing.factories import StaffFactory
from comptoir.tickets.enums import Presence
from comptoir.tickets.models import AgentPresence, Ticket
from comptoir.tickets.services.routing import route_pick_agent
from comptoir.tickets.tests.conftest import make_agent, receive

pytestmark = pytest.mark.django_db

TEAM = ("delivery-delay",)


def pick(language="fr", exclude=None):
    team = Team.objects.get(code="delivery-delay")
    skill = Skill.objects.get(code="delivery-delay")
    return route_pick_agent(team=team, skill_id=skill.pk, language=language, exclude=exclude)


def load(user, n, buyer):
    for _ in range(n):
        ticket = receive(buyer).ticket
        Ticket.objects.filter(pk=ticket.pk).update(assignee=user)


def test_skill_beats_language_which_beats_load(buyer, django_assert_num_queries):
    skilled_en = make_agent(email="a@example.org", teams=TEAM, skills=TEAM, languages=("en",))
    unskilled_fr = make_agent(email="b@example.org", teams=TEAM, languages=("fr",))
    assert pick("fr") == skilled_en  # the skill first, even in the wrong language
    skilled_fr = make_agent(email="c@example.org", teams=TEAM, skills=TEAM, languages=("fr",))
    load(skilled_fr, 3, buyer)
    assert pick("fr") == skilled_fr  # then the language, even with more load
    assert pick("en") == skilled_en
    load(skilled_en, 5, buyer)
    assert pick("de") == skilled_fr  # neither speaks it: the lower load
    assert pick("fr", exclude={skilled_fr.pk, skilled_en.pk}) == unskilled_fr
    team = Team.objects.get(code="delivery-delay")
    skill = Skill.objects.get(code="delivery-delay")
    with django_assert_num_queries(1):
        assert route_pick_agent(team=team, skill_id=skill.pk, language="fr") == skilled_fr


def test_ties_go_to_the_oldest_account_and_caps_and_presence_count(buyer):
    first = make_agent(email="first@example.org", teams=TEAM, skills=TEAM, cap=3)
    second = make_agent(email="second@example.org", teams=TEAM, skills=TEAM, cap=2)
    assert pick() == first  # same skill, language and load: the lower id
    load(first, 1, buyer)
    assert pick() == second
    load(second, 2, buyer)  # at its cap
    assert pick() == first
    load(first, 2, buyer)  # at its cap too
    assert pick() is None
    Ticket.objects.filter(assignee=first).update(status="solved")  # solved: no longer load
    assert pick() == first
    AgentPresence.objects.filter(user=first).update(status=Presence.AWAY)
    assert pick() is None


def test_an_agent_without_a_profile_has_no_skill_no_language_and_a_cap_of_25(buyer, desk):
    bare = StaffFactory(email="bare@example.org")
    Team.objects.get(code="delivery-delay").members.add(bare)
    AgentPresence.objects.create(user=bare, status=Presence.ONLINE)
    assert pick() == bare
    load(bare, 25, buyer)
    assert pick() is None
    other_team = make_agent(email="other@example.org", teams=("item-damaged",))
    assert pick() is None and other_team is not None
