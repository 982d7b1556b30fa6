from __future__ import annotations

import copy

from comptoir.accounts.models import Skill, Team
from comptoir.core.seeders import seeders
from comptoir.taxonomy.constants import TEAM_CODES
from comptoir.taxonomy.fixture import load_fixture
from comptoir.taxonomy.models import Node, NodeChange
from comptoir.taxonomy.seeders import SEEDER_NAME, taxonomy_seed
from comptoir.taxonomy.selectors import node_get
from comptoir.taxonomy.services import node_retire, node_update


def counts() -> tuple[int, int, int]:
    return Team.objects.count(), Skill.objects.count(), Node.objects.count()


def test_seeder_is_registered_for_other_seeders_to_follow():
    seeder = seeders.get(SEEDER_NAME)
    assert SEEDER_NAME == "taxonomy"
    assert seeder.version == 1
    assert seeder.after == ()


def test_first_run_creates_everything(db):
    assert taxonomy_seed() == {"teams": 26, "skills": 27, "nodes": 103}
    assert counts() == (26, 27, 103)
    assert sorted(Team.objects.values_list("code", flat=True)) == sorted(TEAM_CODES)
    node = node_get(code="delivery.delay.tracking_not_updated")
    assert (node.label_fr, node.label_en) == ("Suivi non mis à jour", "Tracking not updated")
    assert node.parent is not None and node.parent.code == "delivery.delay"
    assert node.team is None and node.needs_order is None  # inherited, not copied
    sub = node.parent
    assert sub.team is not None and sub.team.code == "delivery-delay"
    assert sub.skill is not None and sub.skill.code == "delivery-delay"
    assert Team.objects.get(code="disputes").name_fr == "Litiges"


def test_running_twice_changes_nothing(taxonomy):
    before = counts()
    assert taxonomy_seed() == {"teams": 0, "skills": 0, "nodes": 0}
    assert counts() == before
    assert seeders.get(SEEDER_NAME).fn() is None
    assert counts() == before


def test_seeder_keeps_supervisor_edits(taxonomy, supervisor):
    node = node_get(code="delivery.delay")
    node_update(node=node, actor=supervisor, label_fr="Colis en retard")
    team = Team.objects.get(code="delivery-missed")
    node_update(node=node_get(code="delivery.delay.past_estimated_date"), actor=None, team=team)
    node_retire(node=node_get(code="account.security"), actor=supervisor)
    Team.objects.filter(code="disputes").update(name_en="Disputes & appeals")

    taxonomy_seed()

    assert node_get(code="delivery.delay").label_fr == "Colis en retard"
    assert node_get(code="delivery.delay.past_estimated_date").team == team
    assert node_get(code="account.security").is_retired
    assert node_get(code="account.security.unusual_activity").is_retired
    assert Team.objects.get(code="disputes").name_en == "Disputes & appeals"
    assert counts() == (26, 27, 103)


def test_a_node_added_to_the_fixture_is_created_on_the_next_run(taxonomy):
    fixture = copy.deepcopy(load_fixture())
    fixture["nodes"].append(
        {
            "code": "delivery.delay.parcel_stuck_in_transit",
            "parent": "delivery.delay",
            "level": 3,
            "position": 4,
            "label_fr": "Colis bloqué en transit",
            "label_en": "Parcel stuck in transit",
        }
    )
    assert taxonomy_seed(fixture=fixture) == {"teams": 0, "skills": 0, "nodes": 1}
    assert node_get(code="delivery.delay.parcel_stuck_in_transit").parent.code == "delivery.delay"


def test_a_new_fixture_node_under_a_retired_node_is_born_retired(taxonomy):
    node_retire(node=node_get(code="delivery.delay"), actor=None)
    changes = NodeChange.objects.count()
    fixture = copy.deepcopy(load_fixture())
    fixture["nodes"].append(
        {
            "code": "delivery.delay.parcel_stuck_in_transit",
            "parent": "delivery.delay",
            "level": 3,
            "position": 4,
            "label_fr": "Colis bloqué en transit",
            "label_en": "Parcel stuck in transit",
        }
    )
    taxonomy_seed(fixture=fixture)
    assert node_get(code="delivery.delay.parcel_stuck_in_transit").is_retired
    assert NodeChange.objects.count() == changes  # seeding is not an edit
