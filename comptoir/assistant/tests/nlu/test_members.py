import numpy as np
import pytest
from scipy import sparse

from comptoir.assistant.nlu.datasets import read_examples
from comptoir.assistant.nlu.members import fit_member, fit_temperatures, fuse, softmax
from comptoir.assistant.nlu.model import Hyper, IntentModel, TextClassifier


def test_fuse_averages_each_members_softmax_with_its_weight():
    # Two members, two classes: member 0 is sure of class 0, member 1 of class 1.
    scores = np.array([[10.0, 0.0, 0.0, 10.0]])
    fused = fuse(scores, np.array([1.0, 1.0]), np.array([3.0, 1.0]))
    first = softmax(np.array([10.0, 0.0]), 1.0)
    expected = (3 * first + first[::-1]) / 4
    assert np.allclose(fused[0], expected)
    assert np.isclose(fused.sum(), 1.0)


def test_each_member_gets_its_own_temperature():
    # Member 0 is overconfident and wrong once; member 1 is right every time, softly.
    scores = np.array(
        [[9.0, 0.0, 1.0, 0.0], [9.0, 0.0, 1.0, 0.0], [9.0, 0.0, 0.0, 1.0], [0.0, 9.0, 0.0, 1.0]]
    )
    gold = np.array([0, 0, 1, 1])
    temperatures = fit_temperatures(scores, gold, 2)
    assert temperatures[0] > 1.0  # the overconfident member is softened
    assert temperatures[1] < 1.0  # the reliable one is sharpened


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")  # 12 rows
@pytest.mark.parametrize("kind", ["svm", "cs", "lr", "sgd"])
def test_member_columns_follow_the_given_classes_and_unseen_classes_score_low(kind):
    X = sparse.csr_matrix(np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]] * 3))
    y = ["b", "b", "a", "a"] * 3
    coef, intercept = fit_member(kind, X, y, 0.5, ["a", "b", "c"])
    assert coef.shape == (2, 3)
    scores = X @ coef + intercept
    assert [["a", "b", "c"][i] for i in scores.argmax(axis=1)[:4]] == ["b", "b", "a", "a"]
    assert intercept[2] == -1e3 and not coef[:, 2].any()


def test_unknown_member_is_refused():
    with pytest.raises(ValueError, match="unknown ensemble member"):
        fit_member("forest", sparse.csr_matrix(np.eye(2)), ["a", "b"], 0.5, ["a", "b"])


def test_ensemble_is_one_matrix_and_calibrated_per_member(tiny_train_dir):
    examples = read_examples(
        tiny_train_dir / "intents_en.csv", label_col="intent", group_col="group"
    )
    model = IntentModel.train(
        examples, oos_label="out_of_scope", hyper=Hyper(members=("svm", "cs"))
    )
    classifier = model.classifier
    assert classifier.members == ("svm", "cs")
    assert classifier.coef_t.shape[1] == 2 * len(classifier.labels)
    assert len(model.report["temperatures"]) == 2
    assert np.allclose(classifier.temperatures, model.report["temperatures"], atol=1e-4)
    single = TextClassifier.fit(examples, Hyper(members=("svm",)))
    assert single.coef_t.shape[1] == len(single.labels)
    # The fused probabilities of the ensemble are a distribution over the labels.
    probabilities = classifier.proba(["cancel my order please", "hello"])
    assert probabilities.shape == (2, len(classifier.labels))
    assert np.allclose(probabilities.sum(axis=1), 1.0)
