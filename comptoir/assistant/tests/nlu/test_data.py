"""The training and held-out data meet issue 10's counts, and never overlap."""

import csv
import re
import unicodedata
from collections import Counter

import pytest

from comptoir.assistant.nlu.engine import HELDOUT_DIR, TRAIN_DIR
from comptoir.assistant.nlu.labels import INTENT_NODES, INTENTS, NODES, OUT_OF_SCOPE


def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def norm(text):
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_training_counts(lang):
    intents = rows(TRAIN_DIR / f"intents_{lang}.csv")
    per_intent = Counter(r["intent"] for r in intents)
    assert set(per_intent) == set(INTENTS)
    assert min(per_intent.values()) >= 40
    per_node = Counter(r["node"] for r in intents if r["node"])
    per_node.update(r["node"] for r in rows(TRAIN_DIR / f"nodes_{lang}.csv"))
    assert set(per_node) == set(NODES)
    assert min(per_node.values()) >= 20
    assert any(re.search(r"\d{4}[- ]?\d{4}[- ]?\d{4}[- ]?\d{4}", r["text"]) for r in intents)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_heldout_counts(lang):
    heldout = rows(HELDOUT_DIR / f"intents_{lang}.csv")
    per_intent = Counter(r["intent"] for r in heldout)
    assert set(per_intent) == set(INTENTS)
    assert min(per_intent.values()) >= 10
    assert all(r["node"] == (INTENT_NODES.get(r["intent"]) or "") for r in heldout)
    nodes = {r["node"] for r in rows(HELDOUT_DIR / f"nodes_{lang}.csv")}
    assert nodes <= set(NODES)


def test_at_least_100_heldout_out_of_scope_messages():
    total = sum(
        r["intent"] == OUT_OF_SCOPE
        for lang in ("en", "fr")
        for r in rows(HELDOUT_DIR / f"intents_{lang}.csv")
    )
    assert total >= 100


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_no_heldout_text_is_in_the_training_data(lang):
    train = {norm(r["text"]) for p in TRAIN_DIR.glob(f"*_{lang}.csv") for r in rows(p)}
    heldout = {norm(r["text"]) for p in HELDOUT_DIR.glob(f"*_{lang}.csv") for r in rows(p)}
    assert not train & heldout
