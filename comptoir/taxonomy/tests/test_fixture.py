"""The shipped fixture is the tree of PRODUCT.md §5, and its codes follow the code rule."""

from __future__ import annotations

from collections import Counter

import pytest

from comptoir.taxonomy.codes import CODE_RE, child_code, skill_code_for, slugify_label
from comptoir.taxonomy.constants import TEAM_CODES, TEAM_DISPUTES, TEAM_REPORT_SELLER
from comptoir.taxonomy.enums import Resolution
from comptoir.taxonomy.fixture import load_fixture

NODES = load_fixture()["nodes"]
BY_CODE = {n["code"]: n for n in NODES}
SETTINGS = {"team", "skill", "needs_order", "usual_resolution", "restricted"}

CATEGORIES = ["delivery", "item", "returns", "payment", "account", "technical"]


def level(n: int) -> list[dict]:
    return [node for node in NODES if node["level"] == n]


@pytest.mark.parametrize(
    ("label", "slug"),
    [
        ("Tracking not updated", "tracking_not_updated"),
        ("Marked delivered but not received", "marked_delivered_but_not_received"),
        ("3-D Secure failed", "3_d_secure_failed"),
        ("Material, size, colour", "material_size_colour"),
        ("Contest a decision (appeal)", "contest_a_decision_appeal"),
        ("  Change e-mail or phone ", "change_e_mail_or_phone"),
        ("Colis endommagé — état inconnu !", "colis_endommage_etat_inconnu"),
    ],
)
def test_slug_rule(label, slug):
    assert slugify_label(label) == slug


def test_six_categories_in_menu_order():
    assert [n["code"] for n in sorted(level(1), key=lambda n: n["position"])] == CATEGORIES


def test_second_level_nodes_of_the_spec():
    # PRODUCT.md §5 lists 6 + 5 + 4 + 4 + 4 + 4 = 27 sub-categories.
    per_category = Counter(n["parent"] for n in level(2))
    assert per_category == {
        "delivery": 6,
        "item": 5,
        "returns": 4,
        "payment": 4,
        "account": 4,
        "technical": 4,
    }
    assert len(level(2)) == 27
    assert len(level(3)) == 70
    assert len(NODES) == 6 + 27 + 70


def test_codes_are_unique_and_well_formed():
    codes = [n["code"] for n in NODES]
    assert len(codes) == len(set(codes))
    assert all(CODE_RE.match(code) for code in codes)
    assert all(code.count(".") == BY_CODE[code]["level"] - 1 for code in codes)


def test_every_third_level_code_is_the_slug_of_its_english_label():
    for node in level(3):
        assert node["code"] == child_code(node["parent"], node["label_en"]), node["code"]


def test_examples_from_the_spec_exist():
    for code in (
        "delivery.delay.tracking_not_updated",
        "delivery.delay.past_estimated_date",
        "delivery.not_received.marked_delivered_but_not_received",
    ):
        assert code in BY_CODE


def test_parents_come_first_and_levels_match():
    seen: set[str] = set()
    for node in NODES:
        if node["parent"] is None:
            assert node["level"] == 1
        else:
            assert node["parent"] in seen
            assert BY_CODE[node["parent"]]["level"] == node["level"] - 1
            assert node["code"].startswith(node["parent"] + ".")
        seen.add(node["code"])


def test_positions_are_one_to_n_among_siblings():
    siblings: dict[str | None, list[int]] = {}
    for node in NODES:
        siblings.setdefault(node["parent"], []).append(node["position"])
    for positions in siblings.values():
        assert sorted(positions) == list(range(1, len(positions) + 1))


def test_labels_in_both_languages_distinct_among_siblings():
    siblings: dict[tuple[str | None, str], list[str]] = {}
    for node in NODES:
        assert node["label_fr"].strip() and node["label_en"].strip(), node["code"]
        for lang in ("fr", "en"):
            siblings.setdefault((node["parent"], lang), []).append(node[f"label_{lang}"])
    for labels in siblings.values():
        assert len(labels) == len(set(labels))


def test_settings_live_on_level_two():
    teams = {t["code"] for t in load_fixture()["teams"]}
    skills = {s["code"] for s in load_fixture()["skills"]}
    for node in level(1):
        assert not SETTINGS & set(node)
    for node in level(2):
        assert node["team"] in teams
        assert node["skill"] == skill_code_for(node["code"])
        assert isinstance(node["needs_order"], bool)
        assert node["usual_resolution"] in Resolution.values
    for node in level(3):
        overrides = set(node) - {"code", "parent", "level", "position", "label_fr", "label_en"}
        assert overrides <= SETTINGS - {"team", "skill"}, node["code"]
        if "usual_resolution" in node:
            assert node["usual_resolution"] in Resolution.values
    assert skills == {skill_code_for(n["code"]) for n in level(2)}


def test_teams():
    fixture_teams = [t["code"] for t in load_fixture()["teams"]]
    assert tuple(fixture_teams) == TEAM_CODES
    assert len(TEAM_CODES) == len(set(TEAM_CODES)) == 26
    owners = {n["code"]: n["team"] for n in level(2)}
    assert owners["technical.report"] == TEAM_REPORT_SELLER
    assert owners["returns.dispute"] == owners["returns.decision"] == TEAM_DISPUTES
    for code, team in owners.items():
        if code not in {"technical.report", "returns.dispute", "returns.decision"}:
            assert team == skill_code_for(code)
    assert set(owners.values()) == set(TEAM_CODES)  # every team owns a node


def test_needs_order_and_usual_resolution_choices():
    sub = {n["code"]: n for n in level(2)}
    for code, node in sub.items():
        if code.split(".")[0] in {"delivery", "item", "returns"}:
            assert node["needs_order"] is True, code
        if code.startswith("account."):
            assert node["needs_order"] is False, code
        if code.startswith("item."):
            assert node["usual_resolution"] == Resolution.DISPUTE, code
    for code in ("payment.charged", "payment.verification"):
        assert sub[code]["needs_order"] is True
    for code in ("technical.bug", "technical.report", "technical.reviews", "payment.methods"):
        assert sub[code]["needs_order"] is False
    assert sub["delivery.not_received"]["usual_resolution"] == Resolution.DISPUTE
    assert sub["delivery.delay"]["usual_resolution"] == Resolution.BOT
    assert sub["account.blocked"]["usual_resolution"] == Resolution.AGENT
    assert sub["technical.report"]["usual_resolution"] == Resolution.AGENT
    assert sub["payment.methods"]["usual_resolution"] == Resolution.ARTICLE
    assert not any(n.get("restricted") for n in NODES)
