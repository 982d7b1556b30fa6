from __future__ import annotations

import datetime as dt

import pytest

from comptoir.accounts.models import Skill, Team
from comptoir.core import clock
from comptoir.core.errors import ApplicationError, Conflict, ValidationFailed
from comptoir.taxonomy.enums import NodeChangeAction
from comptoir.taxonomy.hooks import TaxonomyChange, taxonomy_changed_hooks
from comptoir.taxonomy.models import Node, NodeChange
from comptoir.taxonomy.selectors import effective_settings, node_get
from comptoir.taxonomy.services import node_create, node_retire, node_update

NOON = dt.datetime(2026, 3, 12, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def calls():
    """Records every TaxonomyChange the hooks receive."""
    received: list[TaxonomyChange] = []
    taxonomy_changed_hooks.register("tests.recorder", received.append)
    yield received
    taxonomy_changed_hooks.unregister("tests.recorder")


# --- node_create ---------------------------------------------------------------------------------


def test_create_concern_builds_code_from_english_label(
    taxonomy, supervisor, calls, django_capture_on_commit_callbacks
):
    parent = node_get(code="delivery.delay")
    with django_capture_on_commit_callbacks(execute=True):
        node = node_create(
            parent=parent,
            actor=supervisor,
            label_fr="Colis bloqué en transit",
            label_en="Parcel stuck — in transit!",
        )
    assert node.code == "delivery.delay.parcel_stuck_in_transit"
    assert (node.level, node.position) == (3, 4)
    assert (node.team, node.skill, node.needs_order, node.usual_resolution) == (
        None,
        None,
        None,
        None,
    )
    settings = effective_settings(node_get(code=node.code))
    assert (settings.team_code, settings.needs_order, settings.usual_resolution) == (
        "delivery-delay",
        True,
        "bot",
    )
    change = NodeChange.objects.get(node=node)
    assert change.action == NodeChangeAction.CREATE
    assert change.actor == supervisor
    assert change.changes["code"] == [None, "delivery.delay.parcel_stuck_in_transit"]
    assert change.changes["label_en"] == [None, "Parcel stuck — in transit!"]
    assert calls == [
        TaxonomyChange(action="create", codes=("delivery.delay.parcel_stuck_in_transit",))
    ]


def test_create_concern_with_overrides(taxonomy, supervisor):
    node = node_create(
        parent=node_get(code="payment.methods"),
        actor=supervisor,
        label_fr="Carte cadeau",
        label_en="Gift card",
        needs_order=True,
        usual_resolution="agent",
    )
    settings = effective_settings(node_get(code="payment.methods.gift_card"))
    assert node.code == "payment.methods.gift_card"
    assert (settings.needs_order, settings.usual_resolution, settings.team_code) == (
        True,
        "agent",
        "payment-methods",
    )


def test_duplicate_code_is_refused(taxonomy, supervisor, calls, django_capture_on_commit_callbacks):
    parent = node_get(code="delivery.delay")
    before = (Node.objects.count(), NodeChange.objects.count())
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Conflict) as caught:
        node_create(
            parent=parent,
            actor=supervisor,
            label_fr="Autre libellé",
            label_en="TRACKING  not-updated",  # same slug as an existing concern
        )
    assert caught.value.code == "taxonomy_code_taken"
    assert caught.value.http_status == 409
    assert caught.value.details["code"] == "delivery.delay.tracking_not_updated"
    assert "delivery.delay.tracking_not_updated" in caught.value.message
    assert (Node.objects.count(), NodeChange.objects.count()) == before
    assert calls == []


def test_a_retired_nodes_code_is_never_reused(taxonomy, supervisor):
    node_retire(node=node_get(code="item.empty.empty_box"), actor=supervisor)
    with pytest.raises(Conflict):
        node_create(
            parent=node_get(code="item.empty"),
            actor=supervisor,
            label_fr="Boîte vide",
            label_en="Empty box",
        )


