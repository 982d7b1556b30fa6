import datetime as dt
import threading
import time

import pytest
from django.core import mail
from django.db import connection, transaction

from comptoir.core import clock
from comptoir.core.outbox import (
    BACKOFF_SCHEDULE,
    OutboxMessage,
    OutboxState,
    backoff_delay,
    drain_outbox,
    email_enqueue,
    on_enqueue_hooks,
    outbox_enqueue,
    outbox_handlers,
    outbox_retry,
)
from comptoir.core.sweeps import run_sweep, sweeps

T0 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def recorder():
    """A test handler under kind "test" that records payloads and fails on demand."""
    calls: list[dict] = []
    failures = {"left": 0}

    def handler(payload: dict) -> None:
        if failures["left"]:
            failures["left"] -= 1
            raise RuntimeError(f"provider down ({payload.get('n')})")
        calls.append(payload)

    outbox_handlers.register("test", handler)
    yield calls, failures
    outbox_handlers.unregister("test")


def test_enqueue_writes_a_pending_row_due_now(db, recorder):
    with clock.frozen_at(T0):
        message = outbox_enqueue(kind="test", payload={"n": 1}, idempotency_key="k1")
    message.refresh_from_db()
    assert message.state == OutboxState.PENDING
    assert message.attempts == 0
    assert message.next_attempt_at == T0
    assert message.created_at == T0
    assert message.payload == {"n": 1}
    assert message.idempotency_key == "k1"


def test_same_idempotency_key_returns_the_existing_row(db, recorder):
    first = outbox_enqueue(kind="test", payload={"n": 1}, idempotency_key="same")
    second = outbox_enqueue(kind="test", payload={"n": 2}, idempotency_key="same")
    assert second.pk == first.pk
    assert second.payload == {"n": 1}
    assert OutboxMessage.objects.count() == 1


def test_without_key_each_enqueue_is_a_new_message(db, recorder):
    a = outbox_enqueue(kind="test", payload={})
    b = outbox_enqueue(kind="test", payload={})
    assert a.pk != b.pk
    assert a.idempotency_key.startswith("auto:")


def test_unknown_kind_is_refused(db):
    with pytest.raises(KeyError):
        outbox_enqueue(kind="nope", payload={})
    assert OutboxMessage.objects.count() == 0


def test_rolled_back_transaction_leaves_no_message_and_no_delivery(
    db, recorder, django_capture_on_commit_callbacks
):
    calls, _ = recorder
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ZeroDivisionError):
            with transaction.atomic():
                outbox_enqueue(kind="test", payload={"n": 1})
                1 / 0  # noqa: B018
    assert callbacks == []
    assert OutboxMessage.objects.count() == 0
    assert calls == []


def test_commit_triggers_a_drain(db, recorder, django_capture_on_commit_callbacks):
    calls, _ = recorder
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = outbox_enqueue(kind="test", payload={"n": 7})
        assert calls == []  # nothing is delivered before commit
    assert len(callbacks) == 1
    assert calls == [{"n": 7}]
    message.refresh_from_db()
    assert message.state == OutboxState.SENT
    assert message.attempts == 1


def test_hooks_are_pluggable_and_a_failing_hook_is_logged_not_raised(
    db, recorder, django_capture_on_commit_callbacks, caplog
):
    seen = []

    def broken(message):
        raise RuntimeError("broker down")

    saved = list(on_enqueue_hooks)
    on_enqueue_hooks[:] = [broken, seen.append]
    try:
        with django_capture_on_commit_callbacks(execute=True):
            message = outbox_enqueue(kind="test", payload={"n": 1})
    finally:
        on_enqueue_hooks[:] = saved
    assert seen == [message]
    assert "on-enqueue hook" in caplog.text
    message.refresh_from_db()
    assert message.state == OutboxState.PENDING  # not drained: the sweep will send it


def test_drain_sends_due_messages_once(db, recorder):
    calls, _ = recorder
    with clock.frozen_at(T0):
        outbox_enqueue(kind="test", payload={"n": 1})
        outbox_enqueue(kind="test", payload={"n": 2})
        assert drain_outbox() == 2
        assert drain_outbox() == 0
    assert calls == [{"n": 1}, {"n": 2}]
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {OutboxState.SENT}
    assert list(OutboxMessage.objects.values_list("sent_at", flat=True)) == [T0, T0]


def test_drain_respects_the_limit(db, recorder):
    calls, _ = recorder
    for n in range(5):
        outbox_enqueue(kind="test", payload={"n": n})
    assert drain_outbox(limit=3) == 3
    assert [c["n"] for c in calls] == [0, 1, 2]
    assert drain_outbox(limit=3) == 2


