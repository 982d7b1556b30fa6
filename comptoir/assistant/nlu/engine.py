"""The understanding engine: language, intent (or out-of-scope), entities, taxonomy node."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from comptoir.core.language import DetectedLanguage, detect_language

from .datasets import Example, read_examples
from .entities import Entity, extract_entities
from .labels import OUT_OF_SCOPE, SMALL_TALK
from .model import IntentModel, TextClassifier, default_hyper

DATA_DIR = Path(__file__).resolve().parent / "data"
TRAIN_DIR = DATA_DIR / "train"
HELDOUT_DIR = DATA_DIR / "heldout"
MAX_TEXT_CHARS = 5000


@dataclass(frozen=True)
class NodeGuess:
    code: str
    confidence: float


@dataclass(frozen=True)
class Understanding:
    text: str
    language: DetectedLanguage
    intent: str
    confidence: float
    entities: list[Entity]
    node: NodeGuess | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "language": {
                "code": self.language.code,
                "name": self.language.name,
                "confidence": self.language.confidence,
                "supported": self.language.supported,
            },
            "intent": self.intent,
            "confidence": round(self.confidence, 4),
            "entities": [e.as_dict() for e in self.entities],
            "node": (
                {"code": self.node.code, "confidence": round(self.node.confidence, 4)}
                if self.node
                else None
            ),
        }


def intent_examples(train_dir: Path = TRAIN_DIR) -> list[Example]:
    examples: list[Example] = []
    for path in sorted(train_dir.glob("intents_*.csv")):
        examples += read_examples(path, label_col="intent", group_col="group")
    return examples


def node_examples(
    train_dir: Path = TRAIN_DIR, *, codes: Iterable[str] | None = None
) -> list[Example]:
    """Node-labelled examples: the intent files' ``node`` column and the node-only files,
    restricted to ``codes`` (the live second-level nodes) when given."""
    examples: list[Example] = []
    for path in sorted(train_dir.glob("intents_*.csv")):
        examples += read_examples(path, label_col="node", group_col="group")
    for path in sorted(train_dir.glob("nodes_*.csv")):
        examples += read_examples(path, label_col="node", group_col="group")
    if codes is not None:
        allowed = set(codes)
        examples = [e for e in examples if e.label in allowed]
    return examples


def train_node_classifier(examples: Sequence[Example]) -> TextClassifier | None:
    if len({e.label for e in examples}) < 2:
        return None
    return IntentModel.train(examples, oos_label=None, hyper=default_hyper()).classifier


@dataclass
class Engine:
    intents: IntentModel
    nodes: TextClassifier | None
    meta: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def train(
        cls, train_dir: Path = TRAIN_DIR, *, node_codes: Iterable[str] | None = None
    ) -> Engine:
        start = time.perf_counter()
        intents = IntentModel.train(
            intent_examples(train_dir), oos_label=OUT_OF_SCOPE, hyper=default_hyper()
        )
        nodes = train_node_classifier(node_examples(train_dir, codes=node_codes))
        meta = {
            "trained_in_s": round(time.perf_counter() - start, 2),
            "threshold": intents.threshold,
            "intent_report": intents.report,
            "node_labels": nodes.labels if nodes else [],
        }
        return cls(intents=intents, nodes=nodes, meta=meta)

    def classify(self, text: str) -> tuple[str, float]:
        return self.intents.predict([text])[0]

    def predict_node(self, text: str, allowed: Iterable[str] | None = None) -> NodeGuess | None:
        """The best second-level node among ``allowed`` (all trained nodes when None), with its
        probability renormalised over the allowed ones; None when none is allowed."""
        if self.nodes is None:
            return None
        probabilities = self.nodes.proba([text])[0]
        if allowed is not None:
            allowed_set = set(allowed)
            mask = np.array([label in allowed_set for label in self.nodes.labels])
            if not mask.any():
                return None
            probabilities = np.where(mask, probabilities, 0.0)
            probabilities = probabilities / probabilities.sum()
        best = int(probabilities.argmax())
        return NodeGuess(code=self.nodes.labels[best], confidence=float(probabilities[best]))

    def understand(
        self,
        text: str,
        *,
        language_hint: str | None = None,
        allowed_nodes: Iterable[str] | None = None,
        today: dt.date | None = None,
    ) -> Understanding:
        text = (text or "")[:MAX_TEXT_CHARS]
        intent, confidence = self.classify(text)
        node = None
        if intent != OUT_OF_SCOPE and intent not in SMALL_TALK:
            node = self.predict_node(text, allowed_nodes)
        return Understanding(
            text=text,
            language=detect_language(text, hint=language_hint),
            intent=intent,
            confidence=confidence,
            entities=extract_entities(text, today=today),
            node=node,
        )
