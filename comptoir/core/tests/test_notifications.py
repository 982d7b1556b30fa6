import datetime as dt

import pytest
from django.core import mail
from django.utils.translation import gettext, gettext_lazy

from comptoir.core import clock
from comptoir.core.errors import NotFound, ValidationFailed
from comptoir.core.notifications import (
    Notification,
    NotificationKind,
    NotificationPreference,
    notification_kinds,
    notification_mark_all_read,
    notification_mark_read,
    notification_preferences_for,
    notification_preferences_update,
    notifications_for,
    notify,
    register_notification_kind,
    unread_notification_count,
)
from comptoir.core.outbox import OutboxMessage, drain_outbox

T0 = dt.datetime(2025, 5, 2, 8, 30, tzinfo=dt.UTC)


@pytest.fixture
def pushes(monkeypatch):
    sent = []
    monkeypatch.setattr(
        "comptoir.core.notifications.services.push_to_user_on_commit",
        lambda user_id, event: sent.append((user_id, event)),
    )
    return sent


@pytest.fixture
def order_kind():
    kind = register_notification_kind(
        NotificationKind(code="test-orders", label="Orders", email_default=True)
    )
    yield kind
    notification_kinds.unregister("test-orders")


def test_core_kinds_are_registered():
    account = notification_kinds.get("account")
    assert account.email_locked is True
    assert str(account.label) in {"Account and security", "Compte et sécurité"}
    system = notification_kinds.get("system")
    assert (system.email_default, system.in_app_default, system.email_locked) == (
        False,
        True,
        False,
    )


def test_notify_stores_pushes_and_emails_in_the_users_language(
    make_user, pushes, django_capture_on_commit_callbacks
):
    user = make_user(email="fr@example.com", language="fr")
    with clock.frozen_at(T0), django_capture_on_commit_callbacks(execute=True):
        notification = notify(
            user=user,
            kind="account",
            event_key="password-changed:1",
            title=gettext_lazy("Account and security"),
            body=lambda: gettext("News from Comptoir") + ".",
            url="/accounts/settings/",
        )
    assert notification is not None
    assert notification.title == "Compte et sécurité"
    assert notification.body == "Nouvelles de Comptoir."
    assert notification.created_at == T0
    assert notification.kind == "account"
    assert notification.read_at is None
    assert pushes == [
        (
            user.pk,
            {
                "type": "notification",
                "id": notification.public_id,
                "kind": "account",
                "title": "Compte et sécurité",
                "body": "Nouvelles de Comptoir.",
                "url": "/accounts/settings/",
                "created_at": T0.isoformat(),
            },
        )
    ]
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["fr@example.com"]
    assert email.subject == "Compte et sécurité"
    assert email.body.startswith(
        "Nouvelles de Comptoir.\n\nhttp://127.0.0.1:8000/accounts/settings/\n\n-- \n"
    )
    assert "Vous recevez ce message" in email.body


