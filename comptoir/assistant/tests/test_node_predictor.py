"""Core's node-predictor registry, its keyword fallback, and the engine that replaces it."""

import pytest

from comptoir.assistant import predictor
from comptoir.core.node_predictor import (
    DEFAULT_KEY,
    NodePrediction,
    keyword_predictor,
    node_predictors,
    predict_node,
)


def test_the_assistant_replaced_the_keyword_rules():
    assert node_predictors.get(DEFAULT_KEY) is predictor.predict_node


def test_keyword_fallback_rules():
    allowed = frozenset({"delivery.customs", "returns.refund"})
    assert keyword_predictor("Colis bloqué à la douane", "fr", allowed) == NodePrediction(
        "delivery.customs", 0.5
    )
    assert keyword_predictor("where is my refund", "en", allowed).code == "returns.refund"
    assert keyword_predictor("bonjour", "fr", allowed) is None
    assert keyword_predictor("colis bloqué en douane", "fr", frozenset({"returns.refund"})) is None


def test_predict_node_never_answers_outside_allowed_codes(monkeypatch):
    monkeypatch.setattr(
        node_predictors, "_entries", {DEFAULT_KEY: lambda t, lang, a: NodePrediction("x.y", 0.9)}
    )
    assert predict_node("anything", language="en", allowed_codes=["a.b"]) is None
    assert predict_node("anything", language="en", allowed_codes=["x.y"]) == NodePrediction(
        "x.y", 0.9
    )
    assert predict_node("   ", language="en", allowed_codes=["x.y"]) is None


def test_a_failing_predictor_falls_back_to_keywords(monkeypatch):
    def broken(text, language, allowed):
        raise RuntimeError("model file missing")

    monkeypatch.setattr(node_predictors, "_entries", {DEFAULT_KEY: broken})
    got = predict_node("I was charged twice", language="en", allowed_codes=["payment.charged"])
    assert got == NodePrediction("payment.charged", 0.5)


class FakeEngine:
    def predict_node(self, text, allowed):
        from comptoir.assistant.nlu.engine import NodeGuess

        return (
            NodeGuess("item.empty", 0.8)
            if "item.empty" in allowed
            else NodeGuess("item.damaged", 0.4)
        )


@pytest.mark.parametrize(
    ("allowed", "expected"),
    [
        ({"item.empty", "item.damaged"}, NodePrediction("item.empty", 0.8)),
        ({"item.damaged"}, NodePrediction("item.damaged", 0.4)),  # item.empty retired
        ({"item.empty.partial_contents"}, None),  # only a third-level code: not answerable as is
    ],
)
def test_engine_predictor_respects_allowed_codes(monkeypatch, allowed, expected):
    monkeypatch.setattr(predictor, "get_engine", lambda: FakeEngine())
    assert predictor.predict_node("empty box", "en", frozenset(allowed)) == expected


def test_the_real_engine_routes_free_text():
    got = predict_node(
        "I was charged twice for the same order",
        language="en",
        allowed_codes=["payment.charged", "payment.failed", "returns.refund"],
    )
    assert got is not None and got.code == "payment.charged"


def test_taxonomy_changes_mark_the_node_model_stale(monkeypatch):
    from comptoir.assistant.nlu import store
    from comptoir.taxonomy.hooks import (
        TaxonomyChange,
        run_taxonomy_changed_hooks,
        taxonomy_changed_hooks,
    )

    assert "assistant.node_predictor" in taxonomy_changed_hooks
    monkeypatch.setattr(store, "_stale", False)
    run_taxonomy_changed_hooks(TaxonomyChange(action="retire", codes=("item.empty",)))
    assert store._stale is True
