from __future__ import annotations

import pytest

from comptoir.accounts.models import Skill, Team
from comptoir.core.errors import NotFound
from comptoir.taxonomy.selectors import (
    effective_settings,
    iter_nodes,
    leaf_choices,
    node_codes,
    node_get,
    node_tree,
    nodes_for_team,
    team_for_node,
)
from comptoir.taxonomy.services import node_retire, node_update


def find(tree, code):
    return next(view for view in iter_nodes(tree) if view.code == code)


def test_tree_in_one_query(taxonomy, django_assert_num_queries):
    with django_assert_num_queries(1):
        tree = node_tree(language="fr")
        # Reading the effective settings (teams, skills) costs nothing more.
        teams = {view.settings.team_code for view in iter_nodes(tree)}
        skills = {view.settings.skill_code for view in iter_nodes(tree)}
    assert len(teams) == 26 + 1  # every team, and None for the categories
    assert len(skills) == 27 + 1
    assert [view.code for view in tree] == [
        "delivery",
        "item",
        "returns",
        "payment",
        "account",
        "technical",
    ]
    assert sum(1 for _ in iter_nodes(tree)) == 103


def test_tree_labels_per_language(taxonomy):
    fr = node_tree(language="fr")
    en = node_tree(language="en")
    assert (fr[0].label, en[0].label) == ("Livraison", "Delivery")
    assert (fr[2].label, en[2].label) == ("Retours et remboursements", "Returns & refunds")
    assert [c.code for c in fr[0].children][:2] == ["delivery.delay", "delivery.not_received"]
    leaf_fr = find(fr, "delivery.not_received.marked_delivered_but_not_received")
    leaf_en = find(en, "delivery.not_received.marked_delivered_but_not_received")
    assert leaf_fr.label == "Indiqué comme livré mais non reçu"
    assert leaf_en.label == "Marked delivered but not received"
    assert (leaf_fr.level, leaf_fr.parent_code, leaf_fr.is_leaf) == (
        3,
        "delivery.not_received",
        True,
    )


def test_level_three_inherits_level_two_settings(taxonomy):
    tree = node_tree(language="en")
    sub = find(tree, "delivery.not_received")
    leaf = find(tree, "delivery.not_received.returned_to_sender")
    assert sub.settings.team_code == leaf.settings.team_code == "delivery-not-received"
    assert sub.settings.skill_code == leaf.settings.skill_code == "delivery-not-received"
    assert sub.settings.needs_order is leaf.settings.needs_order is True
    assert sub.settings.usual_resolution == leaf.settings.usual_resolution == "dispute"
    assert leaf.settings.inherited == {"team", "skill", "needs_order", "usual_resolution"}
    assert sub.settings.inherited == frozenset()
    category = find(tree, "delivery")
    assert category.settings.team is None and category.settings.usual_resolution is None


def test_level_three_overrides_win(taxonomy, supervisor):
    # The fixture overrides needs_order on "how to return" (a general question).
    leaf = node_get(code="returns.return.how_to_return")
    settings = effective_settings(leaf)
    assert settings.needs_order is False
    assert settings.usual_resolution == "article"  # inherited
    assert settings.inherited == {"team", "skill", "usual_resolution"}

    team = Team.objects.get(code="disputes")
    skill = Skill.objects.get(code="returns-dispute")
    node_update(node=leaf, actor=supervisor, team=team, skill=skill, usual_resolution="agent")
    settings = effective_settings(node_get(code="returns.return.how_to_return"))
    assert (settings.team_code, settings.skill_code, settings.usual_resolution) == (
        "disputes",
        "returns-dispute",
        "agent",
    )
    node_update(node=leaf, actor=supervisor, inherit=["team", "skill", "usual_resolution"])
    settings = effective_settings(node_get(code="returns.return.how_to_return"))
    assert (settings.team_code, settings.skill_code, settings.usual_resolution) == (
        "returns-return",
        "returns-return",
        "article",
    )


def test_level_two_change_reaches_its_children(taxonomy, supervisor):
    team = Team.objects.get(code="delivery-missed")
    node_update(node=node_get(code="delivery.customs"), actor=supervisor, team=team)
    assert team_for_node(code="delivery.customs.duties_and_taxes") == team


def test_node_get_loads_what_effective_settings_needs(taxonomy, django_assert_num_queries):
    with django_assert_num_queries(1):
        node = node_get(code="technical.report.fake_reviews_or_extortion")
        settings = effective_settings(node)
    assert settings.team_code == "report-seller"
    assert settings.usual_resolution == "agent"
    assert settings.needs_order is False


def test_node_get_not_found(taxonomy):
    with pytest.raises(NotFound) as caught:
        node_get(code="delivery.teleportation")
    assert caught.value.details == {"code": "delivery.teleportation"}