def test_backoff_schedule_is_deterministic():
    assert [backoff_delay(n) for n in range(1, 10)] == [
        dt.timedelta(seconds=30),
        dt.timedelta(minutes=2),
        dt.timedelta(minutes=10),
        dt.timedelta(hours=1),
        dt.timedelta(hours=6),
        dt.timedelta(hours=12),
        dt.timedelta(hours=24),
        dt.timedelta(hours=24),
        dt.timedelta(hours=24),
    ]
    assert BACKOFF_SCHEDULE[0] == dt.timedelta(seconds=30)


def test_failure_retries_with_backoff_then_succeeds(db, recorder):
    calls, failures = recorder
    failures["left"] = 2
    with clock.frozen_at(T0):
        message = outbox_enqueue(kind="test", payload={"n": 1})
        assert drain_outbox() == 0
    message.refresh_from_db()
    assert message.state == OutboxState.PENDING
    assert message.attempts == 1
    assert message.next_attempt_at == T0 + dt.timedelta(seconds=30)
    assert message.last_error == "RuntimeError: provider down (1)"
    assert message.claimed_until is None

    # Not due 29 seconds later.
    assert drain_outbox(now=T0 + dt.timedelta(seconds=29)) == 0
    message.refresh_from_db()
    assert message.attempts == 1

    t1 = T0 + dt.timedelta(seconds=30)
    assert drain_outbox(now=t1) == 0
    message.refresh_from_db()
    assert message.attempts == 2
    assert message.next_attempt_at == t1 + dt.timedelta(minutes=2)

    t2 = t1 + dt.timedelta(minutes=2)
    assert drain_outbox(now=t2) == 1
    message.refresh_from_db()
    assert message.state == OutboxState.SENT
    assert message.attempts == 3
    assert message.sent_at == t2
    assert message.last_error == ""
    assert calls == [{"n": 1}]


