import numpy as np

from comptoir.assistant.nlu.datasets import Example, read_examples
from comptoir.assistant.nlu.engine import intent_examples
from comptoir.assistant.nlu.model import (
    IntentModel,
    TextClassifier,
    choose_threshold,
    fit_temperature,
    split_examples,
)


def test_split_keeps_each_phrasing_group_on_one_side():
    examples = [
        Example(f"text {g} {v}", f"label{g % 2}", f"g{g}") for g in range(10) for v in range(3)
    ]
    train, validation = split_examples(examples, fraction=0.2)
    train_groups = {e.group for e in train}
    validation_groups = {e.group for e in validation}
    assert train_groups.isdisjoint(validation_groups)
    assert len(train) + len(validation) == 30
    assert {e.label for e in validation} == {"label0", "label1"}


def test_threshold_calibration_on_held_out_predictions():
    # In-scope answers are confident (>= 0.6), out-of-scope ones are not (<= 0.4):
    # the chosen threshold separates them perfectly and is the lowest such grid value.
    predictions = [("a", 0.9), ("b", 0.6), ("a", 0.7), ("b", 0.4), ("a", 0.3), ("b", 0.2)]
    gold = ["a", "b", "a", "oos", "oos", "oos"]
    threshold, scores = choose_threshold(predictions, gold, "oos")
    assert threshold == 0.45
    assert scores["0.45"] == 1.0
    assert scores["0.00"] == 0.5  # no rejection: all in-scope right, no out-of-scope caught


def test_temperature_scaling_prefers_a_softer_softmax_for_overconfident_scores():
    scores = np.array([[5.0, 0.0], [5.0, 0.0], [5.0, 0.0], [0.0, 5.0]])
    gold = np.array([0, 0, 1, 1])  # one confident mistake
    assert fit_temperature(scores, gold) > 1.0


def test_classifier_learns_a_tiny_task_in_both_languages(tiny_train_dir):
    examples = read_examples(
        tiny_train_dir / "intents_en.csv", label_col="intent", group_col="group"
    )
    model = IntentModel.train(examples, oos_label="out_of_scope")
    assert model.classifier.labels == ["cancel_order", "greeting", "out_of_scope", "refund_status"]
    label, confidence = model.predict(["annuler ma commande svp"])[0]
    assert label == "cancel_order" and 0.0 < confidence <= 1.0
    assert model.predict(["where is my refund"])[0][0] == "refund_status"
    assert "threshold_scores" in model.report  # chosen on out-of-fold predictions


def test_single_text_fast_path_matches_the_batch_path(tiny_train_dir):
    examples = read_examples(
        tiny_train_dir / "intents_en.csv", label_col="intent", group_col="group"
    )
    classifier = TextClassifier.fit(examples)
    texts = ["je veux annuler la commande 8012-3456-7890-1230", "hello", "zzz unknown words"]
    batch = classifier.scores(texts)
    for i, text in enumerate(texts):
        assert np.allclose(classifier.scores([text])[0], batch[i], atol=1e-4)


def test_shipped_training_data_loads():
    examples = intent_examples()
    assert len(examples) > 3000
    assert all(e.group for e in examples)
