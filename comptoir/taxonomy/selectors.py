"""Reads of the contact taxonomy.

Settings (team, skill, needs-an-order, usual resolution) live on level 2 and are inherited by
level 3 unless the level-3 node sets its own; ``restricted`` is inherited downwards (a restricted
category restricts everything under it). Retired nodes are kept for history but never offered.

The whole tree is read in one query (about a hundred rows): every selector that needs more than
one node builds on ``_all_nodes``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext

from comptoir.accounts.models import Skill, Team
from comptoir.core.errors import NotFound

from .models import Node

# Settings set on level 2 and inherited by level 3 when the level-3 value is null.
INHERITED_SETTINGS: tuple[str, ...] = ("team", "skill", "needs_order", "usual_resolution")


@dataclass(frozen=True)
class NodeSettings:
    team: Team | None
    skill: Skill | None
    needs_order: bool
    usual_resolution: str | None
    restricted: bool
    # Which of INHERITED_SETTINGS come from the parent rather than the node itself (for the editor).
    inherited: frozenset[str] = field(default_factory=frozenset)

    @property
    def team_code(self) -> str | None:
        return self.team.code if self.team is not None else None

    @property
    def skill_code(self) -> str | None:
        return self.skill.code if self.skill is not None else None


@dataclass(frozen=True)
class NodeView:
    code: str
    parent_code: str | None
    label: str
    level: int
    position: int
    settings: NodeSettings
    retired: bool
    children: tuple[NodeView, ...] = ()

    @property
    def is_leaf(self) -> bool:
        return not self.children


# --- resolution ------------------------------------------------------------------------------


def _resolve(node: Node, parent: NodeSettings | None) -> NodeSettings:
    """The effective settings of ``node`` given its parent's effective settings."""
    restricted = node.restricted or (parent.restricted if parent is not None else False)
    if node.level == 1 or parent is None:
        return NodeSettings(
            team=None, skill=None, needs_order=False, usual_resolution=None, restricted=restricted
        )
    if node.level == 2:
        return NodeSettings(
            team=node.team,
            skill=node.skill,
            needs_order=bool(node.needs_order),
            usual_resolution=node.usual_resolution,
            restricted=restricted,
        )
    inherited = frozenset(
        name
        for name, own in (
            ("team", node.team_id),
            ("skill", node.skill_id),
            ("needs_order", node.needs_order),
            ("usual_resolution", node.usual_resolution),
        )
        if own is None
    )
    return NodeSettings(
        team=node.team if node.team_id is not None else parent.team,
        skill=node.skill if node.skill_id is not None else parent.skill,
        needs_order=node.needs_order if node.needs_order is not None else parent.needs_order,
        usual_resolution=node.usual_resolution or parent.usual_resolution,
        restricted=restricted,
        inherited=inherited,
    )


def effective_settings(node: Node) -> NodeSettings:
    """Team, skill, needs-an-order, usual resolution and restriction as they apply to ``node``.

    Walks ``node.parent``: no query when the ancestors were fetched with ``select_related``
    (``node_get`` does), one per missing ancestor otherwise."""
    chain: list[Node] = []
    current: Node | None = node
    while current is not None:
        chain.append(current)
        current = current.parent
    settings: NodeSettings | None = None
    for ancestor in reversed(chain):
        settings = _resolve(ancestor, settings)
    assert settings is not None
    return settings


def _all_nodes(*, include_retired: bool) -> list[Node]:
    queryset = Node.objects.select_related("team", "skill").order_by("level", "position", "code")
    if not include_retired:
        queryset = queryset.filter(retired_at__isnull=True)
    return list(queryset)


def _resolved_nodes(
    *, include_retired: bool, include_restricted: bool
) -> list[tuple[Node, NodeSettings]]:
    """Every offered node with its effective settings, parents before children, in menu order.

    A node whose parent is left out (retired or restricted) is left out too."""
    resolved: dict[int, NodeSettings] = {}
    out: list[tuple[Node, NodeSettings]] = []
    for node in _all_nodes(include_retired=include_retired):
        parent_settings: NodeSettings | None = None
        if node.parent_id is not None:
            parent_settings = resolved.get(node.parent_id)
            if parent_settings is None:
                continue
        settings = _resolve(node, parent_settings)
        if settings.restricted and not include_restricted:
            continue
        resolved[node.pk] = settings
        out.append((node, settings))
    return out


# --- public selectors --------------------------------------------------------------------------


