"""Keyset pagination: ``{"items": [...], "next_cursor": "…" | null}``, no COUNT, no OFFSET.

The cursor holds the ordering values of the last item of the page, signed (django.core.signing)
so that it cannot be forged or reused with another ordering. Order fields must not be NULL;
the primary key is appended as the final tie-breaker when the ordering lacks it."""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.core import signing
from django.db.models import Field, Model, Q, QuerySet
from django.utils.translation import gettext as _

from .errors import ApplicationError

T = TypeVar("T")

DEFAULT_ORDER: tuple[str, ...] = ("-created_at", "-pk")
_SALT = "comptoir.pagination"


class InvalidCursor(ApplicationError):
    http_status = 422

    def __init__(self) -> None:
        super().__init__(
            "invalid_cursor", _("This page link is invalid or has expired; start again.")
        )


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"items": self.items, "next_cursor": self.next_cursor}


def _normalise_order(model: type[Model], order: Sequence[str]) -> tuple[str, ...]:
    if not order:
        raise ValueError("paginate: an ordering is required.")
    pk_names = {"pk", model._meta.pk.name}  # type: ignore[union-attr]
    fields = tuple(order)
    if not any(part.lstrip("-") in pk_names for part in fields):
        fields = (*fields, "-pk" if fields[-1].startswith("-") else "pk")
    return fields


def _field(model: type[Model], path: str) -> Field[Any, Any]:
    current: type[Model] = model
    parts = path.split("__")
    for index, part in enumerate(parts):
        field = current._meta.pk if part == "pk" else current._meta.get_field(part)
        if index == len(parts) - 1:
            return field  # type: ignore[return-value]
        if field.related_model is None:  # type: ignore[union-attr]
            raise ValueError(f"paginate: {path!r} is not a field path.")
        current = field.related_model  # type: ignore[union-attr,assignment]
    raise ValueError(f"paginate: empty field path {path!r}.")


def _value_of(item: Any, path: str) -> Any:
    value = item
    for part in path.split("__"):
        value = value[part] if isinstance(value, dict) else getattr(value, part)
    return value


def _encode(value: Any) -> Any:
    if value is None:
        raise ValueError("paginate: ordering values must not be NULL.")
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bool | int | float | str):
        return value
    raise ValueError(f"paginate: cannot put a {type(value).__name__} in a cursor.")


def _salt(model: type[Model], order: tuple[str, ...]) -> str:
    return f"{_SALT}:{model._meta.label_lower}:{','.join(order)}"


def _decode_cursor(model: type[Model], order: tuple[str, ...], cursor: str) -> list[Any]:
    try:
        raw = signing.loads(cursor, salt=_salt(model, order))
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise InvalidCursor from exc
    if not isinstance(raw, list) or len(raw) != len(order):
        raise InvalidCursor
    values = []
    for part, value in zip(order, raw, strict=True):
        try:
            values.append(_field(model, part.lstrip("-")).to_python(value))
        except Exception as exc:  # a validation error of the field: the cursor is bad
            raise InvalidCursor from exc
    return values


def _after(order: tuple[str, ...], values: list[Any]) -> Q:
    """Rows strictly after ``values`` in ``order``: a lexicographic tuple comparison."""
    condition = Q()
    for index, part in enumerate(order):
        name = part.lstrip("-")
        lookup = "lt" if part.startswith("-") else "gt"
        clause = Q(**{f"{name}__{lookup}": values[index]})
        for previous, value in zip(order[:index], values[:index], strict=True):
            clause &= Q(**{previous.lstrip("-"): value})
        condition |= clause
    return condition


def paginate(
    queryset: QuerySet[Any],
    *,
    order: tuple[str, ...] = DEFAULT_ORDER,
    cursor: str | None = None,
    limit: int = 25,
    max_limit: int = 100,
) -> Page[Any]:
    """One page of ``queryset`` in ``order`` after ``cursor``; one query, no COUNT.

    ``limit`` is clamped to 1..``max_limit``. A forged, corrupted or foreign cursor raises
    ``InvalidCursor`` (code ``invalid_cursor``, HTTP 422)."""
    model = queryset.model
    fields = _normalise_order(model, order)
    size = max(1, min(int(limit), max_limit))
    rows = queryset.order_by(*fields)
    if cursor:
        rows = rows.filter(_after(fields, _decode_cursor(model, fields, cursor)))
    items = list(rows[: size + 1])
    next_cursor = None
    if len(items) > size:
        items = items[:size]
        last = items[-1]
        payload = [_encode(_value_of(last, part.lstrip("-"))) for part in fields]
        next_cursor = signing.dumps(payload, salt=_salt(model, fields), compress=True)
    return Page(items=items, next_cursor=next_cursor)


@functools.cache
def page_schema(item_schema: type[Any]) -> type[Any]:
    """A ninja schema ``{"items": [item], "next_cursor": str | null}`` for OpenAPI."""
    from ninja import Schema
    from pydantic import create_model

    return create_model(  # type: ignore[call-overload,no-any-return]
        f"{item_schema.__name__}Page",
        __base__=Schema,
        items=(list[item_schema], ...),  # type: ignore[valid-type]
        next_cursor=(str | None, None),
    )
