"""The trained engine on disk: ``var/nlu/<key>/engine.joblib``.

The key hashes the training files, the library versions, the pipeline version and the set of
live second-level nodes, so a model is trained once (seconds) and reused, by every process,
until one of them changes. ``mark_stale()`` (called when the taxonomy changes) makes the next
``get_engine()`` recompute the key: a retired or added node gives a new key and a retrain."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

import joblib
import numpy
import scipy
import sklearn

from .engine import TRAIN_DIR, Engine, node_examples
from .model import PIPELINE_VERSION, default_hyper

logger = logging.getLogger(__name__)

ENGINE_FILE = "engine.joblib"

#: Returns the live second-level node codes (set by the app glue from the taxonomy), or None
#: to train on every node of the data.
NodeCatalogue = Callable[[], Iterable[str] | None]
_node_catalogue: NodeCatalogue | None = None

_lock = threading.Lock()
_engine: Engine | None = None
_engine_key: str | None = None
_stale = False


def set_node_catalogue(provider: NodeCatalogue | None) -> None:
    global _node_catalogue
    _node_catalogue = provider


def default_cache_root() -> Path:
    from django.conf import settings

    var_dir = getattr(settings, "VAR_DIR", None) if settings.configured else None
    return Path(var_dir or Path(__file__).resolve().parents[3] / "var") / "nlu"


def cache_key(train_dir: Path = TRAIN_DIR, node_codes: Iterable[str] | None = None) -> str:
    digest = hashlib.sha256()
    for path in sorted(train_dir.glob("*.csv")):
        digest.update(path.name.encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    versions = {
        "pipeline": PIPELINE_VERSION,
        "sklearn": sklearn.__version__,
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "joblib": joblib.__version__,
        "python": platform.python_version(),
        "nodes": sorted(node_codes) if node_codes is not None else None,
        "embeddings": default_hyper().embeddings,
    }
    digest.update(json.dumps(versions, sort_keys=True).encode())
    return digest.hexdigest()[:20]


def effective_node_codes(
    live: Iterable[str] | None, train_dir: Path = TRAIN_DIR
) -> list[str] | None:
    """The node classes to train: the data's nodes that are still live; None (= all of them,
    one shared cache key) when none was retired. Live nodes without data can't be learned."""
    if live is None:
        return None
    trained = {e.label for e in node_examples(train_dir)}
    kept = trained & set(live)
    return None if kept == trained else sorted(kept)


def load_or_train(
    *,
    train_dir: Path = TRAIN_DIR,
    cache_root: Path | None = None,
    node_codes: Iterable[str] | None = None,
) -> tuple[Engine, str]:
    """The engine for the current data, from the cache or freshly trained (and cached)."""
    codes = sorted(node_codes) if node_codes is not None else None
    key = cache_key(train_dir, codes)
    directory = (cache_root or default_cache_root()) / key
    path = directory / ENGINE_FILE
    if path.exists():
        try:
            engine = joblib.load(path)
            if isinstance(engine, Engine):
                engine.meta["loaded_from_cache"] = True
                return engine, key
        except Exception:  # a truncated or incompatible file: train again
            logger.warning("could not load %s; retraining", path, exc_info=True)
    engine = Engine.train(train_dir, node_codes=codes)
    engine.meta["loaded_from_cache"] = False
    directory.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{key}-", dir=directory.parent))
    try:
        joblib.dump(engine, tmp / ENGINE_FILE)
        (tmp / "meta.json").write_text(json.dumps(engine.meta, indent=2, default=str))
        try:
            os.replace(tmp, directory)  # atomic; another process may have won the race
        except OSError:
            pass
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return engine, key


def get_engine() -> Engine:
    """The process's engine: loaded or trained on first use, reloaded after ``mark_stale``."""
    global _engine, _engine_key, _stale
    with _lock:
        if _engine is not None and not _stale:
            return _engine
        codes = effective_node_codes(_node_catalogue() if _node_catalogue is not None else None)
        if _engine is None or cache_key(TRAIN_DIR, codes) != _engine_key:
            _engine, _engine_key = load_or_train(node_codes=codes)
        _stale = False
        return _engine


def mark_stale(*_args: object) -> None:
    """The taxonomy (or the data) changed: the next ``get_engine()`` checks its key again."""
    global _stale
    _stale = True


def reset() -> None:
    """Forget the in-memory engine (tests)."""
    global _engine, _engine_key, _stale
    with _lock:
        _engine, _engine_key, _stale = None, None, False