def node_tree(
    *, language: str, include_retired: bool = False, include_restricted: bool = True
) -> list[NodeView]:
    """The three-level tree, categories first, each level in menu order (one query).

    ``include_restricted=False`` is for customers (restricted nodes are for staff);
    ``include_retired=True`` is for the editor (``NodeView.retired`` tells them apart)."""
    rows = _resolved_nodes(include_retired=include_retired, include_restricted=include_restricted)
    children_of: dict[int | None, list[Node]] = defaultdict(list)
    settings_of: dict[int, NodeSettings] = {}
    code_of: dict[int, str] = {}
    for node, settings in rows:
        children_of[node.parent_id].append(node)
        settings_of[node.pk] = settings
        code_of[node.pk] = node.code

    def build(node: Node) -> NodeView:
        return NodeView(
            code=node.code,
            parent_code=code_of.get(node.parent_id) if node.parent_id is not None else None,
            label=node.label(language),
            level=node.level,
            position=node.position,
            settings=settings_of[node.pk],
            retired=node.is_retired,
            children=tuple(build(child) for child in children_of.get(node.pk, [])),
        )

    return [build(root) for root in children_of.get(None, [])]


def node_get(*, code: str, include_retired: bool = True) -> Node:
    """One node by code, with its ancestors, team and skill loaded (``effective_settings`` is
    then free). Retired nodes are returned unless ``include_retired=False`` (tickets keep the
    node they were filed under; forms accept only offered nodes)."""
    queryset = Node.objects.select_related(
        "team", "skill", "parent__team", "parent__skill", "parent__parent"
    )
    if not include_retired:
        queryset = queryset.filter(retired_at__isnull=True)
    try:
        return queryset.get(code=code)
    except Node.DoesNotExist as exc:
        raise NotFound(gettext("This topic does not exist."), details={"code": code}) from exc


def team_for_node(*, code: str) -> Team | None:
    """The team that owns the node (level 3 inherits its level-2 parent's team); None for a
    category."""
    return effective_settings(node_get(code=code)).team


def _menu_key(node: Node) -> tuple[list[int], str]:
    """Depth-first menu order: the positions from the category down (ancestors must be loaded)."""
    positions: list[int] = []
    current: Node | None = node
    while current is not None:
        positions.insert(0, current.position)
        current = current.parent
    return positions, node.code


def nodes_for_team(*, team: Team, include_retired: bool = False) -> list[Node]:
    """The second- and third-level nodes whose effective team is ``team``, in menu order (each
    sub-category followed by its concerns). One query; ``effective_settings`` is free on them."""
    queryset = Node.objects.filter(
        Q(team=team) | Q(level=3, team__isnull=True, parent__team=team)
    ).select_related("team", "skill", "parent__team", "parent__skill", "parent__parent")
    if not include_retired:
        queryset = queryset.filter(retired_at__isnull=True)
    return sorted(queryset, key=_menu_key)


def node_codes(*, level: int | None = None, include_retired: bool = False) -> list[str]:
    """Codes in menu order, e.g. ``node_codes(level=2)`` for the node predictor's classes."""
    queryset = Node.objects.select_related("parent__parent").only(
        "code", "position", "parent__code", "parent__position", "parent__parent__position"
    )
    if level is not None:
        queryset = queryset.filter(level=level)
    if not include_retired:
        queryset = queryset.filter(retired_at__isnull=True)
    return [node.code for node in sorted(queryset, key=_menu_key)]


Choices = list[tuple[str, list[tuple[str, str]]]]


def leaf_choices(*, language: str, include_restricted: bool = False) -> Choices:
    """Grouped choices for a form's ``<select>``: one group per category, one option per leaf
    (a concern, or a sub-category without concerns), labelled "Sub-category › Concern".
    Retired nodes are never offered; restricted ones only when asked (staff forms)."""
    tree = node_tree(
        language=language, include_retired=False, include_restricted=include_restricted
    )
    groups: Choices = []
    for category in tree:
        options: list[tuple[str, str]] = []
        for sub in category.children:
            if sub.is_leaf:
                options.append((sub.code, sub.label))
            options.extend((leaf.code, f"{sub.label} › {leaf.label}") for leaf in sub.children)
        if options:
            groups.append((category.label, options))
    return groups


def iter_nodes(tree: Iterable[NodeView]) -> Iterable[NodeView]:
    """Depth-first walk of a ``node_tree`` result."""
    for view in tree:
        yield view
        yield from iter_nodes(view.children)
