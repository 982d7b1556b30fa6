from __future__ import annotations

import re

import pytest

from comptoir.accounts.enums import Role
from comptoir.accounts.models import Team
from comptoir.accounts.services import user_create
from comptoir.taxonomy.enums import NodeChangeAction
from comptoir.taxonomy.models import Node, NodeChange
from comptoir.taxonomy.selectors import node_get


@pytest.fixture
def admin_client(client, taxonomy):
    admin = user_create(email="root.taxonomy@example.com", password=None, role=Role.ADMIN)
    client.force_login(admin)
    client.admin = admin
    return client


def form_data(node: Node, **changes):
    data = {
        "label_fr": node.label_fr,
        "label_en": node.label_en,
        "position": node.position,
        "team": node.team_id or "",
        "skill": node.skill_id or "",
        "needs_order": {True: "true", False: "false", None: "unknown"}[node.needs_order],
        "usual_resolution": node.usual_resolution or "",
        "changes-TOTAL_FORMS": "0",
        "changes-INITIAL_FORMS": "0",
    }
    if node.restricted:
        data["restricted"] = "on"
    data.update(changes)
    return data


def test_changelist_and_change_page(admin_client):
    assert admin_client.get("/admin/taxonomy/node/").status_code == 200
    node = node_get(code="delivery.delay")
    page = admin_client.get(f"/admin/taxonomy/node/{node.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="code"' not in html  # read-only
    assert "delivery.delay" in html
    assert 'name="label_fr"' in html


def test_edit_goes_through_the_service(admin_client):
    node = node_get(code="delivery.delay.tracking_not_updated")
    response = admin_client.post(
        f"/admin/taxonomy/node/{node.pk}/change/",
        form_data(node, label_en="Tracking frozen", code="hacked.code"),
    )
    assert response.status_code == 302, re.findall(
        r"errorlist[^<]*<li>[^<]*", response.content.decode()
    )
    fresh = Node.objects.get(pk=node.pk)
    assert (fresh.code, fresh.label_en) == (
        "delivery.delay.tracking_not_updated",
        "Tracking frozen",
    )
    change = NodeChange.objects.get(node=node)
    assert change.action == NodeChangeAction.UPDATE
    assert change.actor == admin_client.admin
    assert change.changes == {"label_en": ["Tracking not updated", "Tracking frozen"]}


def test_add_builds_the_code_and_refuses_a_duplicate(admin_client):
    parent = node_get(code="delivery.delay")
    data = {
        "parent": parent.pk,
        "label_fr": "Colis bloqué",
        "label_en": "Parcel stuck",
        "position": "",
        "team": "",
        "skill": "",
        "needs_order": "unknown",
        "usual_resolution": "",
        "changes-TOTAL_FORMS": "0",
        "changes-INITIAL_FORMS": "0",
    }
    response = admin_client.post("/admin/taxonomy/node/add/", data)
    assert response.status_code == 302, re.findall(
        r"errorlist[^<]*<li>[^<]*", response.content.decode()
    )
    created = node_get(code="delivery.delay.parcel_stuck")
    assert created.level == 3
    assert NodeChange.objects.get(node=created).actor == admin_client.admin

    count = Node.objects.count()
    response = admin_client.post("/admin/taxonomy/node/add/", data | {"label_fr": "Autre"})
    assert response.status_code == 200
    assert "delivery.delay.parcel_stuck" in response.content.decode()
    assert Node.objects.count() == count


def test_clearing_a_concern_setting_inherits_it_again(admin_client):
    node = node_get(code="returns.return.how_to_return")
    assert node.needs_order is False
    response = admin_client.post(
        f"/admin/taxonomy/node/{node.pk}/change/", form_data(node, needs_order="unknown")
    )
    assert response.status_code == 302
    assert Node.objects.get(pk=node.pk).needs_order is None


def test_invalid_setting_shows_an_error(admin_client):
    node = node_get(code="delivery")
    team = Team.objects.first()
    response = admin_client.post(
        f"/admin/taxonomy/node/{node.pk}/change/", form_data(node, team=team.pk)
    )
    assert response.status_code == 200
    assert Node.objects.get(pk=node.pk).team is None
    assert NodeChange.objects.count() == 0


def test_retire_action_and_no_delete(admin_client):
    node = node_get(code="item.empty")
    response = admin_client.post(
        "/admin/taxonomy/node/",
        {"action": "retire_nodes", "_selected_action": [node.pk]},
    )
    assert response.status_code == 302
    assert Node.objects.filter(code__startswith="item.empty", retired_at__isnull=False).count() == 3
    assert admin_client.get(f"/admin/taxonomy/node/{node.pk}/delete/").status_code == 403
