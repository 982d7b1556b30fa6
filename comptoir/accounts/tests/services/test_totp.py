import datetime as dt

import pyotp
import pytest

from comptoir.accounts.errors import AuthenticationFailed
from comptoir.accounts.models import TotpDevice
from comptoir.accounts.services import (
    totp_disable,
    totp_enable,
    totp_new_secret,
    totp_provisioning_uri,
    totp_verify,
)
from comptoir.core import clock
from comptoir.core.errors import PermissionDenied, RateLimited, ValidationFailed
from comptoir.testing.factories import (
    DEFAULT_PASSWORD,
    StaffFactory,
    UserFactory,
    totp_code,
    totp_device_for,
)

pytestmark = pytest.mark.django_db

AT = dt.datetime(2026, 3, 12, 10, 0, 5, tzinfo=dt.UTC)


def test_new_secret_is_160_bits_of_base32():
    secret = totp_new_secret()
    assert len(secret) == 32
    assert pyotp.TOTP(secret).now().isdigit()
    assert totp_new_secret() != secret


def test_provisioning_uri_names_the_issuer_and_account():
    user = StaffFactory(email="agent@example.org")
    uri = totp_provisioning_uri(
        user=user, secret="JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", issuer="Comptoir"
    )
    assert uri.startswith(
        "otpauth://totp/Comptoir:agent%40example.org?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    )


def test_enable_confirms_the_device_and_sends_a_notice(sent):
    user = StaffFactory()
    secret = totp_new_secret()
    with clock.frozen_at(AT), sent as outbox:
        device = totp_enable(user=user, secret=secret, code=totp_code(secret))
    assert device.confirmed_at == AT
    assert device.last_used_step == int(AT.timestamp()) // 30
    assert len(outbox) == 1
    assert "authentification à deux facteurs" in outbox[0].subject.lower()


def test_enable_refuses_a_wrong_code_and_writes_nothing(sent):
    user = StaffFactory()
    with sent as outbox, pytest.raises(ValidationFailed) as info:
        totp_enable(user=user, secret=totp_new_secret(), code="123456")
    assert "code" in info.value.details
    assert TotpDevice.objects.count() == 0
    assert outbox == []


def test_enable_is_for_staff_only():
    buyer = UserFactory()
    secret = totp_new_secret()
    with pytest.raises(PermissionDenied):
        totp_enable(user=buyer, secret=secret, code=totp_code(secret))
    assert TotpDevice.objects.count() == 0


def test_a_code_is_accepted_once():
    user = StaffFactory()
    _device, secret = totp_device_for(user)
    with clock.frozen_at(AT):
        code = totp_code(secret)
        totp_verify(user=user, code=code)
        with pytest.raises(AuthenticationFailed) as info:
            totp_verify(user=user, code=code)
    assert info.value.code == "otp_invalid"


def test_an_older_code_after_a_newer_one_is_refused():
    user = StaffFactory()
    _device, secret = totp_device_for(user)
    with clock.frozen_at(AT):
        previous = totp_code(secret, offset_steps=-1)
        totp_verify(user=user, code=totp_code(secret))
        with pytest.raises(AuthenticationFailed):
            totp_verify(user=user, code=previous)


def test_one_step_of_drift_is_accepted_two_are_not():
    user = StaffFactory()
    _device, secret = totp_device_for(user)
    with clock.frozen_at(AT):
        with pytest.raises(AuthenticationFailed):
            totp_verify(user=user, code=totp_code(secret, offset_steps=-2))
        totp_verify(user=user, code=totp_code(secret, offset_steps=1))


@pytest.mark.parametrize("code", ["", None, "12345", "abcdef", "1234567"])
def test_malformed_codes_are_refused(code):
    user = StaffFactory()
    totp_device_for(user)
    with pytest.raises(AuthenticationFailed):
        totp_verify(user=user, code=code)


def test_codes_with_spaces_are_accepted():
    user = StaffFactory()
    _device, secret = totp_device_for(user)
    code = totp_code(secret)
    totp_verify(user=user, code=f" {code[:3]} {code[3:]} ")


def test_attempts_are_rate_limited(settings):
    settings.RATE_LIMIT_TOTP = (2, 300)
    user = StaffFactory()
    _device, secret = totp_device_for(user)
    for _ in range(2):
        with pytest.raises(AuthenticationFailed):
            totp_verify(user=user, code="000000")
    with pytest.raises(RateLimited):
        totp_verify(user=user, code=totp_code(secret))


def test_disable_needs_password_and_code(sent):
    user = StaffFactory()
    _device, secret = totp_device_for(user)
    with pytest.raises(ValidationFailed) as info:
        totp_disable(user=user, password="wrong", code="000000")
    assert set(info.value.details) == {"password", "code"}
    assert TotpDevice.objects.count() == 1
    with sent as outbox:
        totp_disable(user=user, password=DEFAULT_PASSWORD, code=totp_code(secret))
    assert TotpDevice.objects.count() == 0
    assert len(outbox) == 1
