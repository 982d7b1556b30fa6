"""``POST /api/v1/assistant/understand``: what the engine reads in a text."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from comptoir.core.errors import ValidationFailed

from .nlu.engine import MAX_TEXT_CHARS
from .nlu.store import get_engine
from .predictor import live_node_codes

router = Router(tags=["assistant"])


class UnderstandIn(Schema):
    text: str
    language: str | None = None  # the account language: a hint for very short texts


class LanguageOut(Schema):
    code: str
    name: str
    confidence: float
    supported: bool


class EntityOut(Schema):
    type: str
    text: str
    value: Any
    start: int
    end: int


class PredictedNodeOut(Schema):
    code: str
    confidence: float


class UnderstandOut(Schema):
    language: LanguageOut
    intent: str
    confidence: float
    entities: list[EntityOut]
    node: PredictedNodeOut | None


@router.post("/understand", response=UnderstandOut)
def understand(request: HttpRequest, payload: UnderstandIn) -> dict[str, Any]:
    text = payload.text.strip()
    if not text:
        raise ValidationFailed(_("The text is empty."), {"fields": {"text": [_("Required.")]}})
    if len(text) > MAX_TEXT_CHARS:
        raise ValidationFailed(
            _("The text is too long."),
            {"fields": {"text": [_("At most %(n)d characters.") % {"n": MAX_TEXT_CHARS}]}},
        )
    hint = (payload.language or "").lower()[:2] or None
    result = get_engine().understand(text, language_hint=hint, allowed_nodes=live_node_codes())
    return result.as_dict()