@pytest.mark.parametrize(
    ("parent_code", "kwargs", "field"),
    [
        ("delivery.delay.tracking_not_updated", {}, "parent"),  # no fourth level
        ("delivery.delay", {"slug": "custom"}, "slug"),  # concerns follow the rule
        ("delivery.delay", {"label_en": "   "}, "label_en"),
        ("delivery.delay", {"label_fr": ""}, "label_fr"),
        ("delivery.delay", {"label_en": "!!!"}, "label_en"),  # nothing to slug
        ("delivery.delay", {"usual_resolution": "magic"}, "usual_resolution"),
        ("delivery", {}, "team"),  # a sub-category needs its settings
        (None, {"needs_order": True}, "needs_order"),  # categories carry none
        ("delivery", {"slug": "Not A Slug", "needs_order": True}, "slug"),
    ],
)
def test_create_refusals(taxonomy, supervisor, parent_code, kwargs, field):
    parent = node_get(code=parent_code) if parent_code else None
    args = {"label_fr": "Nouveau", "label_en": "Brand new"} | kwargs
    if field == "slug" and parent_code == "delivery":
        args |= {"team": Team.objects.first(), "usual_resolution": "agent"}
    before = Node.objects.count()
    with pytest.raises(ValidationFailed) as caught:
        node_create(parent=parent, actor=supervisor, **args)
    assert field in caught.value.details["fields"]
    assert caught.value.http_status == 422
    assert Node.objects.count() == before


def test_nothing_is_added_under_a_retired_node(taxonomy, supervisor):
    node_retire(node=node_get(code="item.empty"), actor=supervisor)
    with pytest.raises(ValidationFailed) as caught:
        node_create(
            parent=node_get(code="item.empty"),
            actor=supervisor,
            label_fr="Moitié vide",
            label_en="Half empty",
        )
    assert "parent" in caught.value.details["fields"]


def test_create_sub_category_and_category(taxonomy, supervisor):
    team = Team.objects.get(code="delivery-missed")
    sub = node_create(
        parent=node_get(code="delivery"),
        actor=supervisor,
        label_fr="Livraison express",
        label_en="Express delivery",
        slug="express",
        team=team,
        needs_order=True,
        usual_resolution="bot",
    )
    assert (sub.code, sub.level, sub.position) == ("delivery.express", 2, 7)
    category = node_create(parent=None, actor=supervisor, label_fr="Vendeurs", label_en="Sellers")
    assert (category.code, category.level, category.position) == ("sellers", 1, 7)


# --- node_update ---------------------------------------------------------------------------------


def test_update_never_changes_the_code(
    taxonomy, supervisor, calls, django_capture_on_commit_callbacks
):
    node = node_get(code="delivery.delay.tracking_not_updated")
    with django_capture_on_commit_callbacks(execute=True):
        updated = node_update(
            node=node,
            actor=supervisor,
            label_fr="Le suivi ne bouge plus",
            label_en="Tracking is stuck",
        )
    assert updated.code == "delivery.delay.tracking_not_updated"
    fresh = node_get(code="delivery.delay.tracking_not_updated")
    assert (fresh.label_fr, fresh.label_en) == ("Le suivi ne bouge plus", "Tracking is stuck")
    change = NodeChange.objects.get(node=node, action=NodeChangeAction.UPDATE)
    assert change.actor == supervisor
    assert change.changes == {
        "label_fr": ["Suivi non mis à jour", "Le suivi ne bouge plus"],
        "label_en": ["Tracking not updated", "Tracking is stuck"],
    }
    assert calls == [
        TaxonomyChange(
            action="update",
            codes=("delivery.delay.tracking_not_updated",),
            fields=("label_fr", "label_en"),
        )
    ]


def test_update_settings_records_codes_of_team_and_skill(taxonomy, supervisor):
    node = node_get(code="payment.charged")
    team = Team.objects.get(code="payment-failed")
    skill = Skill.objects.get(code="payment-failed")
    node_update(
        node=node, actor=supervisor, team=team, skill=skill, needs_order=False, restricted=True
    )
    change = NodeChange.objects.get(node=node)
    assert change.changes == {
        "team": ["payment-charged", "payment-failed"],
        "skill": ["payment-charged", "payment-failed"],
        "needs_order": [True, False],
        "restricted": [False, True],
    }


