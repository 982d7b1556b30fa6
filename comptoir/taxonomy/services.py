"""Writes to the contact taxonomy (the supervisors' editor calls these).

Rules: codes never change; nodes are retired, never deleted; a new third-level node's code is
its parent's code + "." + the slug of its English label; every edit writes a ``NodeChange`` row
with old and new values and, after commit, calls ``taxonomy_changed_hooks``."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from comptoir.accounts.models import Skill, Team, User
from comptoir.core import clock
from comptoir.core.errors import Conflict, ValidationFailed

from .codes import SLUG_RE, slugify_label
from .enums import NodeChangeAction, Resolution
from .hooks import TaxonomyChange, run_taxonomy_changed_hooks
from .models import Node, NodeChange
from .selectors import INHERITED_SETTINGS

LABEL_MAX_LENGTH = 200
CODE_MAX_LENGTH = 160


# --- validation helpers --------------------------------------------------------------------------


def _clean_label(value: str, field: str) -> str:
    cleaned = " ".join(value.split())
    if not cleaned:
        raise ValidationFailed(
            _("A label cannot be empty."), {"fields": {field: [_("This field is required.")]}}
        )
    if len(cleaned) > LABEL_MAX_LENGTH:
        raise ValidationFailed(
            _("A label is at most %(max)d characters long.") % {"max": LABEL_MAX_LENGTH},
            {"fields": {field: [_("Too long.")]}},
        )
    return cleaned


def _check_resolution(value: str | None) -> None:
    if value is not None and value not in Resolution.values:
        raise ValidationFailed(
            _("Unknown usual resolution."),
            {
                "fields": {
                    "usual_resolution": [
                        _("Choose one of: %(choices)s.") % {"choices": ", ".join(Resolution.values)}
                    ]
                }
            },
        )


def _check_settings_allowed(
    *, level: int, given: Collection[str], inherit: Collection[str]
) -> None:
    unknown = set(inherit) - set(INHERITED_SETTINGS)
    if unknown:
        raise ValidationFailed(
            _("Only team, skill, needs-an-order and usual resolution can be inherited."),
            {"fields": {"inherit": sorted(unknown)}},
        )
    if level == 1 and (given or inherit):
        raise ValidationFailed(
            _("Categories carry no routing settings: set them on their sub-categories."),
            {"fields": {name: [_("Not allowed on a category.")] for name in [*given, *inherit]}},
        )
    if level == 2 and inherit:
        raise ValidationFailed(
            _("Only third-level nodes inherit settings."),
            {"fields": {"inherit": sorted(inherit)}},
        )
    both = set(given) & set(inherit)
    if both:
        raise ValidationFailed(
            _("A setting cannot be both set and inherited."),
            {"fields": {name: [_("Set and inherited at once.")] for name in sorted(both)}},
        )


def _audit_value(value: Any) -> Any:
    if isinstance(value, Team | Skill):
        return value.code
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _notify(change: TaxonomyChange) -> None:
    transaction.on_commit(lambda: run_taxonomy_changed_hooks(change))


def _locked(node: Node) -> Node:
    return (
        Node.objects.select_for_update(of=("self",)).select_related("team", "skill").get(pk=node.pk)
    )


# --- services ------------------------------------------------------------------------------------


def node_create(
    *,
    parent: Node | None,
    label_fr: str,
    label_en: str,
    actor: User | None = None,
    slug: str | None = None,
    position: int | None = None,
    team: Team | None = None,
    skill: Skill | None = None,
    needs_order: bool | None = None,
    usual_resolution: str | None = None,
    restricted: bool = False,
) -> Node:
    """Add a node under ``parent`` (``None``: a new category).

    The code is the parent's code + "." + the snake_case slug of ``label_en``; ``slug`` may
    replace the derived slug for categories and sub-categories only (third-level codes always
    follow the rule). A sub-category needs a team, needs_order and usual_resolution; a concern
    sets only what it overrides. Codes are never reused, even a retired node's."""
    label_fr = _clean_label(label_fr, "label_fr")
    label_en = _clean_label(label_en, "label_en")
    _check_resolution(usual_resolution)
    with transaction.atomic():
        if parent is not None:
            parent = _locked(parent)
            if parent.level >= 3:
                raise ValidationFailed(
                    _("The taxonomy has three levels: a concern cannot have children."),
                    {"fields": {"parent": [_("Choose a category or a sub-category.")]}},
                )
            if parent.is_retired:
                raise ValidationFailed(
                    _("Nothing can be added under a retired node."),
                    {"fields": {"parent": [_("This node is retired.")]}},
                )
        level = 1 if parent is None else parent.level + 1
        given = [
            name
            for name, value in (
                ("team", team),
                ("skill", skill),
                ("needs_order", needs_order),
                ("usual_resolution", usual_resolution),
            )
            if value is not None
        ]
        _check_settings_allowed(level=level, given=given, inherit=())
        if level == 2:
            missing = [
                name
                for name, value in (
                    ("team", team),
                    ("needs_order", needs_order),
                    ("usual_resolution", usual_resolution),
                )
                if value is None
            ]
            if missing:
                raise ValidationFailed(
                    _("A sub-category needs a team, needs-an-order and a usual resolution."),
                    {"fields": {name: [_("This field is required.")] for name in missing}},
                )
        if slug is not None and level == 3:
            raise ValidationFailed(
                _("A concern's code is always built from its English label."),
                {"fields": {"slug": [_("Not allowed on a concern.")]}},
            )
        own_slug = slug if slug is not None else slugify_label(label_en)
        if not SLUG_RE.match(own_slug):
            raise ValidationFailed(
                _("The code must be lowercase letters, digits and underscores."),
                {"fields": {"slug" if slug is not None else "label_en": [_("Invalid code.")]}},
            )
        code = own_slug if parent is None else f"{parent.code}.{own_slug}"
        if len(code) > CODE_MAX_LENGTH:
            raise ValidationFailed(
                _("The code is too long: shorten the English label."),
                {"fields": {"label_en": [_("Too long.")]}},
            )
        if Node.objects.filter(code=code).exists():
            raise _code_taken(code)
        if position is None:
            siblings = (
                Node.objects.filter(parent=parent) if parent else Node.objects.filter(level=1)
            )
            position = (siblings.aggregate(top=Max("position"))["top"] or 0) + 1
        node = Node(
            code=code,
            parent=parent,
            level=level,
            position=position,
            label_fr=label_fr,
            label_en=label_en,
            team=team,
            skill=skill,
            needs_order=needs_order,
            usual_resolution=usual_resolution,
            restricted=restricted,
        )
        try:
            with transaction.atomic():
                node.save()
        except IntegrityError as exc:  # a concurrent creation of the same code
            raise _code_taken(code) from exc
        changes = {
            name: [None, _audit_value(getattr(node, name))]
            for name in (
                "code",
                "label_fr",
                "label_en",
                "position",
                "team",
                "skill",
                "needs_order",
                "usual_resolution",
                "restricted",
            )
            if getattr(node, name) is not None
        }
        NodeChange.objects.create(
            node=node, actor=actor, action=NodeChangeAction.CREATE, changes=changes
        )
        _notify(TaxonomyChange(action=NodeChangeAction.CREATE, codes=(code,)))
    return node


