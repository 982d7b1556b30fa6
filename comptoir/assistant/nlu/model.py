"""The text classifier: TF-IDF word and character n-grams, a linear SVM, probabilities by
temperature scaling, and the out-of-scope threshold, both fitted on out-of-fold predictions
(3 folds that never split a hand-written phrasing from its variants).

One pipeline for every label set (our intents, our nodes, Bitext, BANKING77): ``nlu_eval
--train`` trains exactly this on any file."""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
import snowballstemmer
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from .datasets import Example
from .text import normalise_for_model

#: Bump when the pipeline changes: part of the model cache key.
PIPELINE_VERSION = 2

THRESHOLD_GRID = tuple(round(0.05 * i, 2) for i in range(0, 19))  # 0.00 … 0.90


@dataclass(frozen=True)
class Hyper:
    word_ngrams: tuple[int, int] = (1, 2)
    char_ngrams: tuple[int, int] = (2, 5)
    C: float = 0.5
    embeddings: float = 0.0  # weight of the optional sentence-embedding block (0: off)


def default_hyper() -> Hyper:
    """The shipped settings; the optional embedding block only when installed and enabled."""
    from .embeddings import enabled

    return Hyper(embeddings=2.0) if enabled() else Hyper()


def featurise(
    features: FeatureUnion, texts: Sequence[str], weight: float, *, fit: bool = False
) -> Any:
    """TF-IDF blocks of the normalised texts, plus the weighted embedding block when asked."""
    normalised = [normalise_for_model(t) for t in texts]
    X = features.fit_transform(normalised) if fit else features.transform(normalised)
    if weight:
        from .embeddings import encode

        X = sparse.hstack([X, sparse.csr_matrix(encode(texts) * weight)], format="csr")
    return X


_TOKEN = re.compile(r"\w+")
_STEMMERS: list[Any] = []


@lru_cache(maxsize=200_000)
def _stem_pair(token: str) -> tuple[str, ...]:
    if not _STEMMERS:
        _STEMMERS.extend([snowballstemmer.stemmer("french"), snowballstemmer.stemmer("english")])
    french, english = _STEMMERS
    a, b = french.stemWord(token), english.stemWord(token)
    return (a,) if a == b else (a, b)


def stems(text: str) -> list[str]:
    """French and English Snowball stems of each word (both when they differ): "annulé",
    "annulation" and "annuler" meet; so do "charged" and "charging"."""
    return [stem for token in _TOKEN.findall(text) for stem in _stem_pair(token)]


def make_features(hyper: Hyper) -> FeatureUnion:
    return FeatureUnion(
        [
            ("stem", TfidfVectorizer(analyzer=stems, sublinear_tf=True, dtype=np.float32)),
            (
                "word",
                TfidfVectorizer(
                    lowercase=False,
                    ngram_range=hyper.word_ngrams,
                    token_pattern=r"(?u)\b\w+\b",
                    sublinear_tf=True,
                    dtype=np.float32,
                ),
            ),
            (
                "char",
                TfidfVectorizer(
                    lowercase=False,
                    analyzer="char_wb",
                    ngram_range=hyper.char_ngrams,
                    sublinear_tf=True,
                    min_df=2,
                    dtype=np.float32,
                ),
            ),
        ]
    )


def _softmax(scores: np.ndarray, temperature: float) -> np.ndarray:
    z = scores / temperature
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


TEMPERATURES = tuple(round(0.02 * 1.25**i, 4) for i in range(0, 22))  # 0.02 … ~2.2


def fit_temperature(scores: np.ndarray, gold_index: np.ndarray) -> float:
    """The softmax temperature that minimises the negative log-likelihood of the gold labels
    (temperature scaling, one parameter, fitted on held-back data)."""
    best_t, best_nll = 0.1, float("inf")
    rows = np.arange(len(gold_index))
    for t in TEMPERATURES:
        p = _softmax(scores, t)[rows, gold_index]
        nll = float(-np.log(np.clip(p, 1e-12, None)).mean())
        if nll < best_nll:
            best_t, best_nll = t, nll
    return best_t