def test_dead_after_max_attempts_and_retry_action_revives_it(db, recorder, settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    calls, failures = recorder
    failures["left"] = 3
    with clock.frozen_at(T0):
        message = outbox_enqueue(kind="test", payload={"n": 9})
    at = T0
    for expected_attempts in (1, 2, 3):
        drain_outbox(now=at)
        message.refresh_from_db()
        assert message.attempts == expected_attempts
        at = message.next_attempt_at
    assert message.state == OutboxState.DEAD
    assert message.last_error == "RuntimeError: provider down (9)"
    # Dead messages are never picked up again.
    assert drain_outbox(now=T0 + dt.timedelta(days=30)) == 0
    assert calls == []

    with clock.frozen_at(T0 + dt.timedelta(days=1)):
        assert outbox_retry(message_ids=[message.pk]) == 1
    message.refresh_from_db()
    assert message.state == OutboxState.PENDING
    assert message.attempts == 0
    assert message.next_attempt_at == T0 + dt.timedelta(days=1)
    assert drain_outbox(now=T0 + dt.timedelta(days=1)) == 1
    assert calls == [{"n": 9}]


def test_default_max_attempts_is_eight(db, recorder):
    _calls, failures = recorder
    failures["left"] = 100
    with clock.frozen_at(T0):
        message = outbox_enqueue(kind="test", payload={})
    at = T0
    for _ in range(7):
        drain_outbox(now=at)
        message.refresh_from_db()
        assert message.state == OutboxState.PENDING
        at = message.next_attempt_at
    drain_outbox(now=at)
    message.refresh_from_db()
    assert (message.state, message.attempts) == (OutboxState.DEAD, 8)


def test_retry_leaves_sent_messages_alone(db, recorder):
    message = outbox_enqueue(kind="test", payload={})
    drain_outbox()
    assert outbox_retry(message_ids=[message.pk]) == 0
    message.refresh_from_db()
    assert message.state == OutboxState.SENT


def test_a_claimed_message_is_skipped_until_its_claim_expires(db, recorder):
    """A worker that crashed mid-delivery leaves a claim; the message is not lost."""
    calls, _ = recorder
    message = outbox_enqueue(kind="test", payload={"n": 1})
    OutboxMessage.objects.filter(pk=message.pk).update(
        claimed_until=clock.wall_now() + dt.timedelta(minutes=5), claim_token="crashed"
    )
    assert drain_outbox() == 0
    assert calls == []
    OutboxMessage.objects.filter(pk=message.pk).update(
        claimed_until=clock.wall_now() - dt.timedelta(seconds=1)
    )
    assert drain_outbox() == 1
    assert calls == [{"n": 1}]


def test_unregistered_handler_at_drain_time_counts_as_a_failure(db, recorder):
    with clock.frozen_at(T0):
        message = outbox_enqueue(kind="test", payload={})
    outbox_handlers.unregister("test")
    assert drain_outbox(now=T0) == 0
    message.refresh_from_db()
    assert message.attempts == 1
    assert "nothing registered under 'test'" in message.last_error


def test_outbox_sweep_is_registered_every_ten_seconds(db, recorder):
    assert sweeps.get("outbox").every == dt.timedelta(seconds=10)
    calls, _ = recorder
    outbox_enqueue(kind="test", payload={"n": 3})
    result = run_sweep("outbox", now=clock.now())
    assert (result.handled, result.skipped) == (1, False)
    assert calls == [{"n": 3}]


def test_email_is_delivered_through_the_backend(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = email_enqueue(
            to=["buyer@example.com"],
            subject="Votre colis",
            body_text="Bonjour",
            body_html="<p>Bonjour</p>",
            reply_to=["support@example.com"],
            headers={"X-Comptoir": "1"},
            idempotency_key="mail-1",
        )
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["buyer@example.com"]
    assert sent.subject == "Votre colis"
    assert sent.body == "Bonjour"
    assert sent.alternatives[0][0] == "<p>Bonjour</p>"
    assert sent.alternatives[0][1] == "text/html"
    assert sent.reply_to == ["support@example.com"]
    assert sent.from_email == "Comptoir <no-reply@comptoir.localhost>"
    assert sent.extra_headers["X-Comptoir"] == "1"
    assert sent.extra_headers["Message-ID"] == message.payload["headers"]["Message-ID"]
    assert sent.extra_headers["Message-ID"].endswith("@comptoir.localhost>")
    message.refresh_from_db()
    assert message.kind == "email"
    assert message.state == OutboxState.SENT


def test_email_same_key_is_sent_once(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email_enqueue(to=["a@example.com"], subject="s", body_text="b", idempotency_key="once")
        email_enqueue(to=["a@example.com"], subject="s", body_text="b", idempotency_key="once")
    drain_outbox()
    assert len(mail.outbox) == 1


def test_email_without_recipient_is_refused(db):
    with pytest.raises(ValueError):
        email_enqueue(to=[" "], subject="s", body_text="b")
    assert OutboxMessage.objects.count() == 0


def test_email_backend_failure_is_retried(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = 9  # discard port: nothing listens, connection refused
    settings.EMAIL_TIMEOUT = 2
    with clock.frozen_at(T0):
        message = email_enqueue(to=["a@example.com"], subject="s", body_text="b")
    assert drain_outbox(now=T0) == 0
    message.refresh_from_db()
    assert message.attempts == 1
    assert message.state == OutboxState.PENDING
    assert message.last_error
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_drains_send_each_message_exactly_once():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(":memory"):
        pytest.skip("needs a file database")
    calls: list[int] = []
    lock = threading.Lock()
    gate = threading.Barrier(2)

    def slow_handler(payload):
        time.sleep(0.005)  # let the other drain run meanwhile
        with lock:
            calls.append(payload["n"])

    outbox_handlers.register("test", slow_handler)
    saved_hooks = list(on_enqueue_hooks)
    on_enqueue_hooks[:] = []  # no drain after each commit: the two drains below do the work
    try:
        for n in range(40):
            outbox_enqueue(kind="test", payload={"n": n})
        results: list[int] = []
        errors: list[BaseException] = []

        def worker():
            try:
                gate.wait()
                total = 0
                while sent := drain_outbox(limit=4):  # small batches: the drains interleave
                    total += sent
                results.append(total)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert sorted(calls) == list(range(40))
        assert sum(results) == 40
        assert len(results) == 2
        assert OutboxMessage.objects.filter(state=OutboxState.SENT).count() == 40
    finally:
        on_enqueue_hooks[:] = saved_hooks
        outbox_handlers.unregister("test")


def test_a_handler_that_enqueues_does_not_reenter_the_drain(db, recorder):
    """Outside a transaction on_commit runs at once; the running drain picks the new row up."""
    calls, _ = recorder
    order: list[str] = []

    def chain(payload: dict) -> None:
        order.append("chain")
        outbox_enqueue(kind="test", payload={"n": "follow-up"})

    outbox_handlers.register("test-chain", chain)
    try:
        saved = list(on_enqueue_hooks)
        on_enqueue_hooks[:] = []
        outbox_enqueue(kind="test-chain", payload={})
        on_enqueue_hooks[:] = saved
        assert drain_outbox() == 2
    finally:
        outbox_handlers.unregister("test-chain")
    assert order == ["chain"]
    assert calls == [{"n": "follow-up"}]


def test_admin_retry_action(db, admin_client, recorder):
    with clock.frozen_at(T0):
        message = outbox_enqueue(kind="test", payload={})
    OutboxMessage.objects.filter(pk=message.pk).update(
        state=OutboxState.DEAD, attempts=8, last_error="boom"
    )
    listing = admin_client.get("/admin/core/outboxmessage/")
    assert listing.status_code == 200
    response = admin_client.post(
        "/admin/core/outboxmessage/",
        {"action": "retry", "_selected_action": [message.pk]},
        follow=True,
    )
    assert response.status_code == 200
    message.refresh_from_db()
    assert (message.state, message.attempts, message.last_error) == (OutboxState.PENDING, 0, "boom")
