"""The "taxonomy" seeder: teams, skills and the contact tree of PRODUCT.md §5.

Idempotent: rows are found by natural key (team and skill code, node code) and created only when
missing; existing rows are never changed, so a supervisor's edits (labels, settings, a retired
node) survive every later run. Other seeders that need teams declare ``after=("taxonomy",)``."""

from __future__ import annotations

from comptoir.accounts.models import Skill, Team
from comptoir.core.seeders import register_seeder

from .fixture import TaxonomyFixture, load_fixture
from .models import Node

SEEDER_NAME = "taxonomy"


def taxonomy_seed(*, fixture: TaxonomyFixture | None = None) -> dict[str, int]:
    """Create what is missing; returns how many teams, skills and nodes were created."""
    data = fixture if fixture is not None else load_fixture()
    created = {"teams": 0, "skills": 0, "nodes": 0}

    teams = {team.code: team for team in Team.objects.all()}
    for row in data["teams"]:
        if row["code"] not in teams:
            teams[row["code"]] = Team.objects.create(
                code=row["code"], name_fr=row["name_fr"], name_en=row["name_en"]
            )
            created["teams"] += 1

    skills = {skill.code: skill for skill in Skill.objects.all()}
    for skill_row in data["skills"]:
        if skill_row["code"] not in skills:
            skills[skill_row["code"]] = Skill.objects.create(
                code=skill_row["code"],
                label_fr=skill_row["label_fr"],
                label_en=skill_row["label_en"],
            )
            created["skills"] += 1

    # A node added by a later fixture under a node a supervisor retired is born retired.
    nodes = {
        code: (pk, retired)
        for code, pk, retired in Node.objects.values_list("code", "pk", "retired_at")
    }
    for level in (1, 2, 3):
        missing = [
            Node(
                code=n["code"],
                parent_id=nodes[n["parent"]][0] if n["parent"] else None,
                retired_at=nodes[n["parent"]][1] if n["parent"] else None,
                level=n["level"],
                position=n["position"],
                label_fr=n["label_fr"],
                label_en=n["label_en"],
                team=teams[n["team"]] if "team" in n else None,
                skill=skills[n["skill"]] if "skill" in n else None,
                needs_order=n.get("needs_order"),
                usual_resolution=n.get("usual_resolution"),
                restricted=n.get("restricted", False),
            )
            for n in data["nodes"]
            if n["level"] == level and n["code"] not in nodes
        ]
        Node.objects.bulk_create(missing)
        created["nodes"] += len(missing)
        if missing:
            nodes = {
                code: (pk, retired)
                for code, pk, retired in Node.objects.values_list("code", "pk", "retired_at")
            }
    return created


@register_seeder(SEEDER_NAME, version=1)
def seed_taxonomy() -> None:
    taxonomy_seed()
