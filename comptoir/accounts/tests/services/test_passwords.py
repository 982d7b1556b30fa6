import datetime as dt
import re

import pytest

from comptoir.accounts.errors import TokenInvalid
from comptoir.accounts.services import (
    password_change,
    password_reset_confirm,
    password_reset_request,
    password_reset_user,
)
from comptoir.core import clock
from comptoir.core.errors import RateLimited, ValidationFailed
from comptoir.testing.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
NEW = "a-brand-new-passphrase-9"


def reset_parts(message) -> tuple[str, str]:
    match = re.search(r"/accounts/password/reset/([^/]+)/([^/]+)/", message.body)
    assert match, message.body
    return match.group(1), match.group(2)


def test_change_password_checks_the_current_one_and_sends_a_notice(sent):
    user = UserFactory(language="en")
    with sent as outbox:
        password_change(user=user, current_password=DEFAULT_PASSWORD, new_password=NEW)
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert [m.subject for m in outbox] == ["Your Comptoir password was changed"]


@pytest.mark.parametrize(
    ("current", "new", "field"),
    [("wrong", NEW, "current_password"), (DEFAULT_PASSWORD, "short", "new_password")],
)
def test_change_password_bad_input_changes_nothing(current, new, field, sent):
    user = UserFactory()
    with sent as outbox, pytest.raises(ValidationFailed) as info:
        password_change(user=user, current_password=current, new_password=new)
    assert field in info.value.details
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)
    assert outbox == []


def test_reset_request_sends_a_link_that_works_once(sent):
    user = UserFactory(email="lea@example.com", language="fr")
    with sent as outbox:
        password_reset_request(email="LEA@example.com", ip="1")
    assert [m.subject for m in outbox] == ["Réinitialisez votre mot de passe Comptoir"]
    uid, token = reset_parts(outbox[0])
    assert password_reset_user(uidb64=uid, token=token) == user
    with sent as outbox:
        password_reset_confirm(uidb64=uid, token=token, new_password=NEW)
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert [m.subject for m in outbox] == ["Votre mot de passe Comptoir a été modifié"]
    with pytest.raises(TokenInvalid):
        password_reset_confirm(uidb64=uid, token=token, new_password="another-passphrase-77")


def test_reset_request_for_unknown_address_sends_nothing_and_says_nothing(sent):
    with sent as outbox:
        assert password_reset_request(email="nobody@example.com", ip="1") is None
    assert outbox == []


def test_reset_request_rejects_a_malformed_address():
    with pytest.raises(ValidationFailed):
        password_reset_request(email="nope", ip="1")


def test_reset_link_expires_after_three_days(sent):
    UserFactory(email="lea@example.com")
    at = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
    with clock.frozen_at(at), sent as outbox:
        password_reset_request(email="lea@example.com", ip="1")
    uid, token = reset_parts(outbox[0])
    with clock.frozen_at(at + dt.timedelta(days=2, hours=23)):
        password_reset_user(uidb64=uid, token=token)
    with clock.frozen_at(at + dt.timedelta(days=3, seconds=1)), pytest.raises(TokenInvalid):
        password_reset_user(uidb64=uid, token=token)


def test_reset_confirm_with_a_weak_password_changes_nothing(sent):
    user = UserFactory(email="lea@example.com")
    with sent as outbox:
        password_reset_request(email="lea@example.com", ip="1")
    uid, token = reset_parts(outbox[0])
    with pytest.raises(ValidationFailed):
        password_reset_confirm(uidb64=uid, token=token, new_password="123")
    user.refresh_from_db()
    assert user.check_password(DEFAULT_PASSWORD)
    password_reset_user(uidb64=uid, token=token)  # still usable


@pytest.mark.parametrize(("uid", "token"), [("!!", "x-y"), ("bm9ib2R5", "abc-def"), ("", "")])
def test_reset_rejects_garbage_links(uid, token):
    with pytest.raises(TokenInvalid):
        password_reset_user(uidb64=uid, token=token)


def test_reset_requests_are_limited(settings, sent):
    settings.RATE_LIMIT_EMAIL_REQUEST_ADDRESS = (1, 3600)
    settings.RATE_LIMIT_EMAIL_REQUEST_IP = (3, 3600)
    UserFactory(email="lea@example.com")
    with sent as outbox:
        password_reset_request(email="lea@example.com", ip="1")
        password_reset_request(email="lea@example.com", ip="1")  # silent
    assert len(outbox) == 1
    password_reset_request(email="other@example.com", ip="1")
    with pytest.raises(RateLimited):
        password_reset_request(email="third@example.com", ip="1")
