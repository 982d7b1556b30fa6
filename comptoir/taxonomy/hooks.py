"""``taxonomy_changed_hooks``: called after commit whenever the tree is edited.

Later apps register a callable in their ``AppConfig.ready`` (the node predictor marks its model
stale, a cache drops the tree…)::

    from comptoir.taxonomy.hooks import taxonomy_changed_hooks
    taxonomy_changed_hooks.register("assistant.node_predictor", mark_stale)

A hook receives one ``TaxonomyChange``. A failing hook is logged and does not stop the others:
the edit is already committed."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from comptoir.core.registry import Registry

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TaxonomyChange:
    action: str  # a NodeChangeAction value: "create", "update" or "retire"
    codes: tuple[str, ...]  # every node the edit touched (a retirement includes descendants)
    fields: tuple[str, ...] = ()  # for updates: the fields that changed


TaxonomyHook = Callable[[TaxonomyChange], None]

taxonomy_changed_hooks: Registry[TaxonomyHook] = Registry("taxonomy changed hooks")


def run_taxonomy_changed_hooks(change: TaxonomyChange) -> None:
    for key, hook in taxonomy_changed_hooks.items():
        try:
            hook(change)
        except Exception:
            logger.exception("taxonomy changed hook %r failed for %s", key, change)
