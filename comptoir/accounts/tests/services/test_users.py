import datetime as dt

import pytest
from django.utils import translation

from comptoir.accounts.enums import Role
from comptoir.accounts.errors import TokenInvalid
from comptoir.accounts.models import User
from comptoir.accounts.services import (
    user_signup,
    user_update,
    user_verification_resend,
    user_verify_email,
)
from comptoir.accounts.tests.conftest import link_in
from comptoir.accounts.tokens import email_verification_token_make
from comptoir.core import clock
from comptoir.core.errors import Conflict, RateLimited, ValidationFailed
from comptoir.core.outbox import OutboxMessage
from comptoir.testing.factories import UserFactory

pytestmark = pytest.mark.django_db

GOOD = "un-mot-de-passe-solide-7"


def signup(**overrides):
    data = {
        "email": "Nora.Petit@Example.COM",
        "full_name": "  Nora   Petit ",
        "password": GOOD,
        "language": "fr",
        "ip": "10.0.0.1",
    }
    data.update(overrides)
    return user_signup(**data)


def test_signup_creates_an_unverified_buyer_and_sends_the_link_in_their_language(sent):
    with sent as outbox:
        user = signup()
    assert (user.email, user.full_name, user.role, user.language) == (
        "Nora.Petit@example.com",
        "Nora Petit",
        Role.BUYER,
        "fr",
    )
    assert user.email_verified_at is None
    assert user.check_password(GOOD)
    assert len(outbox) == 1
    assert outbox[0].to == ["Nora.Petit@example.com"]
    assert outbox[0].subject == "Confirmez votre adresse e-mail pour Comptoir"
    assert "/accounts/verify/" in link_in(outbox[0])


def test_signup_in_english_sends_an_english_email(sent):
    with sent as outbox:
        signup(email="sam@example.com", language="en")
    assert outbox[0].subject == "Confirm your e-mail address for Comptoir"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"full_name": "   "}, "full_name"),
        ({"full_name": "x" * 151}, "full_name"),
        ({"password": "123"}, "password"),
        ({"password": "password"}, "password"),
        ({"password": "12345678901"}, "password"),
        ({"password": ""}, "password"),
        ({"language": "de"}, "language"),
    ],
)
def test_signup_bad_input_writes_nothing(overrides, field, sent):
    with sent as outbox:
        with pytest.raises(ValidationFailed) as info:
            signup(**overrides)
    assert field in info.value.details
    assert User.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    assert outbox == []


def test_signup_with_a_taken_address_is_a_conflict_and_writes_nothing(sent):
    UserFactory(email="nora.petit@example.com")
    with sent as outbox:
        with pytest.raises(Conflict) as info:
            signup()
    assert info.value.code == "email_taken"
    assert User.objects.count() == 1
    assert outbox == []


def test_signup_is_rate_limited_per_ip(settings):
    settings.RATE_LIMIT_SIGNUP_IP = (2, 3600)
    signup(email="a@example.com")
    with pytest.raises(ValidationFailed):
        signup(email="b@example.com", password="1")  # refused attempts count too
    with pytest.raises(RateLimited):
        signup(email="c@example.com")
    signup(email="d@example.com", ip="10.0.0.2")
    assert sorted(User.objects.values_list("email", flat=True)) == [
        "a@example.com",
        "d@example.com",
    ]


def test_verify_email_sets_the_time_once():
    user = UserFactory(email_verified=False)
    token = email_verification_token_make(user=user)
    at = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    with clock.frozen_at(at):
        assert user_verify_email(token=token).pk == user.pk
    user.refresh_from_db()
    assert user.email_verified_at == at
    with clock.frozen_at(at + dt.timedelta(hours=1)):
        user_verify_email(token=token)  # idempotent
    user.refresh_from_db()
    assert user.email_verified_at == at


def test_verify_email_refuses_expired_forged_and_outdated_links():
    at = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
    user = UserFactory(email_verified=False)
    with clock.frozen_at(at):
        token = email_verification_token_make(user=user)
    with clock.frozen_at(at + dt.timedelta(days=3, seconds=1)):
        with pytest.raises(TokenInvalid) as info:
            user_verify_email(token=token)
    assert info.value.code == "token_expired"
    with pytest.raises(TokenInvalid) as info:
        user_verify_email(token=token[:-2] + "xx")
    assert info.value.code == "token_invalid"
    with clock.frozen_at(at):
        fresh = email_verification_token_make(user=user)
    User.objects.filter(pk=user.pk).update(email="changed@example.com")
    with clock.frozen_at(at), pytest.raises(TokenInvalid):
        user_verify_email(token=fresh)
    user.refresh_from_db()
    assert user.email_verified_at is None


def test_verification_resend_sends_only_to_unverified_accounts(sent):
    UserFactory(email="fresh@example.com", email_verified=False)
    UserFactory(email="done@example.com")
    with sent as outbox:
        user_verification_resend(email="FRESH@example.com", ip="1.1.1.1")
        user_verification_resend(email="done@example.com", ip="1.1.1.1")
        user_verification_resend(email="nobody@example.com", ip="1.1.1.1")
    assert [m.to for m in outbox] == [["fresh@example.com"]]


def test_verification_resend_per_address_limit_is_silent(settings, sent):
    settings.RATE_LIMIT_EMAIL_REQUEST_ADDRESS = (1, 3600)
    UserFactory(email="fresh@example.com", email_verified=False)
    with sent as outbox:
        user_verification_resend(email="fresh@example.com", ip="1.1.1.1")
        user_verification_resend(email="fresh@example.com", ip="1.1.1.2")
    assert len(outbox) == 1


def test_verification_resend_per_ip_limit_raises(settings):
    settings.RATE_LIMIT_EMAIL_REQUEST_IP = (1, 3600)
    user_verification_resend(email="a@example.com", ip="1.1.1.1")
    with pytest.raises(RateLimited):
        user_verification_resend(email="b@example.com", ip="1.1.1.1")


def test_user_update_changes_only_what_is_given():
    user = UserFactory(full_name="Old Name", language="fr")
    user_update(user=user, language="en")
    user.refresh_from_db()
    assert (user.full_name, user.language) == ("Old Name", "en")
    user_update(user=user, full_name=" New   Name ")
    user.refresh_from_db()
    assert (user.full_name, user.language) == ("New Name", "en")


def test_user_update_bad_input_changes_nothing_and_reports_every_field():
    user = UserFactory(full_name="Old Name", language="fr")
    with translation.override("en"), pytest.raises(ValidationFailed) as info:
        user_update(user=user, full_name="", language="es")
    assert info.value.details == {
        "full_name": ["Enter your name."],
        "language": ["Choose French or English."],
    }
    user.refresh_from_db()
    assert (user.full_name, user.language) == ("Old Name", "fr")
