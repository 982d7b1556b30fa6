import datetime as dt
import json

import pytest

from comptoir.accounts.models import ApiToken, Shop, ShopMembership
from comptoir.accounts.services import api_token_create
from comptoir.core import clock
from comptoir.testing.factories import (
    DEFAULT_PASSWORD,
    StaffFactory,
    TeamFactory,
    UserFactory,
    seller_with_shop,
    totp_code,
    totp_device_for,
)

pytestmark = pytest.mark.django_db
TOKEN_URL = "/api/v1/auth/token"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def post_json(client, url, payload, **extra):
    body = payload if isinstance(payload, str) else json.dumps(payload)
    return client.post(url, body, content_type="application/json", **extra)


def bearer(key):
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_token_for_good_credentials():
    from django.test import Client

    client = Client()
    user = UserFactory(email="lea@example.com")
    at = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    with clock.frozen_at(at):
        response = post_json(
            client,
            TOKEN_URL,
            {"email": "lea@example.com", "password": DEFAULT_PASSWORD, "label": "cli"},
        )
    assert response.status_code == 200
    data = response.json()
    assert set(data) == {"token", "token_type", "expires_at"}
    assert data["token_type"] == "Bearer"
    assert data["expires_at"] == "2026-03-31T12:00:00Z"
    token = ApiToken.objects.get()
    assert (token.user, token.label) == (user, "cli")
    assert data["token"] not in (token.key_hash, token.prefix)
    with clock.frozen_at(at + dt.timedelta(days=1)):
        me = client.get("/api/v1/me", **bearer(data["token"]))
    assert me.status_code == 200
    assert me.json()["email"] == "lea@example.com"


@pytest.mark.parametrize(
    "payload",
    [
        {"email": "lea@example.com", "password": "wrong"},
        {"email": "ghost@example.com", "password": DEFAULT_PASSWORD},
    ],
)
def test_wrong_credentials_are_401(client, payload):
    UserFactory(email="lea@example.com")
    response = post_json(client, TOKEN_URL, payload, **EN)
    assert response.status_code == 401
    assert response.json() == {
        "code": "invalid_credentials",
        "message": "The e-mail address or the password is incorrect.",
        "details": {},
    }
    assert ApiToken.objects.count() == 0


