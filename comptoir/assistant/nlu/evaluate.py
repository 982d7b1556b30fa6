"""Evaluation: accuracy, macro-F1, the confusions that matter, out-of-scope precision and
recall, and per-utterance latency (one text at a time, as the chat calls it)."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass
class EvalResult:
    n: int
    accuracy: float
    macro_f1: float
    confusions: list[tuple[str, str, int]]  # (gold, predicted, count), most frequent first
    oos_precision: float | None = None
    oos_recall: float | None = None
    in_scope_accuracy: float | None = None
    p50_ms: float = 0.0
    p99_ms: float = 0.0
    per_label_f1: dict[str, float] = field(default_factory=dict)

    def lines(self, *, top: int = 10) -> list[str]:
        out = [f"examples: {self.n}"]
        if self.confusions:
            out.append("confusions (gold -> predicted: count):")
            out += [f"  {g} -> {p}: {c}" for g, p, c in self.confusions[:top]]
        worst = sorted(self.per_label_f1.items(), key=lambda kv: kv[1])[:5]
        if worst:
            out.append("lowest F1: " + ", ".join(f"{k}={v:.3f}" for k, v in worst))
        if self.oos_precision is not None:
            out.append(
                f"out-of-scope precision={self.oos_precision:.4f} recall={self.oos_recall:.4f} "
                f"in-scope accuracy={self.in_scope_accuracy:.4f}"
            )
        out.append(f"latency p50_ms={self.p50_ms:.2f} p99_ms={self.p99_ms:.2f}")
        out.append(self.summary())
        return out

    def summary(self) -> str:
        return f"accuracy={self.accuracy:.4f} macro_f1={self.macro_f1:.4f} p99_ms={self.p99_ms:.1f}"


def score(
    gold: Sequence[str], predicted: Sequence[str], *, oos_label: str | None = None
) -> EvalResult:
    n = len(gold)
    correct = sum(g == p for g, p in zip(gold, predicted, strict=True))
    labels = sorted(set(gold) | set(predicted))
    f1s: dict[str, float] = {}
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
        f1s[label] = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
    gold_labels = sorted(set(gold))
    macro = float(np.mean([f1s[label] for label in gold_labels])) if gold_labels else 0.0
    confusions = Counter((g, p) for g, p in zip(gold, predicted, strict=True) if g != p)
    result = EvalResult(
        n=n,
        accuracy=correct / n if n else 0.0,
        macro_f1=macro,
        confusions=[(g, p, c) for (g, p), c in confusions.most_common()],
        per_label_f1={label: f1s[label] for label in gold_labels},
    )
    if oos_label is not None:
        predicted_oos = sum(p == oos_label for p in predicted)
        gold_oos = sum(g == oos_label for g in gold)
        both = sum(g == oos_label and p == oos_label for g, p in zip(gold, predicted, strict=True))
        in_scope = [(g, p) for g, p in zip(gold, predicted, strict=True) if g != oos_label]
        result.oos_precision = both / predicted_oos if predicted_oos else 0.0
        result.oos_recall = both / gold_oos if gold_oos else 0.0
        result.in_scope_accuracy = (
            sum(g == p for g, p in in_scope) / len(in_scope) if in_scope else 0.0
        )
    return result


def evaluate(
    predict_one: Callable[[str], str],
    texts: Sequence[str],
    gold: Sequence[str],
    *,
    oos_label: str | None = None,
) -> EvalResult:
    """Predict each text alone (timed with ``perf_counter``) and score the answers."""
    predicted: list[str] = []
    latencies: list[float] = []
    for text in texts:
        start = time.perf_counter()
        predicted.append(predict_one(text))
        latencies.append((time.perf_counter() - start) * 1000)
    result = score(gold, predicted, oos_label=oos_label)
    if latencies:
        result.p50_ms = float(np.percentile(latencies, 50))
        result.p99_ms = float(np.percentile(latencies, 99))
    return result
