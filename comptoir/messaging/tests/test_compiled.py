from __future__ import annotations

import pytest

from comptoir.messaging import compiled
from comptoir.messaging.models import UnreadCounter
from comptoir.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def _counts(ids):
    return (
        UnreadCounter.objects.filter(user_id__in=ids)
        .order_by("user_id")
        .values_list("user_id", "count")
    )


def test_compiled_query_answers_like_the_queryset_for_other_ids(django_assert_num_queries):
    compiled.forget()
    users = [UserFactory() for _ in range(4)]
    for n, user in enumerate(users):
        UnreadCounter.objects.create(user=user, count=n + 3)
    first = compiled.rows_for_ids("test:counts", _counts, [users[0].pk, users[1].pk])
    assert first == [(users[0].pk, 3), (users[1].pk, 4)]
    # Same shape, other ids: the SQL compiled for the first call, the new ids' rows.
    with django_assert_num_queries(1):
        second = compiled.rows_for_ids("test:counts", _counts, [users[3].pk, users[2].pk])
    assert (
        second == [(users[2].pk, 5), (users[3].pk, 6)] == list(_counts([users[3].pk, users[2].pk]))
    )
    # Another number of ids is another compiled query; ids without rows give nothing.
    assert compiled.rows_for_ids("test:counts", _counts, [users[1].pk, -5, -6]) == [
        (users[1].pk, 4)
    ]
    assert compiled.rows_for_ids("test:counts", _counts, [-5]) == []


def test_ids_used_twice_are_substituted_everywhere():
    compiled.forget()
    users = [UserFactory() for _ in range(2)]
    UnreadCounter.objects.create(user=users[0], count=7)
    UnreadCounter.objects.create(user=users[1], count=8)

    def twice(ids):  # each id twice among the parameters (like both parts of a UNION)
        return (
            UnreadCounter.objects.filter(user_id__in=ids)
            .filter(user_id__in=list(ids))
            .order_by("user_id")
            .values_list("user_id", "count")
        )

    assert compiled.rows_for_ids("test:twice", twice, [users[0].pk]) == [(users[0].pk, 7)]
    assert compiled.rows_for_ids("test:twice", twice, [users[1].pk]) == [(users[1].pk, 8)]


def test_a_query_that_transforms_its_ids_is_never_cached():
    compiled.forget()
    users = [UserFactory() for _ in range(2)]
    UnreadCounter.objects.create(user=users[0], count=7)
    UnreadCounter.objects.create(user=users[1], count=8)

    def shifted(ids):  # the SQL holds ids + 0 computed in Python: no sentinel to find
        return (
            UnreadCounter.objects.filter(user_id__in=[i + 0 for i in ids if i > 0] or [0])
            .order_by("user_id")
            .values_list("user_id", "count")
        )

    assert compiled.rows_for_ids("test:shifted", shifted, [users[0].pk]) == [(users[0].pk, 7)]
    assert compiled.rows_for_ids("test:shifted", shifted, [users[1].pk]) == [(users[1].pk, 8)]
