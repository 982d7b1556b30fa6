"""Extension point of the order page: panels that later apps (Buyer protection, Disputes) add
to the order detail page without an upward import.

A panel provider is ``fn(*, order, user, actors) -> Panel | None`` registered in the provider
app's ``AppConfig.ready``::

    from comptoir.orders.panels import order_page_panels
    order_page_panels.register("ledger", protection_panel)

The order page renders each returned panel's ``template`` with ``panel`` = its ``context``,
in key order, at the top of the side column."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from comptoir.core.registry import Registry


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict[str, Any] = field(default_factory=dict)


class PanelProvider(Protocol):
    def __call__(self, *, order: Any, user: Any, actors: set[Any]) -> Panel | None: ...


order_page_panels: Registry[PanelProvider] = Registry("order page panels")


def panels_for(*, order: Any, user: Any, actors: set[Any]) -> list[Panel]:
    found = []
    for _key, provider in order_page_panels.items():
        panel = provider(order=order, user=user, actors=actors)
        if panel is not None:
            found.append(panel)
    return found
