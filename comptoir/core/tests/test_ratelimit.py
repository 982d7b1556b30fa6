import datetime as dt
import threading

import pytest
from django.core.cache import cache
from django.db import transaction
from django.utils import translation

from comptoir.core import clock
from comptoir.core.errors import RateLimited
from comptoir.core.ratelimit import rate_limit, rate_limit_count, rate_limit_reset

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 12, 10, 0, 0, tzinfo=dt.UTC)  # a window boundary for 60 s and 900 s


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def test_allows_up_to_the_limit_then_refuses_with_retry_after():
    with clock.frozen_at(T0 + dt.timedelta(seconds=15)):
        for _ in range(3):
            rate_limit(key="login:ip:1.2.3.4", limit=3, window_seconds=60)
        assert rate_limit_count(key="login:ip:1.2.3.4", window_seconds=60) == 3
        with pytest.raises(RateLimited) as info:
            rate_limit(key="login:ip:1.2.3.4", limit=3, window_seconds=60)
    assert info.value.retry_after == 45
    assert info.value.http_status == 429
    assert info.value.code == "rate_limited"
    assert info.value.details == {"retry_after": 45}


def test_refused_attempts_still_count():
    with clock.frozen_at(T0):
        rate_limit(key="k", limit=1, window_seconds=60)
        for _ in range(3):
            with pytest.raises(RateLimited):
                rate_limit(key="k", limit=1, window_seconds=60)
        assert rate_limit_count(key="k", window_seconds=60) == 4


def test_keys_are_independent():
    with clock.frozen_at(T0):
        rate_limit(key="login:email:a@example.com", limit=1, window_seconds=60)
        rate_limit(key="login:email:b@example.com", limit=1, window_seconds=60)
        with pytest.raises(RateLimited):
            rate_limit(key="login:email:a@example.com", limit=1, window_seconds=60)


def test_a_new_window_starts_from_zero():
    with clock.frozen_at(T0 + dt.timedelta(seconds=59)):
        rate_limit(key="k", limit=1, window_seconds=60)
        with pytest.raises(RateLimited) as info:
            rate_limit(key="k", limit=1, window_seconds=60)
        assert info.value.retry_after == 1
    with clock.frozen_at(T0 + dt.timedelta(seconds=60)):
        rate_limit(key="k", limit=1, window_seconds=60)
        assert rate_limit_count(key="k", window_seconds=60) == 1


def test_counter_keeps_the_window_timeout_on_the_database_cache(settings):
    # BaseCache.incr re-sets the value with the default timeout (300 s): a 900 s window must
    # keep its counter for the whole window. The database cache is the embedded default's; the
    # PostgreSQL pass uses Redis, so this test switches to the database cache explicitly.
    from django.core.management import call_command
    from django.db import connection

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "comptoir_cache",
        }
    }
    call_command("createcachetable", verbosity=0)

    with clock.frozen_at(T0):
        rate_limit(key="long", limit=2, window_seconds=900)
        rate_limit(key="long", limit=2, window_seconds=900)
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM comptoir_cache")
        (expires,) = cursor.fetchone()
    if isinstance(expires, str):
        expires = dt.datetime.fromisoformat(expires)
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=dt.UTC)
    assert (expires - clock.wall_now()).total_seconds() > 850


def test_reset_forgets_the_current_window():
    with clock.frozen_at(T0):
        rate_limit(key="k", limit=1, window_seconds=60)
        rate_limit_reset(key="k", window_seconds=60)
        rate_limit(key="k", limit=1, window_seconds=60)


def test_message_is_translated():
    with clock.frozen_at(T0), translation.override("fr"):
        rate_limit(key="k", limit=1, window_seconds=600)
        with pytest.raises(RateLimited) as info:
            rate_limit(key="k", limit=1, window_seconds=600)
    assert info.value.message == "Trop de tentatives. Réessayez dans 10 minute(s)."
    with clock.frozen_at(T0), translation.override("en"):
        with pytest.raises(RateLimited) as info:
            rate_limit(key="k", limit=1, window_seconds=600)
    assert info.value.message == "Too many attempts. Please try again in 10 minute(s)."


def test_rejects_nonsense_parameters():
    with pytest.raises(ValueError):
        rate_limit(key="k", limit=0, window_seconds=60)
    with pytest.raises(ValueError):
        rate_limit(key="k", limit=1, window_seconds=0)


def test_keys_with_odd_characters_are_accepted():
    rate_limit(key="login:email:é @weird\n key" * 20, limit=1, window_seconds=60)


@pytest.mark.django_db(transaction=True)
def test_concurrent_attempts_are_all_counted():
    cache.clear()
    errors: list[BaseException] = []
    refused = []

    def attempt() -> None:
        from django.db import connection

        try:
            with clock.frozen_at(T0):
                rate_limit(key="race", limit=10, window_seconds=900)
        except RateLimited:
            refused.append(1)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with clock.frozen_at(T0):
        assert rate_limit_count(key="race", window_seconds=900) == 16
    assert len(refused) == 6
    with transaction.atomic():
        cache.clear()