class _FastVectoriser:
    """One text → (column indices, tf-idf values) of the union, as the fitted vectorisers would
    compute them, without sklearn's per-call overhead (a few hundred n-grams in a dict)."""

    def __init__(self, features: FeatureUnion) -> None:
        self.parts: list[tuple[Any, dict[str, int], np.ndarray, int]] = []
        offset = 0
        for _, vectoriser in features.transformer_list:
            vocabulary = vectoriser.vocabulary_
            self.parts.append(
                (
                    vectoriser.build_analyzer(),
                    vocabulary,
                    vectoriser.idf_.astype(np.float64),
                    offset,
                )
            )
            offset += len(vocabulary)

    def __call__(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        indices: list[int] = []
        values: list[float] = []
        for analyse, vocabulary, idf, offset in self.parts:
            counts: dict[int, int] = {}
            for term in analyse(text):
                j = vocabulary.get(term)
                if j is not None:
                    counts[j] = counts.get(j, 0) + 1
            if not counts:
                continue
            cols = np.fromiter(counts, dtype=np.int64, count=len(counts))
            tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
            weights = (1.0 + np.log(tf)) * idf[cols]
            weights /= np.sqrt((weights * weights).sum())
            indices.extend((cols + offset).tolist())
            values.extend(weights.tolist())
        return np.asarray(indices, dtype=np.int64), np.asarray(values, dtype=np.float32)


@dataclass
class TextClassifier:
    """TF-IDF features, a linear SVM, and softmax probabilities at a fitted temperature."""

    features: FeatureUnion
    coef_t: np.ndarray  # (n_features, n_classes), float32
    intercept: np.ndarray  # (n_classes,)
    labels: list[str]
    temperature: float = 0.1
    embedding_weight: float = 0.0
    _fast: _FastVectoriser | None = field(default=None, repr=False, compare=False)

    @classmethod
    def fit(cls, examples: Sequence[Example], hyper: Hyper | None = None) -> TextClassifier:
        hyper = hyper or Hyper()
        features = make_features(hyper)
        X = featurise(features, [e.text for e in examples], hyper.embeddings, fit=True)
        return cls.fit_matrix(features, X, [e.label for e in examples], hyper)

    @classmethod
    def fit_matrix(
        cls, features: FeatureUnion, X: Any, labels: Sequence[str], hyper: Hyper
    ) -> TextClassifier:
        """The SVM on already computed features (folds share one fitted vocabulary)."""
        svm = LinearSVC(C=hyper.C, class_weight="balanced")
        svm.fit(X, list(labels))
        classes = [str(c) for c in svm.classes_]
        coef = svm.coef_.astype(np.float32)
        intercept = svm.intercept_.astype(np.float32)
        if len(classes) == 2:  # binary LinearSVC has one row: make it two, symmetric
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
            intercept = np.array([-intercept[0] / 2, intercept[0] / 2], dtype=np.float32)
        return cls(
            features=features,
            coef_t=np.ascontiguousarray(coef.T),
            intercept=intercept,
            labels=classes,
            embedding_weight=hyper.embeddings,
        )

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 1:
            if self._fast is None:
                self._fast = _FastVectoriser(self.features)
            cols, vals = self._fast(normalise_for_model(texts[0]))
            row = self.intercept.astype(np.float64)
            if len(cols):
                row = row + vals @ self.coef_t[cols]
            if self.embedding_weight:
                from .embeddings import DIMENSIONS, encode

                dense = encode(texts)[0] * self.embedding_weight
                row = row + dense @ self.coef_t[-DIMENSIONS:]
            return row[np.newaxis, :].astype(np.float64)
        X = featurise(self.features, texts, self.embedding_weight)
        return np.asarray(X @ self.coef_t + self.intercept, dtype=np.float64)

    def proba(self, texts: Sequence[str]) -> np.ndarray:
        return _softmax(self.scores(texts), self.temperature)

    def calibrate(self, examples: Sequence[Example]) -> None:
        index = {label: i for i, label in enumerate(self.labels)}
        known = [e for e in examples if e.label in index]
        if known:
            gold = np.array([index[e.label] for e in known])
            self.temperature = fit_temperature(self.scores([e.text for e in known]), gold)

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        probabilities = self.proba(texts)
        best = probabilities.argmax(axis=1)
        return [(self.labels[i], float(row[i])) for i, row in zip(best, probabilities, strict=True)]

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_fast"] = None
        return state


def split_examples(
    examples: Sequence[Example], *, fraction: float = 0.2, seed: int = 13
) -> tuple[list[Example], list[Example]]:
    """A validation split that keeps every group (a hand-written phrasing and its variants) on
    one side, per label, so validation measures unseen wordings; examples without a group are
    their own group."""
    by_label: dict[str, dict[str, list[Example]]] = defaultdict(lambda: defaultdict(list))
    for index, example in enumerate(examples):
        by_label[example.label][example.group or f"#{index}"].append(example)
    rng = random.Random(seed)
    train: list[Example] = []
    validation: list[Example] = []
    for label in sorted(by_label):
        groups = sorted(by_label[label])
        rng.shuffle(groups)
        held = max(1, round(len(groups) * fraction)) if len(groups) >= 3 else 0
        for i, group in enumerate(groups):
            (validation if i < held else train).extend(by_label[label][group])
    return train, validation


def group_folds(examples: Sequence[Example], *, k: int = 3, seed: int = 13) -> list[int]:
    """A fold number (0..k-1) per example; every group (a hand-written phrasing and its
    variants) stays in one fold, and each label's groups are spread over the folds."""
    by_label: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for index, example in enumerate(examples):
        by_label[example.label][example.group or f"#{index}"].append(index)
    rng = random.Random(seed)
    folds = [0] * len(examples)
    for label in sorted(by_label):
        groups = sorted(by_label[label])
        rng.shuffle(groups)
        for i, group in enumerate(groups):
            for index in by_label[label][group]:
                folds[index] = i % k
    return folds


def out_of_fold_scores(
    examples: Sequence[Example], hyper: Hyper | None, *, k: int = 3
) -> tuple[np.ndarray, list[str], FeatureUnion, Any]:
    """Decision scores of every example from an SVM that never saw its phrasing group (the
    vocabulary is fitted once on everything: cheaper, and harmless for calibration). Returns
    the fitted features and matrix too, for the final fit."""
    hyper = hyper or Hyper()
    features = make_features(hyper)
    X = featurise(features, [e.text for e in examples], hyper.embeddings, fit=True)
    labels = sorted({e.label for e in examples})
    gold = np.array([e.label for e in examples])
    column = {label: i for i, label in enumerate(labels)}
    scores = np.full((len(examples), len(labels)), -1e3)
    folds = np.array(group_folds(examples, k=k))
    for fold in range(k):
        train = np.flatnonzero(folds != fold)
        held = np.flatnonzero(folds == fold)
        if not len(held) or len(set(gold[train])) < 2:
            continue
        model = TextClassifier.fit_matrix(features, X[train], gold[train].tolist(), hyper)
        fold_scores = np.asarray(X[held] @ model.coef_t + model.intercept)
        cols = np.array([column[label] for label in model.labels], dtype=np.int64)
        scores[np.ix_(held, cols)] = fold_scores
    return scores, labels, features, X


def apply_threshold(
    predictions: Sequence[tuple[str, float]], threshold: float, oos_label: str | None
) -> list[str]:
    if oos_label is None:
        return [label for label, _ in predictions]
    return [label if conf >= threshold else oos_label for label, conf in predictions]


def choose_threshold(
    predictions: Sequence[tuple[str, float]], gold: Sequence[str], oos_label: str
) -> tuple[float, dict[str, float]]:
    """The confidence threshold under which a prediction becomes ``oos_label``: the grid value
    with the best balance of in-scope accuracy and out-of-scope recall on validation data
    (mean of the two), ties to the lower threshold."""
    scores: dict[str, float] = {}
    best_t, best_score = 0.0, -1.0
    in_scope = [i for i, g in enumerate(gold) if g != oos_label]
    oos = [i for i, g in enumerate(gold) if g == oos_label]
    for t in THRESHOLD_GRID:
        labels = apply_threshold(predictions, t, oos_label)
        acc_in = sum(labels[i] == gold[i] for i in in_scope) / max(1, len(in_scope))
        rec_oos = sum(labels[i] == oos_label for i in oos) / max(1, len(oos)) if oos else 1.0
        score = (acc_in + rec_oos) / 2
        scores[f"{t:.2f}"] = round(score, 4)
        if score > best_score + 1e-9:
            best_t, best_score = t, score
    return best_t, scores


@dataclass
class IntentModel:
    """A classifier plus its out-of-scope rule (threshold chosen on held-back phrasings)."""

    classifier: TextClassifier
    oos_label: str | None
    threshold: float
    report: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def train(
        cls,
        examples: Sequence[Example],
        *,
        oos_label: str | None,
        hyper: Hyper | None = None,
        calibrate: bool = True,
    ) -> IntentModel:
        threshold = 0.0
        temperature = 0.1
        hyper = hyper or Hyper()
        report: dict[str, Any] = {"examples": len(examples)}
        if calibrate and len(examples) >= 30:
            scores, labels, features, X = out_of_fold_scores(examples, hyper)
            gold = np.array([labels.index(e.label) for e in examples])
            temperature = fit_temperature(scores, gold)
            report["temperature"] = temperature
            if oos_label is not None and oos_label in labels:
                probabilities = _softmax(scores, temperature)
                best = probabilities.argmax(axis=1)
                predictions = [(labels[b], float(probabilities[i, b])) for i, b in enumerate(best)]
                threshold, curve = choose_threshold(
                    predictions, [e.label for e in examples], oos_label
                )
                report["threshold_scores"] = curve
            classifier = TextClassifier.fit_matrix(features, X, [e.label for e in examples], hyper)
        else:
            classifier = TextClassifier.fit(examples, hyper)
        report["threshold"] = threshold
        classifier.temperature = temperature
        return cls(classifier=classifier, oos_label=oos_label, threshold=threshold, report=report)

    def predict(self, texts: Sequence[str]) -> list[tuple[str, float]]:
        """(label, confidence of the best in-scope guess); the label is ``oos_label`` under the
        threshold."""
        raw = self.classifier.predict(texts)
        labels = apply_threshold(raw, self.threshold, self.oos_label)
        return [(label, conf) for label, (_, conf) in zip(labels, raw, strict=True)]