def test_update_that_changes_nothing_writes_nothing(
    taxonomy, supervisor, calls, django_capture_on_commit_callbacks
):
    node = node_get(code="account.login")
    with django_capture_on_commit_callbacks(execute=True):
        node_update(node=node, actor=supervisor, label_fr="Connexion et mot de passe")
    assert NodeChange.objects.count() == 0
    assert calls == []


@pytest.mark.parametrize(
    ("code", "kwargs", "field"),
    [
        ("account", {"needs_order": True}, "needs_order"),  # category
        ("account.login", {"inherit": ["team"]}, "inherit"),  # level 2 does not inherit
        ("account.login.forgot_password", {"inherit": ["label_fr"]}, "inherit"),
        (
            "account.login.forgot_password",
            {"needs_order": True, "inherit": ["needs_order"]},
            "needs_order",
        ),
        ("account.login", {"usual_resolution": "magic"}, "usual_resolution"),
        ("account.login", {"label_en": " "}, "label_en"),
    ],
)
def test_update_refusals(taxonomy, supervisor, code, kwargs, field):
    node = node_get(code=code)
    with pytest.raises(ValidationFailed) as caught:
        node_update(node=node, actor=supervisor, **kwargs)
    assert field in caught.value.details["fields"]
    assert NodeChange.objects.count() == 0


# --- node_retire ---------------------------------------------------------------------------------


def test_retire_a_sub_category_and_its_concerns(
    taxonomy, supervisor, calls, django_capture_on_commit_callbacks
):
    node = node_get(code="delivery.customs")
    with clock.frozen_at(NOON), django_capture_on_commit_callbacks(execute=True):
        retired = node_retire(node=node, actor=supervisor)
    assert retired.retired_at == NOON
    codes = {
        "delivery.customs",
        "delivery.customs.held_at_customs",
        "delivery.customs.duties_and_taxes",
        "delivery.customs.documents_requested",
    }
    assert set(Node.objects.filter(retired_at=NOON).values_list("code", flat=True)) == codes
    assert Node.objects.filter(retired_at__isnull=False).count() == 4
    assert NodeChange.objects.filter(action=NodeChangeAction.RETIRE, actor=supervisor).count() == 4
    assert len(calls) == 1 and calls[0].action == "retire" and set(calls[0].codes) == codes
    assert Node.objects.filter(code="delivery.customs").exists()  # never deleted


def test_retire_twice_changes_nothing(
    taxonomy, supervisor, calls, django_capture_on_commit_callbacks
):
    node = node_get(code="account.data.export_my_data")
    with clock.frozen_at(NOON):
        node_retire(node=node, actor=supervisor)
    with (
        clock.frozen_at(NOON + dt.timedelta(days=1)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        again = node_retire(node=node, actor=supervisor)
    assert again.retired_at == NOON
    assert NodeChange.objects.count() == 1
    assert calls == []


def test_a_category_retires_two_levels(taxonomy, supervisor):
    node_retire(node=node_get(code="technical"), actor=supervisor)
    assert Node.objects.filter(code__startswith="technical", retired_at__isnull=True).count() == 0
    assert Node.objects.filter(retired_at__isnull=False).count() == 1 + 4 + 10


# --- hooks ---------------------------------------------------------------------------------------


def test_a_failing_hook_does_not_stop_the_others(
    taxonomy, supervisor, calls, django_capture_on_commit_callbacks, caplog
):
    def broken(change: TaxonomyChange) -> None:
        raise RuntimeError("model store unavailable")

    taxonomy_changed_hooks.register("a.broken", broken)  # sorted before "tests.recorder"
    try:
        with django_capture_on_commit_callbacks(execute=True):
            node_update(node=node_get(code="account.data"), actor=supervisor, position=9)
    finally:
        taxonomy_changed_hooks.unregister("a.broken")
    assert len(calls) == 1
    assert "a.broken" in caplog.text


def test_hooks_do_not_run_when_the_transaction_rolls_back(
    taxonomy, supervisor, calls, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ApplicationError), transaction.atomic():
            node_update(node=node_get(code="account.data"), actor=supervisor, position=9)
            raise ApplicationError("boom", "rolled back")
    assert callbacks == []
    assert node_get(code="account.data").position == 4
    assert NodeChange.objects.count() == 0
    assert calls == []
