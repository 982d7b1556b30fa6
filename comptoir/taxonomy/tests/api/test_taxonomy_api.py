from __future__ import annotations

import pytest

from comptoir.taxonomy.selectors import node_get
from comptoir.taxonomy.services import node_retire, node_update

URL = "/api/v1/help/taxonomy"


def walk(items):
    for item in items:
        yield item
        yield from walk(item["children"])


def by_code(items):
    return {item["code"]: item for item in walk(items)}


def test_french(client, taxonomy):
    response = client.get(URL, {"lang": "fr"})
    assert response.status_code == 200
    items = response.json()["items"]
    assert [item["code"] for item in items] == [
        "delivery",
        "item",
        "returns",
        "payment",
        "account",
        "technical",
    ]
    assert items[0] == {
        "code": "delivery",
        "label": "Livraison",
        "level": 1,
        "needs_order": False,
        "usual_resolution": None,
        "team": None,
        "restricted": False,
        "children": items[0]["children"],
    }
    nodes = by_code(items)
    assert len(nodes) == 103
    assert nodes["delivery.delay"]["label"] == "Retard de livraison"
    leaf = nodes["delivery.delay.tracking_not_updated"]
    assert leaf == {
        "code": "delivery.delay.tracking_not_updated",
        "label": "Suivi non mis à jour",
        "level": 3,
        "needs_order": True,
        "usual_resolution": "bot",
        "team": "delivery-delay",
        "restricted": False,
        "children": [],
    }
    assert nodes["technical.report"]["team"] == "report-seller"
    assert nodes["returns.decision.escalate"]["team"] == "disputes"
    assert nodes["returns.return.how_to_return"]["needs_order"] is False  # level-3 override


def test_english(client, taxonomy):
    nodes = by_code(client.get(URL, {"lang": "en"}).json()["items"])
    assert nodes["delivery"]["label"] == "Delivery"
    assert nodes["delivery.not_received"]["label"] == "Parcel lost or not received"
    assert (
        nodes["delivery.not_received.marked_delivered_but_not_received"]["label"]
        == "Marked delivered but not received"
    )
    assert nodes["item.wrong.wrong_size_or_colour"]["usual_resolution"] == "dispute"


@pytest.mark.parametrize(("accept", "label"), [("en", "Delivery"), ("fr", "Livraison")])
def test_language_of_the_request_when_no_param(client, taxonomy, accept, label):
    response = client.get(URL, headers={"accept-language": accept})
    assert response.status_code == 200
    assert response.json()["items"][0]["label"] == label


@pytest.mark.parametrize("lang", ["de", "FR", "", "fr-FR"])
def test_bad_lang(client, taxonomy, lang):
    response = client.get(URL, {"lang": lang}, headers={"accept-language": "en"})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"] == "Unsupported language: use “fr” or “en”."
    assert body["details"] == {"fields": {"lang": ["Choose fr or en."]}}


def test_bad_lang_error_in_french(client, taxonomy):
    body = client.get(URL, {"lang": "de"}, headers={"accept-language": "fr"}).json()
    assert body["message"] == "Langue non prise en charge : utilisez « fr » ou « en »."


def test_retired_nodes_are_hidden(client, taxonomy):
    node_retire(node=node_get(code="delivery.customs"), actor=None)
    node_retire(node=node_get(code="item.empty.partial_contents"), actor=None)
    nodes = by_code(client.get(URL, {"lang": "en"}).json()["items"])
    assert not [code for code in nodes if code.startswith("delivery.customs")]
    assert "item.empty.partial_contents" not in nodes
    assert [c["code"] for c in nodes["item.empty"]["children"]] == ["item.empty.empty_box"]
    assert len(nodes) == 103 - 4 - 1


def test_restricted_nodes_are_for_staff_only(client, taxonomy, supervisor):
    node_update(node=node_get(code="returns.decision"), actor=None, restricted=True)
    public = by_code(client.get(URL, {"lang": "en"}).json()["items"])
    assert "returns.decision" not in public
    client.force_login(supervisor)
    staff = by_code(client.get(URL, {"lang": "en"}).json()["items"])
    assert staff["returns.decision"]["restricted"] is True
    assert staff["returns.decision.escalate"]["restricted"] is True


def test_one_query_for_the_tree(client, taxonomy, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get(URL, {"lang": "fr"})
    assert response.status_code == 200


def test_openapi_is_typed(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"][URL]["get"]
    assert not operation.get("security")  # public
    lang = next(p for p in operation["parameters"] if p["name"] == "lang")
    assert lang["in"] == "query"
    assert lang["schema"].get("enum") == ["fr", "en"] or lang.get("enum") == ["fr", "en"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/TaxonomyOut")
    node = schema["components"]["schemas"]["NodeOut"]
    assert node["properties"]["children"]["items"]["$ref"].endswith("/NodeOut")
    assert set(node["required"]) >= {"code", "label", "level", "needs_order", "children"}