def test_english_user_gets_english(make_user, pushes, django_capture_on_commit_callbacks):
    user = make_user(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(
            user=user,
            kind="account",
            event_key="e1",
            title=gettext_lazy("Account and security"),
            body="",
        )
    assert notification.title == "Account and security"
    assert mail.outbox[0].subject == "Account and security"
    assert "You receive this message" in mail.outbox[0].body


def test_same_event_twice_does_nothing_the_second_time(
    user, pushes, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(user=user, kind="account", event_key="e1", title="A", body="B")
        second = notify(user=user, kind="account", event_key="e1", title="A again", body="B")
    assert first is not None
    assert second is None
    assert Notification.objects.count() == 1
    assert OutboxMessage.objects.count() == 1
    assert len(mail.outbox) == 1
    assert len(pushes) == 1


def test_same_event_for_two_users_is_two_notifications(make_user, pushes):
    a, b = make_user(), make_user()
    assert notify(user=a, kind="system", event_key="release-1", title="t", body="b") is not None
    assert notify(user=b, kind="system", event_key="release-1", title="t", body="b") is not None
    assert Notification.objects.count() == 2


def test_preferences_turn_channels_off(
    user, pushes, order_kind, django_capture_on_commit_callbacks
):
    notification_preferences_update(user=user, preferences={"test-orders": {"email": False}})
    with django_capture_on_commit_callbacks(execute=True):
        stored = notify(user=user, kind="test-orders", event_key="o1", title="t", body="b")
    assert stored is not None
    assert mail.outbox == []
    assert OutboxMessage.objects.count() == 0

    notification_preferences_update(
        user=user, preferences={"test-orders": {"email": True, "in_app": False}}
    )
    with django_capture_on_commit_callbacks(execute=True):
        stored = notify(user=user, kind="test-orders", event_key="o2", title="t", body="b")
        again = notify(user=user, kind="test-orders", event_key="o2", title="t", body="b")
    assert stored is None and again is None
    assert Notification.objects.filter(event_key="o2").count() == 0
    assert len(mail.outbox) == 1  # e-mail only, and once
    assert len(pushes) == 1  # only the first, in-app one


def test_system_kind_sends_no_email_by_default(user, pushes, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(user=user, kind="system", event_key="s1", title="t", body="b")
    assert mail.outbox == []


def test_inactive_user_gets_no_email(make_user, pushes):
    user = make_user(is_active=False)
    notify(user=user, kind="account", event_key="x", title="t", body="b")
    assert OutboxMessage.objects.count() == 0


def test_unknown_kind_and_bad_event_key_are_programming_errors(user):
    with pytest.raises(KeyError):
        notify(user=user, kind="nope", event_key="x", title="t", body="b")
    with pytest.raises(ValueError):
        notify(user=user, kind="system", event_key="", title="t", body="b")
    assert Notification.objects.count() == 0


def test_preferences_for_gives_defaults_then_stored_values(user, order_kind):
    prefs = {
        kind.code: (email, in_app)
        for kind, email, in_app in notification_preferences_for(user=user)
    }
    assert prefs["account"] == (True, True)
    assert prefs["system"] == (False, True)
    assert prefs["test-orders"] == (True, True)
    result = notification_preferences_update(
        user=user,
        preferences={"system": {"email": True, "in_app": False}, "account": {"email": False}},
    )
    prefs = {kind.code: (email, in_app) for kind, email, in_app in result}
    assert prefs["system"] == (True, False)
    assert prefs["account"] == (True, True)  # security e-mails cannot be turned off
    assert NotificationPreference.objects.filter(user=user).count() == 2


@pytest.mark.parametrize(
    "preferences",
    [
        {"nope": {"email": True}},
        {"system": {"sms": True}},
        {"system": {"email": "yes"}},
        {"system": True},
    ],
)
def test_preferences_update_refuses_bad_input_without_partial_write(user, preferences):
    with pytest.raises(ValidationFailed):
        notification_preferences_update(
            user=user, preferences={"account": {"in_app": False}, **preferences}
        )
    assert NotificationPreference.objects.count() == 0


def test_listing_unread_count_and_mark_read(user, make_user, pushes, django_assert_num_queries):
    other = make_user()
    for n in range(5):
        with clock.frozen_at(T0 + dt.timedelta(minutes=n)):
            notify(user=user, kind="system", event_key=f"s{n}", title=f"t{n}", body="")
    notify(user=other, kind="system", event_key="s0", title="other", body="")
    assert unread_notification_count(user=user) == 5

    with django_assert_num_queries(1):
        page = notifications_for(user=user, limit=3)
    assert [n.title for n in page.items] == ["t4", "t3", "t2"]
    page2 = notifications_for(user=user, cursor=page.next_cursor, limit=3)
    assert [n.title for n in page2.items] == ["t1", "t0"]
    assert page2.next_cursor is None

    target = page.items[0]
    with clock.frozen_at(T0 + dt.timedelta(hours=1)):
        marked = notification_mark_read(user=user, public_id=target.public_id)
    assert marked.read_at == T0 + dt.timedelta(hours=1)
    assert unread_notification_count(user=user) == 4
    again = notification_mark_read(user=user, public_id=target.public_id)
    assert again.read_at == T0 + dt.timedelta(hours=1)  # idempotent
    assert [n.title for n in notifications_for(user=user, unread_only=True).items] == [
        "t3",
        "t2",
        "t1",
        "t0",
    ]

    with pytest.raises(NotFound):
        notification_mark_read(user=other, public_id=target.public_id)
    with pytest.raises(NotFound):
        notification_mark_read(user=user, public_id="missing")

    assert notification_mark_all_read(user=user) == 4
    assert unread_notification_count(user=user) == 0
    assert unread_notification_count(user=other) == 1


def test_notification_email_is_retried_through_the_outbox(user, pushes, settings):
    """The e-mail goes through the outbox: nothing is sent before a drain."""
    notify(user=user, kind="account", event_key="k", title="t", body="b")
    assert mail.outbox == []
    message = OutboxMessage.objects.get()
    assert message.idempotency_key == f"notification:{user.pk}:k"
    assert drain_outbox() == 1
    assert mail.outbox[0].to == [user.email]