def test_unverified_is_403(client):
    UserFactory(email="new@example.com", email_verified=False)
    response = post_json(
        client, TOKEN_URL, {"email": "new@example.com", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "email_unverified"


def test_staff_with_totp(client):
    staff = StaffFactory(email="agent@example.org")
    _device, secret = totp_device_for(staff)
    creds = {"email": "agent@example.org", "password": DEFAULT_PASSWORD}
    missing = post_json(client, TOKEN_URL, creds)
    assert (missing.status_code, missing.json()["code"]) == (401, "otp_required")
    wrong = post_json(client, TOKEN_URL, {**creds, "otp": "000000"})
    assert (wrong.status_code, wrong.json()["code"]) == (401, "otp_invalid")
    code = totp_code(secret)
    ok = post_json(client, TOKEN_URL, {**creds, "otp": code})
    assert ok.status_code == 200
    replay = post_json(client, TOKEN_URL, {**creds, "otp": code})
    assert (replay.status_code, replay.json()["code"]) == (401, "otp_invalid")
    assert ApiToken.objects.count() == 1


def test_rate_limited_is_429_with_retry_after(client, settings):
    settings.RATE_LIMIT_LOGIN = (2, 900)
    UserFactory(email="lea@example.com")
    for _ in range(2):
        post_json(client, TOKEN_URL, {"email": "lea@example.com", "password": "x"})
    response = post_json(
        client, TOKEN_URL, {"email": "lea@example.com", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 429
    assert response.json()["code"] == "rate_limited"
    assert 0 < int(response["Retry-After"]) <= 900
    assert ApiToken.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        "{not json",
        "[]",
        json.dumps({"email": "lea@example.com"}),
        json.dumps({"email": 12, "password": DEFAULT_PASSWORD}),
        json.dumps({"email": "lea@example.com", "password": ["x"]}),
        json.dumps({"email": "lea@example.com", "password": DEFAULT_PASSWORD, "otp": 123456}),
        json.dumps({"email": "lea@example.com", "password": DEFAULT_PASSWORD, "admin": True}),
        json.dumps({"email": "lea@example.com", "password": DEFAULT_PASSWORD, "label": "x" * 101}),
    ],
    ids=[
        "bad-json",
        "array",
        "missing",
        "int-email",
        "list-password",
        "int-otp",
        "extra",
        "long-label",
    ],
)
def test_malformed_requests_are_rejected_and_write_nothing(client, body):
    UserFactory(email="lea@example.com")
    response = post_json(client, TOKEN_URL, body)
    assert response.status_code in (400, 422), response.content
    data = response.json()
    assert set(data) >= {"code", "message", "details"} or "detail" in data
    assert ApiToken.objects.count() == 0


def test_revoke_ends_the_calling_token_only(client):
    user = UserFactory()
    first = api_token_create(user=user)
    second = api_token_create(user=user)
    response = client.post("/api/v1/auth/token/revoke", **bearer(first.key))
    assert response.status_code == 204
    assert client.get("/api/v1/me", **bearer(first.key)).status_code == 401
    assert client.get("/api/v1/me", **bearer(second.key)).status_code == 200
    assert client.post("/api/v1/auth/token/revoke", **bearer(first.key)).status_code == 401


def test_revoke_needs_a_token(client):
    assert client.post("/api/v1/auth/token/revoke").status_code == 401
    client.force_login(UserFactory())
    assert client.post("/api/v1/auth/token/revoke").status_code == 401


def test_me_needs_authentication(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert client.get("/api/v1/me", **bearer("cpt_forged")).status_code == 401


def test_me_for_a_seller_lists_shops(client):
    seller, shop = seller_with_shop(email="s@example.com", full_name="Julien Moreau")
    key = api_token_create(user=seller).key
    data = client.get("/api/v1/me", **bearer(key)).json()
    assert data == {
        "id": seller.public_id,
        "email": "s@example.com",
        "full_name": "Julien Moreau",
        "role": "seller",
        "language": "fr",
        "email_verified": True,
        "is_staff_member": False,
        "shops": [{"slug": shop.slug, "name": shop.name, "role": "owner"}],
        "teams": [],
    }


def test_me_for_an_agent_lists_teams_in_their_language(client):
    agent = StaffFactory(language="en")
    team = TeamFactory(code="disputes", name_fr="Litiges", name_en="Disputes")
    team.members.add(agent)
    key = api_token_create(user=agent).key
    data = client.get("/api/v1/me", **bearer(key)).json()
    assert data["teams"] == [{"code": "disputes", "name": "Disputes"}]
    assert data["is_staff_member"] is True


def test_patch_me_updates_name_and_language(client):
    user = UserFactory(full_name="Old", language="fr")
    key = api_token_create(user=user).key
    response = client.patch(
        "/api/v1/me",
        json.dumps({"full_name": "New Name", "language": "en"}),
        content_type="application/json",
        **bearer(key),
    )
    assert response.status_code == 200
    assert (response.json()["full_name"], response.json()["language"]) == ("New Name", "en")
    user.refresh_from_db()
    assert (user.full_name, user.language) == ("New Name", "en")


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"language": "de"}, 422),
        ({"full_name": ""}, 422),
        ({"full_name": 42}, 422),
        ({"language": None, "full_name": "x" * 151}, 422),
        ({"role": "admin"}, 422),
        ("{oops", 400),
    ],
)
def test_patch_me_bad_input_changes_nothing(client, body, status):
    user = UserFactory(full_name="Old", language="fr", role="buyer")
    key = api_token_create(user=user).key
    response = client.patch(
        "/api/v1/me",
        body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
        **bearer(key),
        **EN,
    )
    assert response.status_code in (status, 400, 422)
    assert "code" in response.json() or "detail" in response.json()
    user.refresh_from_db()
    assert (user.full_name, user.language, user.role) == ("Old", "fr", "buyer")


def test_patch_me_language_error_is_translated(client):
    user = UserFactory()
    key = api_token_create(user=user).key
    response = client.patch(
        "/api/v1/me",
        json.dumps({"language": "de"}),
        content_type="application/json",
        **bearer(key),
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 422
    assert response.json()["details"] == {"language": ["Choisissez le français ou l’anglais."]}


def test_other_users_tokens_only_ever_show_their_owner(client):
    a = UserFactory(email="a@example.com")
    b = UserFactory(email="b@example.com")
    key_b = api_token_create(user=b).key
    client.force_login(a)
    # A bearer token wins over the session cookie: the caller acts as the token's owner.
    assert client.get("/api/v1/me", **bearer(key_b)).json()["email"] == "b@example.com"
    assert Shop.objects.count() == ShopMembership.objects.count() == 0
