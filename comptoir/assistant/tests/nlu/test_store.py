"""The model is trained once into var/nlu/<key>/ and reused while nothing changes."""

import pytest

from comptoir.assistant.nlu import store
from comptoir.assistant.nlu.engine import Engine


def test_trained_model_is_reused_when_nothing_changed(tiny_train_dir, tmp_path, monkeypatch):
    cache = tmp_path / "nlu"
    engine, key = store.load_or_train(train_dir=tiny_train_dir, cache_root=cache)
    assert engine.meta["loaded_from_cache"] is False
    assert (cache / key / "engine.joblib").exists()

    def no_training(*args, **kwargs):
        raise AssertionError("retrained although nothing changed")

    monkeypatch.setattr(Engine, "train", no_training)
    again, same_key = store.load_or_train(train_dir=tiny_train_dir, cache_root=cache)
    assert same_key == key
    assert again.meta["loaded_from_cache"] is True
    assert again.classify("cancel my order")[0] == "cancel_order"


def test_key_changes_with_the_data_and_the_node_set(tiny_train_dir):
    key = store.cache_key(tiny_train_dir)
    assert store.cache_key(tiny_train_dir) == key
    assert store.cache_key(tiny_train_dir, ["returns.refund"]) != key
    with open(tiny_train_dir / "intents_en.csv", "a", encoding="utf-8") as f:
        f.write("refund please,refund_status,returns.refund,refund_status.99\n")
    assert store.cache_key(tiny_train_dir) != key


def test_corrupt_cache_file_is_retrained(tiny_train_dir, tmp_path):
    cache = tmp_path / "nlu"
    _, key = store.load_or_train(train_dir=tiny_train_dir, cache_root=cache)
    (cache / key / "engine.joblib").write_bytes(b"not a model")
    engine, _ = store.load_or_train(train_dir=tiny_train_dir, cache_root=cache)
    assert engine.meta["loaded_from_cache"] is False


def test_retired_nodes_are_not_trained_nor_predicted(tiny_train_dir, tmp_path):
    engine, _ = store.load_or_train(train_dir=tiny_train_dir, cache_root=tmp_path)
    assert engine.predict_node("the box was empty").code == "item.empty"
    # masked at prediction time
    guess = engine.predict_node("the box was empty", ["returns.refund", "delivery.not_shipped"])
    assert guess is not None and guess.code != "item.empty"
    assert engine.predict_node("the box was empty", ["technical.bug"]) is None
    # and left out of training when the taxonomy no longer has it
    live = ["returns.refund", "delivery.not_shipped"]
    retrained, _ = store.load_or_train(
        train_dir=tiny_train_dir, cache_root=tmp_path, node_codes=live
    )
    assert retrained.nodes is not None and retrained.nodes.labels == sorted(live)


def test_only_a_retirement_changes_the_node_set(tiny_train_dir):
    all_nodes = ["delivery.not_shipped", "item.empty", "returns.refund"]
    assert store.effective_node_codes(None, tiny_train_dir) is None
    assert store.effective_node_codes(all_nodes + ["new.node"], tiny_train_dir) is None
    assert store.effective_node_codes(["item.empty", "returns.refund"], tiny_train_dir) == [
        "item.empty",
        "returns.refund",
    ]


def test_mark_stale_makes_get_engine_check_the_node_set_again(fresh_store, monkeypatch):
    calls = []

    def fake_load_or_train(**kwargs):
        calls.append(kwargs["node_codes"])
        return object(), "key" + str(len(kwargs["node_codes"] or []))

    codes = [["a.b", "c.d"]]
    monkeypatch.setattr(store, "load_or_train", fake_load_or_train)
    monkeypatch.setattr(store, "effective_node_codes", lambda live: sorted(live))
    monkeypatch.setattr(
        store, "cache_key", lambda train_dir, node_codes: "key" + str(len(node_codes or []))
    )
    fresh_store.set_node_catalogue(lambda: codes[0])
    try:
        first = fresh_store.get_engine()
        assert fresh_store.get_engine() is first
        assert calls == [["a.b", "c.d"]]
        codes[0] = ["a.b"]  # a node was retired
        fresh_store.mark_stale()
        fresh_store.get_engine()
        assert calls == [["a.b", "c.d"], ["a.b"]]
    finally:
        fresh_store.set_node_catalogue(None)


@pytest.mark.parametrize("bad", ["", "   "])
def test_understand_on_blank_text_is_out_of_scope_or_small(tiny_train_dir, tmp_path, bad):
    engine, _ = store.load_or_train(train_dir=tiny_train_dir, cache_root=tmp_path)
    result = engine.understand(bad)
    assert result.entities == []
