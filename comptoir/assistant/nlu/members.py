"""The linear members of the classifier ensemble and how their probabilities are fused.

Every member is linear in the features (TF-IDF n-grams, or the optional sentence embedding), so
the ensemble is one matrix: the members' weight columns side by side. One sparse product gives
every member's scores; each member's softmax, at its own temperature (fitted on out-of-fold
scores), is then averaged with the members' weights (late fusion)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.svm import LinearSVC

#: What each member is fitted on: the TF-IDF block, or the sentence-embedding block.
TEXT = "text"
EMBEDDING = "embedding"

MEMBER_INPUT = {
    "svm": TEXT,  # one-vs-rest linear SVM (squared hinge)
    "cs": TEXT,  # Crammer-Singer multi-class SVM
    "lr": TEXT,  # multinomial logistic regression
    "sgd": TEXT,  # modified-Huber loss, stochastic gradient
    "emb_lr": EMBEDDING,  # logistic regression on the sentence embedding
}


def make_member(kind: str, C: float) -> Any:
    """An unfitted estimator; ``C`` is the SVM's regularisation, the others scale from it."""
    if kind == "svm":
        return LinearSVC(C=C, class_weight="balanced")
    if kind == "cs":
        return LinearSVC(C=C, multi_class="crammer_singer", class_weight="balanced")
    if kind == "lr":
        return LogisticRegression(C=60 * C, max_iter=500, class_weight="balanced")
    if kind == "sgd":
        return SGDClassifier(
            loss="modified_huber",
            alpha=5e-5,
            max_iter=50,
            tol=1e-4,
            class_weight="balanced",
            random_state=0,
        )
    if kind == "emb_lr":
        return LogisticRegression(C=20.0, max_iter=1000, class_weight="balanced")
    raise ValueError(f"unknown ensemble member {kind!r}")


def fit_member(
    kind: str, X: Any, labels: Sequence[str], C: float, classes: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """(coef (n_features, n_classes), intercept (n_classes,)) with columns in ``classes``
    order; a class the member did not see gets a score far below the others."""
    estimator = make_member(kind, C)
    estimator.fit(X, list(labels))
    seen = [str(c) for c in estimator.classes_]
    coef = np.asarray(estimator.coef_, dtype=np.float32)
    intercept = np.asarray(estimator.intercept_, dtype=np.float32).reshape(-1)
    if len(seen) == 2 and coef.shape[0] == 1:  # binary: one row, make it two, symmetric
        coef = np.vstack([-coef[0] / 2, coef[0] / 2])
        intercept = np.array([-intercept[0] / 2, intercept[0] / 2], dtype=np.float32)
    full_coef = np.zeros((X.shape[1], len(classes)), dtype=np.float32)
    full_intercept = np.full(len(classes), -1e3, dtype=np.float32)
    column = {label: i for i, label in enumerate(classes)}
    for row, label in enumerate(seen):
        full_coef[:, column[label]] = coef[row]
        full_intercept[column[label]] = intercept[row]
    return full_coef, full_intercept


def softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores / temperature
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


TEMPERATURES = tuple(round(0.02 * 1.25**i, 4) for i in range(0, 26))  # 0.02 … ~5.3


def fit_temperature(scores: np.ndarray, gold_index: np.ndarray) -> float:
    """The softmax temperature that minimises the negative log-likelihood of the gold labels
    (temperature scaling, one parameter, fitted on held-back data)."""
    best_t, best_nll = 0.1, float("inf")
    rows = np.arange(len(gold_index))
    for t in TEMPERATURES:
        p = softmax(scores, t)[rows, gold_index]
        nll = float(-np.log(np.clip(p, 1e-12, None)).mean())
        if nll < best_nll:
            best_t, best_nll = t, nll
    return best_t


def fuse(scores: np.ndarray, temperatures: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(n, members × classes) scores → (n, classes) probabilities: each member's softmax at
    its temperature, averaged with the members' weights."""
    members = len(temperatures)
    per_member = scores.reshape(scores.shape[0], members, -1)
    probabilities = np.stack(
        [softmax(per_member[:, m, :], float(temperatures[m])) for m in range(members)], axis=1
    )
    mixed = (probabilities * weights[np.newaxis, :, np.newaxis]).sum(axis=1)
    return mixed / weights.sum()


def fit_temperatures(scores: np.ndarray, gold_index: np.ndarray, members: int) -> np.ndarray:
    per_member = scores.reshape(scores.shape[0], members, -1)
    return np.array(
        [fit_temperature(per_member[:, m, :], gold_index) for m in range(members)],
        dtype=np.float64,
    )
