import datetime as dt

import pytest
from django.core import signing
from ninja import Schema

from comptoir.core import clock
from comptoir.core.outbox import OutboxMessage
from comptoir.core.pagination import InvalidCursor, Page, page_schema, paginate

T0 = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def rows(db):
    """55 rows, created_at shared by groups of 4 (ties), kinds a/b/c."""
    created = []
    for n in range(55):
        created.append(
            OutboxMessage(
                kind="abc"[n % 3],
                payload={"n": n},
                idempotency_key=f"k{n:02d}",
                created_at=T0 + dt.timedelta(minutes=n // 4),
            )
        )
    OutboxMessage.objects.bulk_create(created)
    return list(OutboxMessage.objects.order_by("pk"))


def walk(queryset, **kwargs):
    seen, cursor, pages = [], None, 0
    while True:
        page = paginate(queryset, cursor=cursor, **kwargs)
        seen.extend(page.items)
        pages += 1
        if page.next_cursor is None:
            return seen, pages
        cursor = page.next_cursor


def test_walks_every_row_exactly_once_with_ties(rows):
    seen, pages = walk(OutboxMessage.objects.all(), limit=10)
    assert pages == 6
    assert len(seen) == 55
    assert len({row.pk for row in seen}) == 55
    expected = sorted(rows, key=lambda r: (r.created_at, r.pk), reverse=True)
    assert [r.pk for r in seen] == [r.pk for r in expected]


def test_ascending_order_and_other_fields(rows):
    seen, _ = walk(OutboxMessage.objects.all(), order=("kind", "created_at"), limit=7)
    expected = sorted(rows, key=lambda r: (r.kind, r.created_at, r.pk))
    assert [r.pk for r in seen] == [r.pk for r in expected]


def test_mixed_directions(rows):
    seen, _ = walk(OutboxMessage.objects.all(), order=("kind", "-idempotency_key"), limit=8)
    expected = sorted(
        sorted(rows, key=lambda r: r.idempotency_key, reverse=True), key=lambda r: r.kind
    )
    assert [r.pk for r in seen] == [r.pk for r in expected]


def test_filtered_queryset(rows):
    seen, _ = walk(OutboxMessage.objects.filter(kind="b"), limit=5)
    assert len(seen) == 18
    assert {r.kind for r in seen} == {"b"}


def test_constant_number_of_queries_per_page(rows, django_assert_num_queries):
    cursor = None
    for _ in range(6):
        with django_assert_num_queries(1):
            page = paginate(OutboxMessage.objects.all(), cursor=cursor, limit=10)
        cursor = page.next_cursor
    assert cursor is None


def test_no_count_query(rows, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        paginate(OutboxMessage.objects.all(), limit=10)
    assert len(ctx.captured_queries) == 1
    assert "COUNT" not in ctx.captured_queries[0]["sql"].upper()


def test_limit_is_clamped(rows):
    assert len(paginate(OutboxMessage.objects.all(), limit=500, max_limit=20).items) == 20
    assert len(paginate(OutboxMessage.objects.all(), limit=0).items) == 1


def test_exact_last_page_has_no_next_cursor(rows):
    page = paginate(OutboxMessage.objects.all(), limit=55)
    assert len(page.items) == 55
    assert page.next_cursor is None
    assert page.as_dict()["next_cursor"] is None


def test_empty_queryset(db):
    assert paginate(OutboxMessage.objects.all()) == Page(items=[], next_cursor=None)


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "eyJhIjoxfQ:1abc:def",
        signing.dumps(["2025-01-01T00:00:00+00:00", 1], salt="other"),
    ],
)
def test_bad_or_forged_cursor_is_refused(rows, cursor):
    with pytest.raises(InvalidCursor) as info:
        paginate(OutboxMessage.objects.all(), cursor=cursor)
    assert info.value.code == "invalid_cursor"
    assert info.value.http_status == 422


def test_cursor_of_another_ordering_is_refused(rows):
    cursor = paginate(OutboxMessage.objects.all(), limit=5).next_cursor
    with pytest.raises(InvalidCursor):
        paginate(OutboxMessage.objects.all(), order=("kind",), cursor=cursor)


def test_cursor_with_wrong_value_types_is_refused(rows):
    salt = "comptoir.pagination:core.outboxmessage:-created_at,-pk"
    forged = signing.dumps(["not a date", "x"], salt=salt, compress=True)
    with pytest.raises(InvalidCursor):
        paginate(OutboxMessage.objects.all(), cursor=forged)


def test_cursor_is_opaque_and_tamper_proof(rows):
    cursor = paginate(OutboxMessage.objects.all(), limit=5).next_cursor
    tampered = cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB")
    with pytest.raises(InvalidCursor):
        paginate(OutboxMessage.objects.all(), cursor=tampered)


def test_rows_created_after_the_first_page_do_not_shift_the_walk(rows):
    page = paginate(OutboxMessage.objects.all(), limit=10)
    with clock.frozen_at(T0 + dt.timedelta(days=1)):
        OutboxMessage.objects.create(kind="a", payload={}, idempotency_key="new")
    rest, _ = walk(OutboxMessage.objects.all(), limit=10)
    second = paginate(OutboxMessage.objects.all(), cursor=page.next_cursor, limit=10)
    assert second.items[0].pk not in {r.pk for r in page.items}
    assert len(rest) == 56


def test_page_schema_for_openapi():
    class Item(Schema):
        name: str

    PageSchema = page_schema(Item)
    assert page_schema(Item) is PageSchema  # cached: one component per item schema
    assert PageSchema.__name__ == "ItemPage"
    data = PageSchema(items=[{"name": "x"}], next_cursor=None).model_dump()
    assert data == {"items": [{"name": "x"}], "next_cursor": None}
    schema = PageSchema.model_json_schema()
    assert set(schema["properties"]) == {"items", "next_cursor"}
    assert schema["required"] == ["items"]