def _code_taken(code: str) -> Conflict:
    return Conflict(
        "taxonomy_code_taken",
        _("A node with the code %(code)s already exists (codes are never reused).")
        % {"code": code},
        {"code": code, "fields": {"label_en": [_("Choose another English label.")]}},
    )


def node_update(
    *,
    node: Node,
    actor: User | None,
    label_fr: str | None = None,
    label_en: str | None = None,
    position: int | None = None,
    team: Team | None = None,
    skill: Skill | None = None,
    needs_order: bool | None = None,
    usual_resolution: str | None = None,
    restricted: bool | None = None,
    inherit: Collection[str] = (),
) -> Node:
    """Change a node's labels, position or settings; ``None`` leaves a value as it is.

    ``inherit`` names settings a third-level node should take from its parent again (its own
    value is cleared). The code never changes, even when the English label does. Returns the
    updated node; an edit that changes nothing writes nothing and calls no hook."""
    new: dict[str, Any] = {}
    if label_fr is not None:
        new["label_fr"] = _clean_label(label_fr, "label_fr")
    if label_en is not None:
        new["label_en"] = _clean_label(label_en, "label_en")
    if position is not None:
        new["position"] = position
    if restricted is not None:
        new["restricted"] = restricted
    _check_resolution(usual_resolution)
    settings_given = {
        name: value
        for name, value in (
            ("team", team),
            ("skill", skill),
            ("needs_order", needs_order),
            ("usual_resolution", usual_resolution),
        )
        if value is not None
    }
    with transaction.atomic():
        locked = _locked(node)
        _check_settings_allowed(level=locked.level, given=settings_given, inherit=inherit)
        new.update(settings_given)
        new.update({name: None for name in inherit})
        changes: dict[str, list[Any]] = {}
        for name, value in new.items():
            old = getattr(locked, name)
            if old != value:
                changes[name] = [_audit_value(old), _audit_value(value)]
                setattr(locked, name, value)
        if changes:
            locked.save(update_fields=[*changes])
            NodeChange.objects.create(
                node=locked, actor=actor, action=NodeChangeAction.UPDATE, changes=changes
            )
            _notify(
                TaxonomyChange(
                    action=NodeChangeAction.UPDATE, codes=(locked.code,), fields=tuple(changes)
                )
            )
    return locked


def node_retire(*, node: Node, actor: User | None) -> Node:
    """Retire a node and everything under it: kept for the tickets filed under it, never offered
    again (menus, forms, API, predictor). Retiring a retired node changes nothing."""
    with transaction.atomic():
        locked = _locked(node)
        if locked.is_retired:
            return locked
        now = clock.now()
        subtree = (
            Node.objects.filter(
                Q(parent=locked) | Q(parent__parent=locked), retired_at__isnull=True
            )
            .order_by("pk")
            .select_for_update(of=("self",))
        )
        touched = [locked, *subtree]
        for row in touched:
            row.retired_at = now
            row.save(update_fields=["retired_at"])
        NodeChange.objects.bulk_create(
            NodeChange(
                node=row,
                actor=actor,
                action=NodeChangeAction.RETIRE,
                changes={"retired_at": [None, now.isoformat()]},
                created_at=now,
            )
            for row in touched
        )
        _notify(
            TaxonomyChange(action=NodeChangeAction.RETIRE, codes=tuple(row.code for row in touched))
        )
    return locked
