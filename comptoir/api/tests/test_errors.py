"""The API's error shape: {"code", "message", "details"} with the right status, translated."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_malformed_json_gets_a_translated_400(client):
    response = client.post(
        "/api/v1/auth/token",
        data="{not json",
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 400
    assert response.json() == {
        "code": "malformed_body",
        "message": "Le corps de la requête n’est pas un JSON valide.",
        "details": {},
    }


@pytest.mark.django_db
def test_unauthenticated_request_gets_401_in_english(client):
    response = client.get("/api/v1/me", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response.json() == {
        "code": "unauthenticated",
        "message": "Authentication required.",
        "details": {},
    }


@pytest.mark.django_db
def test_wrong_types_get_422_with_field_details(client):
    response = client.post(
        "/api/v1/auth/token", data={"email": 12, "password": []}, content_type="application/json"
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["details"]["fields"]) >= {"email", "password"}


@pytest.mark.django_db
def test_openapi_schema_is_served(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "Comptoir API"
    assert "/api/v1/auth/token" in schema["paths"]
    assert "/api/v1/help/taxonomy" in schema["paths"]
