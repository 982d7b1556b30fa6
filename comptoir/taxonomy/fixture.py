"""The shipped taxonomy fixture (``fixtures/taxonomy.json``): teams, skills and the nodes of
PRODUCT.md §5. Its own format, read by the "taxonomy" seeder and checked by the tests:

- ``teams``: ``{code, name_fr, name_en}``; ``skills``: ``{code, label_fr, label_en}``;
- ``nodes``: ``{code, parent, level, position, label_fr, label_en}`` plus, on level 2,
  ``team``, ``skill``, ``needs_order``, ``usual_resolution``, and on level 3 only the settings
  it overrides. Parents come before their children."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import NotRequired, TypedDict

FIXTURE_PATH = Path(__file__).resolve().parent / "fixtures" / "taxonomy.json"


class TeamRow(TypedDict):
    code: str
    name_fr: str
    name_en: str


class SkillRow(TypedDict):
    code: str
    label_fr: str
    label_en: str


class NodeRow(TypedDict):
    code: str
    parent: str | None
    level: int
    position: int
    label_fr: str
    label_en: str
    team: NotRequired[str]
    skill: NotRequired[str]
    needs_order: NotRequired[bool]
    usual_resolution: NotRequired[str]
    restricted: NotRequired[bool]


class TaxonomyFixture(TypedDict):
    teams: list[TeamRow]
    skills: list[SkillRow]
    nodes: list[NodeRow]


@cache
def load_fixture() -> TaxonomyFixture:
    with FIXTURE_PATH.open(encoding="utf-8") as handle:
        data: TaxonomyFixture = json.load(handle)
    return data
