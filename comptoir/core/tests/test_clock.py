import datetime as dt
import threading

import pytest

from comptoir.core import clock

T = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)


def test_now_is_aware_utc():
    now = clock.now()
    assert now.tzinfo is not None
    assert now.utcoffset() == dt.timedelta(0)


def test_frozen_at_only_inside_the_block():
    with clock.frozen_at(T) as value:
        assert value == T
        assert clock.now() == T
        assert clock.now() == T
        assert clock.wall_now() != T  # wall time is never moved
    assert clock.now() != T


def test_frozen_at_nests_and_restores():
    later = T + dt.timedelta(hours=1)
    with clock.frozen_at(T):
        with clock.frozen_at(later):
            assert clock.now() == later
        assert clock.now() == T


def test_frozen_at_is_per_context_not_per_process():
    seen = []
    with clock.frozen_at(T):
        thread = threading.Thread(target=lambda: seen.append(clock.now()))
        thread.start()
        thread.join()
    assert seen[0] != T


def test_process_time_reaches_other_threads():
    seen = []
    with clock.process_time(T):
        thread = threading.Thread(target=lambda: seen.append(clock.now()))
        thread.start()
        thread.join()
        assert clock.now() == T
    assert seen == [T]
    assert clock.now() != T


def test_frozen_wins_over_process_time():
    with clock.process_time(T), clock.frozen_at(T + dt.timedelta(days=1)):
        assert clock.now() == T + dt.timedelta(days=1)


def test_non_utc_aware_values_are_converted_to_utc():
    paris = dt.timezone(dt.timedelta(hours=2))
    with clock.frozen_at(dt.datetime(2025, 6, 1, 14, 0, tzinfo=paris)):
        assert clock.now() == T
        assert clock.now().tzinfo == dt.UTC


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError), clock.frozen_at(dt.datetime(2025, 1, 1)):  # noqa: DTZ001
        pass
    with pytest.raises(ValueError), clock.process_time(dt.datetime(2025, 1, 1)):  # noqa: DTZ001
        pass


def test_today_is_in_the_project_time_zone():
    # 23:30 UTC on 31 Dec is already 1 January in Paris.
    with clock.frozen_at(dt.datetime(2024, 12, 31, 23, 30, tzinfo=dt.UTC)):
        assert clock.today() == dt.date(2025, 1, 1)


def test_parse_iso_naive_is_europe_paris():
    assert clock.parse_iso("2025-01-15T10:00:00") == dt.datetime(2025, 1, 15, 9, 0, tzinfo=dt.UTC)
    assert clock.parse_iso("2025-07-15T10:00:00") == dt.datetime(2025, 7, 15, 8, 0, tzinfo=dt.UTC)
    assert clock.parse_iso("2025-07-15T10:00:00+00:00") == dt.datetime(
        2025, 7, 15, 10, 0, tzinfo=dt.UTC
    )
    assert clock.parse_iso("2025-07-15T10:00:00Z").tzinfo == dt.UTC


def test_parse_iso_refuses_garbage():
    with pytest.raises(ValueError):
        clock.parse_iso("yesterday")
