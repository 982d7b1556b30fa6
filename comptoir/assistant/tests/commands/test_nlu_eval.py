import json
import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from comptoir.assistant.tests.conftest import write_csv

LAST_LINE = re.compile(r"^accuracy=\d\.\d{4} macro_f1=\d\.\d{4} p99_ms=\d+\.\d$")

TRAIN = [
    (text, label)
    for label, texts in {
        "refund": [
            "where is my refund",
            "refund not received",
            "ou est mon remboursement",
            "remboursement pas recu",
            "my money back please",
            "toujours pas rembourse",
        ],
        "cancel": [
            "cancel my order",
            "please cancel it",
            "annuler ma commande",
            "je veux annuler",
            "stop the order",
            "annulez tout",
        ],
        "oos": [
            "what is the weather",
            "tell me a joke",
            "quelle heure est il",
            "raconte une blague",
            "who won the match",
            "recette de crepes",
        ],
    }.items()
    for text in texts
]
TEST = [
    ("refund not received yet", "refund"),
    ("annuler la commande", "cancel"),
    ("tell me a joke please", "oos"),
]


def run(*args):
    out = StringIO()
    call_command("nlu_eval", *args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_train_csv_test_tsv_custom_columns(tmp_path):
    train = write_csv(tmp_path / "train.csv", ["utterance", "y"], TRAIN)
    test = tmp_path / "test.tsv"
    test.write_text("utterance\ty\n" + "".join(f"{t}\t{y}\n" for t, y in TEST), encoding="utf-8")
    lines = run(
        "--train", str(train), "--test", str(test), "--text-col", "utterance", "--label-col", "y"
    )
    assert lines[0].startswith("trained on 18 examples, 3 labels")
    assert "examples: 3" in lines
    assert LAST_LINE.match(lines[-1])
    assert lines[-1].startswith("accuracy=1.0000 macro_f1=1.0000")


def test_jsonl_and_out_of_scope_report(tmp_path):
    train = write_csv(tmp_path / "train.csv", ["text", "label"], TRAIN)
    test = tmp_path / "test.jsonl"
    test.write_text(
        "".join(json.dumps({"text": t, "label": y}) + "\n" for t, y in TEST), encoding="utf-8"
    )
    lines = run("--train", str(train), "--test", str(test), "--oos-label", "oos")
    report = next(line for line in lines if line.startswith("out-of-scope"))
    assert report.startswith("out-of-scope precision=1.0000 recall=1.0000")
    assert any(line.startswith("latency p50_ms=") for line in lines)
    assert LAST_LINE.match(lines[-1])


def test_confusions_are_printed(tmp_path):
    train = write_csv(tmp_path / "train.csv", ["text", "label"], TRAIN)
    wrong = write_csv(tmp_path / "test.csv", ["text", "label"], [("where is my refund", "cancel")])
    lines = run("--train", str(train), "--test", str(wrong))
    assert "  cancel -> refund: 1" in lines
    assert lines[-1].startswith("accuracy=0.0000")


def test_missing_column_is_a_command_error(tmp_path):
    test = write_csv(tmp_path / "test.csv", ["sentence", "label"], [("hi", "greeting")])
    with pytest.raises(CommandError, match="no column 'text'"):
        run("--test", str(test), "--train", str(test))
