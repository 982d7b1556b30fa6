"""Taxonomy API: the contact tree, read by the help center, forms and clients."""

from __future__ import annotations

from typing import Annotated

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import WithJsonSchema

from comptoir.core.errors import ValidationFailed

from .selectors import NodeView, node_tree

router = Router(tags=["help"])

LANGUAGES = ("fr", "en")

# Documented as an enum, validated by hand so a bad value gets the project's own error.
LangParam = Annotated[str | None, WithJsonSchema({"type": "string", "enum": list(LANGUAGES)})]
LANG_QUERY = Query(
    None, description="Label language, `fr` or `en`; the request's language when absent."
)


class NodeOut(Schema):
    code: str
    label: str
    level: int
    needs_order: bool
    usual_resolution: str | None
    team: str | None
    restricted: bool
    children: list[NodeOut]


NodeOut.model_rebuild()


class TaxonomyOut(Schema):
    items: list[NodeOut]


def _node_out(view: NodeView) -> NodeOut:
    return NodeOut(
        code=view.code,
        label=view.label,
        level=view.level,
        needs_order=view.settings.needs_order,
        usual_resolution=view.settings.usual_resolution,
        team=view.settings.team_code,
        restricted=view.settings.restricted,
        children=[_node_out(child) for child in view.children],
    )


def _language(lang: str | None) -> str:
    if lang is not None:
        if lang not in LANGUAGES:
            raise ValidationFailed(
                _("Unsupported language: use “fr” or “en”."),
                {"fields": {"lang": [_("Choose fr or en.")]}},
            )
        return lang
    active = (translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return active if active in LANGUAGES else settings.LANGUAGE_CODE


@router.get("/taxonomy", auth=None, response=TaxonomyOut)
def taxonomy(
    request: HttpRequest,
    lang: LangParam = LANG_QUERY,
) -> TaxonomyOut:
    """The contact menu: six categories, their sub-categories and concerns, in menu order, with
    each node's effective settings. Retired nodes are never listed; restricted ones only for
    staff."""
    include_restricted = bool(getattr(request.user, "is_staff_member", False))
    tree = node_tree(
        language=_language(lang), include_retired=False, include_restricted=include_restricted
    )
    return TaxonomyOut(items=[_node_out(view) for view in tree])
