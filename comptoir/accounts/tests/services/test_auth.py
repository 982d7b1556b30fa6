import datetime as dt

import pytest

from comptoir.accounts.errors import AuthenticationFailed, EmailUnverified
from comptoir.accounts.models import ApiToken
from comptoir.accounts.selectors import hash_api_key, user_for_api_token
from comptoir.accounts.services import (
    api_token_create,
    api_token_obtain,
    api_token_revoke,
    auth_check_credentials,
)
from comptoir.core import clock
from comptoir.core.errors import RateLimited, ValidationFailed
from comptoir.testing.factories import (
    DEFAULT_PASSWORD,
    StaffFactory,
    UserFactory,
    totp_code,
    totp_device_for,
)

pytestmark = pytest.mark.django_db


def test_credentials_are_checked_case_insensitively():
    user = UserFactory(email="Camille@Example.com")
    found = auth_check_credentials(email=" camille@EXAMPLE.com ", password=DEFAULT_PASSWORD, ip="1")
    assert found.pk == user.pk


@pytest.mark.parametrize(
    ("email", "password"),
    [
        ("camille@example.com", "wrong"),
        ("nobody@example.com", DEFAULT_PASSWORD),
        ("", DEFAULT_PASSWORD),
        ("camille@example.com", ""),
    ],
)
def test_wrong_credentials_give_one_answer(email, password):
    UserFactory(email="camille@example.com")
    with pytest.raises(AuthenticationFailed) as info:
        auth_check_credentials(email=email, password=password, ip="1")
    assert info.value.code == "invalid_credentials"
    assert info.value.http_status == 401


def test_inactive_users_cannot_log_in():
    UserFactory(email="gone@example.com", is_active=False)
    with pytest.raises(AuthenticationFailed):
        auth_check_credentials(email="gone@example.com", password=DEFAULT_PASSWORD, ip="1")


def test_unverified_users_are_told_only_with_the_right_password():
    UserFactory(email="new@example.com", email_verified=False)
    with pytest.raises(AuthenticationFailed):
        auth_check_credentials(email="new@example.com", password="wrong", ip="1")
    with pytest.raises(EmailUnverified) as info:
        auth_check_credentials(email="new@example.com", password=DEFAULT_PASSWORD, ip="1")
    assert (info.value.code, info.value.http_status) == ("email_unverified", 403)


def test_login_attempts_are_limited_per_address_across_ips(settings):
    settings.RATE_LIMIT_LOGIN = (3, 900)
    UserFactory(email="target@example.com")
    for ip in ("1", "2", "3"):
        with pytest.raises(AuthenticationFailed):
            auth_check_credentials(email="target@example.com", password="bad", ip=ip)
    with pytest.raises(RateLimited) as info:
        auth_check_credentials(email="TARGET@example.com", password=DEFAULT_PASSWORD, ip="4")
    assert 0 < info.value.retry_after <= 900


def test_login_attempts_are_limited_per_ip_across_addresses(settings):
    settings.RATE_LIMIT_LOGIN_IP = (2, 900)
    for n in range(2):
        with pytest.raises(AuthenticationFailed):
            auth_check_credentials(email=f"x{n}@example.com", password="bad", ip="9.9.9.9")
    with pytest.raises(RateLimited):
        auth_check_credentials(email="other@example.com", password="bad", ip="9.9.9.9")


def test_page_logins_and_token_requests_are_counted_separately(settings):
    settings.RATE_LIMIT_LOGIN = (1, 900)
    UserFactory(email="a@example.com")
    auth_check_credentials(email="a@example.com", password=DEFAULT_PASSWORD, ip="1")
    api_token_obtain(email="a@example.com", password=DEFAULT_PASSWORD, otp=None, label="", ip="1")
    with pytest.raises(RateLimited):
        auth_check_credentials(email="a@example.com", password=DEFAULT_PASSWORD, ip="1")


def test_token_is_stored_hashed_and_lasts_30_days():
    user = UserFactory()
    at = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    with clock.frozen_at(at):
        issued = api_token_create(user=user, label=" laptop ")
    token = ApiToken.objects.get()
    assert issued.key.startswith("cpt_") and len(issued.key) > 40
    assert token.key_hash == hash_api_key(issued.key) != issued.key
    assert token.prefix == issued.key[:8]
    assert token.label == "laptop"
    assert token.expires_at == at + dt.timedelta(days=30)
    with clock.frozen_at(at + dt.timedelta(days=29)):
        assert user_for_api_token(key=issued.key) == user
    with clock.frozen_at(at + dt.timedelta(days=30)):
        assert user_for_api_token(key=issued.key) is None


def test_token_label_too_long_writes_nothing():
    user = UserFactory()
    with pytest.raises(ValidationFailed):
        api_token_create(user=user, label="x" * 101)
    assert ApiToken.objects.count() == 0


def test_staff_with_totp_need_a_valid_code_for_a_token():
    staff = StaffFactory(email="agent@example.org")
    _device, secret = totp_device_for(staff)
    with pytest.raises(AuthenticationFailed) as info:
        api_token_obtain(
            email="agent@example.org", password=DEFAULT_PASSWORD, otp=None, label="", ip="1"
        )
    assert info.value.code == "otp_required"
    with pytest.raises(AuthenticationFailed) as info:
        api_token_obtain(
            email="agent@example.org", password=DEFAULT_PASSWORD, otp="000000", label="", ip="1"
        )
    assert info.value.code == "otp_invalid"
    assert ApiToken.objects.count() == 0
    issued = api_token_obtain(
        email="agent@example.org",
        password=DEFAULT_PASSWORD,
        otp=totp_code(secret),
        label="",
        ip="1",
    )
    assert user_for_api_token(key=issued.key) == staff


def test_revoke_is_idempotent_and_ends_the_token():
    issued = api_token_create(user=UserFactory())
    at = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
    with clock.frozen_at(at):
        assert api_token_revoke(key=issued.key).revoked_at == at
    with clock.frozen_at(at + dt.timedelta(hours=1)):
        assert api_token_revoke(key=issued.key).revoked_at == at
    assert user_for_api_token(key=issued.key) is None
    assert api_token_revoke(key="cpt_unknown") is None