def test_team_for_node(taxonomy):
    assert team_for_node(code="technical.report.rude_or_harassing").code == "report-seller"
    assert team_for_node(code="returns.decision.escalate").code == "disputes"
    assert team_for_node(code="returns.dispute").code == "disputes"
    assert team_for_node(code="delivery") is None


def test_nodes_for_team(taxonomy, supervisor, django_assert_num_queries):
    disputes = Team.objects.get(code="disputes")
    with django_assert_num_queries(1):
        codes = [n.code for n in nodes_for_team(team=disputes)]
    assert codes == [
        "returns.dispute",
        "returns.dispute.modify_my_request",
        "returns.dispute.add_evidence",
        "returns.dispute.cancel",
        "returns.dispute.seller_refused",
        "returns.decision",
        "returns.decision.escalate",
        "returns.decision.contest_a_decision_appeal",
    ]
    # A concern given to another team moves with its override.
    node_update(node=node_get(code="returns.dispute.cancel"), actor=supervisor, team=disputes)
    missed = Team.objects.get(code="delivery-missed")
    node_update(node=node_get(code="delivery.missed.redelivery"), actor=supervisor, team=disputes)
    assert "delivery.missed.redelivery" in [n.code for n in nodes_for_team(team=disputes)]
    assert "delivery.missed.redelivery" not in [n.code for n in nodes_for_team(team=missed)]
    node_retire(node=node_get(code="returns.decision"), actor=supervisor)
    assert [n.code for n in nodes_for_team(team=disputes) if n.code.startswith("returns.dec")] == []
    assert len(nodes_for_team(team=disputes, include_retired=True)) == 9


def test_retired_nodes_are_never_offered(taxonomy, supervisor, django_assert_num_queries):
    node_retire(node=node_get(code="delivery.delay.tracking_not_updated"), actor=supervisor)
    node_retire(node=node_get(code="account.security"), actor=supervisor)

    tree = node_tree(language="fr")
    codes = {view.code for view in iter_nodes(tree)}
    assert "delivery.delay.tracking_not_updated" not in codes
    assert "delivery.delay.past_estimated_date" in codes
    assert not {c for c in codes if c.startswith("account.security")}
    assert len(codes) == 103 - 1 - 3

    offered = {code for _group, options in leaf_choices(language="fr") for code, _ in options}
    assert "delivery.delay.tracking_not_updated" not in offered
    assert "account.security.unusual_activity" not in offered
    assert "delivery.delay.tracking_not_updated" not in node_codes(level=3)
    assert "account.security" not in node_codes(level=2)
    assert len(node_codes(level=2)) == 26
    with pytest.raises(NotFound):
        node_get(code="account.security", include_retired=False)

    # The editor sees them, marked.
    everything = node_tree(language="fr", include_retired=True)
    assert find(everything, "account.security.unusual_activity").retired is True
    assert find(everything, "account.data").retired is False
    assert sum(1 for _ in iter_nodes(everything)) == 103


def test_restricted_nodes_hidden_on_request(taxonomy, supervisor):
    node_update(node=node_get(code="returns.decision"), actor=supervisor, restricted=True)
    customer = {
        view.code for view in iter_nodes(node_tree(language="en", include_restricted=False))
    }
    staff_tree = node_tree(language="en")
    assert "returns.decision" not in customer
    assert "returns.decision.escalate" not in customer
    assert "returns.dispute" in customer
    assert find(staff_tree, "returns.decision.escalate").settings.restricted is True
    assert find(staff_tree, "returns.dispute").settings.restricted is False
    offered = {code for _g, options in leaf_choices(language="en") for code, _ in options}
    assert "returns.decision.escalate" not in offered
    staff_offered = {
        code
        for _g, options in leaf_choices(language="en", include_restricted=True)
        for code, _ in options
    }
    assert "returns.decision.escalate" in staff_offered


def test_leaf_choices_in_one_query(taxonomy, django_assert_num_queries):
    with django_assert_num_queries(1):
        choices = leaf_choices(language="fr")
    assert [group for group, _ in choices] == [
        "Livraison",
        "Problème avec l'article reçu",
        "Retours et remboursements",
        "Paiement",
        "Compte",
        "Problèmes techniques et autres",
    ]
    delivery = dict(choices[0][1])
    assert delivery["delivery.delay.tracking_not_updated"] == (
        "Retard de livraison › Suivi non mis à jour"
    )
    assert sum(len(options) for _, options in choices) == 70
    en = dict(leaf_choices(language="en")[0][1])
    assert en["delivery.delay.tracking_not_updated"] == "Delivery delay › Tracking not updated"


def test_node_codes(taxonomy, django_assert_num_queries):
    with django_assert_num_queries(1):
        level_two = node_codes(level=2)
    assert len(level_two) == 27
    assert level_two[:3] == ["delivery.delay", "delivery.not_received", "delivery.customs"]
    assert level_two[-1] == "technical.reviews"
    assert len(node_codes()) == 103
