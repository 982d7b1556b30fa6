"""The node predictor that the support desk's intake calls (registered in ``apps.py``)."""

from __future__ import annotations

import logging

from comptoir.core.node_predictor import NodePrediction

from .nlu.store import get_engine

logger = logging.getLogger(__name__)


def live_node_codes() -> list[str] | None:
    """The live (non-retired) second-level codes, or None when the taxonomy can't be read (no
    table yet): the engine then trains on every node of its data. Retired nodes are also
    excluded at prediction time through ``allowed_codes``."""
    try:
        from comptoir.taxonomy.selectors import node_codes

        codes = node_codes(level=2)
    except Exception:
        logger.debug("taxonomy not readable; node model trained on all nodes", exc_info=True)
        return None
    return codes or None


def predict_node(text: str, language: str, allowed: frozenset[str]) -> NodePrediction | None:
    # A third-level allowed code also allows its second-level parent's prediction.
    level2 = {".".join(code.split(".")[:2]) for code in allowed}
    guess = get_engine().predict_node(text, level2)
    if guess is None or guess.code not in allowed:
        return None
    return NodePrediction(code=guess.code, confidence=guess.confidence)
