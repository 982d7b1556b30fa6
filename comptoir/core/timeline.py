"""The customer-timeline registry: the customer's whole story beside a ticket in the console.

Lives in core so that any app can plug its entries in from its own ``AppConfig.ready`` without
importing the console (apps import downwards only). A provider is a function
``(*, user, ticket) -> list[TimelineEntry]``::

    from comptoir.core.timeline import timeline_providers
    timeline_providers.register("disputes", dispute_entries)

It must return only what ``user`` (the agent) may see, in a constant number of queries (it runs
on every ticket view), and at most ``LIMIT`` entries. ``order_facts`` lets an app add lines to
an order's entry (the ledger: money held) without the console importing it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .registry import Registry

LIMIT = 10


@dataclass(frozen=True)
class TimelineEntry:
    kind: str  # "order", "ticket", "conversation", "dispute"…
    at: dt.datetime
    title: str
    url: str = ""
    subtitle: str = ""
    badges: list[tuple[str, str]] = field(default_factory=list)  # (label, tone)
    lines: list[str] = field(default_factory=list)


TimelineProvider = Callable[..., list[TimelineEntry]]
timeline_providers: Registry[TimelineProvider] = Registry("customer timeline providers")

# (orders) -> {order id: [extra lines]}; called once per page with all the orders shown.
OrderFacts = Callable[[list[Any]], dict[int, list[str]]]
order_facts: Registry[OrderFacts] = Registry("customer timeline order facts")
