import csv
from pathlib import Path

import pytest

from comptoir.assistant.nlu import store


def write_csv(path: Path, header: list[str], rows: list[tuple[str, ...]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


TINY_INTENTS = {
    "refund_status": (
        "returns.refund",
        [
            "where is my refund",
            "refund not received",
            "ou est mon remboursement",
            "remboursement pas recu",
            "when do I get my money back",
            "j'attends mon argent",
        ],
    ),
    "cancel_order": (
        "delivery.not_shipped",
        [
            "cancel my order",
            "please cancel it",
            "annuler ma commande",
            "je veux annuler",
            "stop my order",
            "annulez la commande",
        ],
    ),
    "greeting": ("", ["hello", "hi there", "bonjour", "salut", "good morning", "coucou"]),
    "out_of_scope": (
        "",
        [
            "what is the weather",
            "tell me a joke",
            "quelle heure est il",
            "raconte une blague",
            "who won the match",
            "recette de crepes",
        ],
    ),
}
TINY_NODES = {
    "item.empty": [
        "the box was empty",
        "colis vide",
        "nothing inside the parcel",
        "carton vide sans rien",
    ],
}


@pytest.fixture
def tiny_train_dir(tmp_path: Path) -> Path:
    """A small training set in the shipped format (intents with node and group; node-only)."""
    directory = tmp_path / "train"
    directory.mkdir()
    rows = []
    for intent, (node, texts) in TINY_INTENTS.items():
        for i, text in enumerate(texts):
            for variant in (text, text + " please", "hi, " + text):
                rows.append((variant, intent, node, f"{intent}.{i}"))
    write_csv(directory / "intents_en.csv", ["text", "intent", "node", "group"], rows)
    node_rows = [
        (variant, node, f"{node}.{i}")
        for node, texts in TINY_NODES.items()
        for i, text in enumerate(texts)
        for variant in (text, text + " !!", "hello " + text)
    ]
    write_csv(directory / "nodes_en.csv", ["text", "node", "group"], node_rows)
    return directory


@pytest.fixture
def fresh_store():
    store.reset()
    yield store
    store.reset()
