"""The optional embedding block, with a fake encoder (the real one is an optional extra)."""

import numpy as np

from comptoir.assistant.nlu import embeddings
from comptoir.assistant.nlu.datasets import read_examples
from comptoir.assistant.nlu.model import Hyper, TextClassifier, default_hyper


def fake_encode(texts):
    out = np.zeros((len(texts), embeddings.DIMENSIONS), dtype=np.float32)
    for i, text in enumerate(texts):
        for word in text.lower().split():
            out[i, hash(word) % embeddings.DIMENSIONS] += 1.0
        out[i] /= max(np.linalg.norm(out[i]), 1e-6)
    return out


def test_off_unless_installed_and_asked_for(monkeypatch):
    monkeypatch.delenv("COMPTOIR_NLU_EMBEDDINGS", raising=False)
    assert default_hyper().embeddings == 0.0
    monkeypatch.setenv("COMPTOIR_NLU_EMBEDDINGS", "1")
    monkeypatch.setattr(embeddings, "available", lambda: False)
    assert default_hyper().embeddings == 0.0
    monkeypatch.setattr(embeddings, "available", lambda: True)
    assert default_hyper().embeddings > 0


def test_embedding_block_single_text_matches_batch(tiny_train_dir, monkeypatch):
    monkeypatch.setattr(embeddings, "encode", fake_encode)
    examples = read_examples(
        tiny_train_dir / "intents_en.csv", label_col="intent", group_col="group"
    )
    classifier = TextClassifier.fit(examples, Hyper(embeddings=2.0))
    assert classifier.coef_t.shape[0] > embeddings.DIMENSIONS
    # Late fusion: the embedding member is a separate model with its own weight columns, fitted
    # on the embedding rows only; the TF-IDF member never reads the embedding.
    assert classifier.members == ("svm", "emb_lr")
    assert classifier.weights.tolist() == [1.0, 2.0]
    k = len(classifier.labels)
    assert not classifier.coef_t[-embeddings.DIMENSIONS :, :k].any()
    assert not classifier.coef_t[: -embeddings.DIMENSIONS, k:].any()
    assert classifier.coef_t[-embeddings.DIMENSIONS :, k:].any()
    texts = ["cancel my order please", "where is my refund", "tell me a joke"]
    batch = classifier.scores(texts)
    for i, text in enumerate(texts):
        assert np.allclose(classifier.scores([text])[0], batch[i], atol=1e-4)
    assert classifier.predict(["cancel my order please"])[0][0] == "cancel_order"
