"""The numpy MiniLM encoder against sentence-transformers on torch: the same vectors, the same rankings."""

from __future__ import annotations

import json
import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from simfarm.retrieval import embedding
from simfarm.retrieval.builtin import builtin_entries
from simfarm.retrieval.entries import CatalogKind
from simfarm.retrieval.minilm import erf

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "retrieval" / "data"

EDGE_TEXTS = [
    "", " ", "\t\n", "a", "?", "!!! ... ---", "RED CAR", "red car", "  a red car  ",
    "wooden_crate_02.glb", "https://dl.polyhaven.org/file/ph-assets/HDRIs/hdr/1k/venice_sunset_1k.hdr",
    "chair 42, 3.5 m tall, 1970s", "Café crème brûlée on a naïve façade", "東京タワーの夜景", "красная машина у дома",
    "سيارة حمراء بجانب كوخ خشبي", "🚗 next to a 🏠 at 🌅", "Ωmega-3 ∑ ∞ ≠ ≤", "a\u200bzero\u200bwidth\u00a0space",
    # Past the 256-token limit, where sentence-transformers truncates.
    " ".join(["a red vintage car drives past a wooden cabin at sunset"] * 40),
    "supercalifragilisticexpialidocious " * 120,
    " ".join(str(n) for n in range(700)),
]


def judged_prompts() -> list[str]:
    return [case["prompt"] for case in json.loads((REPO / "operator/simfarm/rewriter/judged_prompts.json").read_text())]


def judged_queries() -> list[str]:
    return [case["query"] for case in json.loads((DATA / "judged_queries.json").read_text())]


def documents(kind: CatalogKind) -> list[str]:
    return sorted({entry.search_text() for entry in builtin_entries(kind)})


def real_texts() -> list[str]:
    hdris = [f"{record['name']}. {', '.join(record['tags'])}"
             for record in json.loads((DATA / "polyhaven_hdris.json").read_text()).values()]
    captions = list(json.loads((DATA / "cap3d_sample.json").read_text()).values())
    catalog = [text for kind in CatalogKind for text in documents(kind)]
    return judged_prompts()[::5] + judged_queries() + catalog + hdris + captions


def embed_with(backend: str, texts: list[str]) -> np.ndarray:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SIMFARM_EMBEDDING_BACKEND", backend)
        return embedding.embed(texts)


@pytest.fixture(scope="module")
def texts() -> list[str]:
    return list(dict.fromkeys(real_texts() + EDGE_TEXTS))


@pytest.fixture(scope="module")
def vectors(texts) -> dict[str, dict[str, np.ndarray]]:
    """Every text's vector from each backend, embedded once for the module."""
    return {backend: dict(zip(texts, embed_with(backend, texts))) for backend in embedding.BACKENDS}


def test_erf_is_float32_accurate():
    x = np.linspace(-7, 7, 200_001, dtype=np.float32)
    expected = np.array([math.erf(float(v)) for v in x])
    assert erf(x).dtype == np.float32
    assert np.abs(erf(x) - expected).max() < 1e-6


def test_numpy_backend_gives_unit_float32_rows():
    texts = ["a red car next to a wooden cabin", "", "東京タワーの夜景", EDGE_TEXTS[-1]]
    rows = embed_with("numpy", texts)
    assert rows.shape == (len(texts), embedding.DIMENSIONS) and rows.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)
    assert embed_with("numpy", []).shape == (0, embedding.DIMENSIONS)


def test_numpy_and_torch_agree_on_every_text(texts, vectors, report):
    assert len(texts) >= 200
    ours = np.stack([vectors["numpy"][text] for text in texts])
    reference = np.stack([vectors["torch"][text] for text in texts])
    cosine = np.sum(ours * reference, axis=1)
    report.append(f"numpy vs torch MiniLM on {len(texts)} texts: min cosine {cosine.min():.7f}, "
                  f"max |difference| {np.abs(ours - reference).max():.2e}")
    assert cosine.min() >= 0.9999, texts[int(np.argmin(cosine))][:80]


def test_padding_does_not_change_a_vector():
    """A text padded to the longest of a mixed batch embeds as it does alone."""
    mixed = [text for text in EDGE_TEXTS if len(text) < 200] + [EDGE_TEXTS[-1]]
    encoder = embedding.load_model("numpy")
    np.testing.assert_allclose(encoder.encode(mixed, batch_size=len(mixed)), encoder.encode(mixed, batch_size=1),
                               atol=2e-6)


def test_threads_share_one_encoder(texts, vectors):
    """Searches of several request handlers embed at once on the process's one encoder."""
    encoder = embedding.load_model("numpy")
    chunks = [texts[start:start + 12] for start in range(0, 96, 12)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(encoder.encode, chunks))
    for chunk, rows in zip(chunks, results):
        np.testing.assert_allclose(rows, np.stack([vectors["numpy"][text] for text in chunk]), atol=2e-6)


@pytest.mark.parametrize("kind", [CatalogKind.object, CatalogKind.hdri, CatalogKind.material])
def test_numpy_and_torch_rank_the_catalog_alike(vectors, kind):
    queries = judged_queries() + judged_prompts()[::5]

    def top5(backend: str) -> np.ndarray:
        scores = np.stack([vectors[backend][q] for q in queries]) @ np.stack(
            [vectors[backend][d] for d in documents(kind)]).T
        return np.argsort(-scores, axis=1, kind="stable")[:, :5]

    ours, reference = top5("numpy"), top5("torch")
    differing = [queries[row] for row in range(len(queries)) if not np.array_equal(ours[row], reference[row])]
    assert not differing, differing


def test_an_unknown_backend_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("SIMFARM_EMBEDDING_BACKEND", "onnx")
    with pytest.raises(ValueError, match="SIMFARM_EMBEDDING_BACKEND='onnx': choose one of torch, numpy"):
        embedding.embed(["a red car"])


def test_unset_a_search_embeds_on_numpy_and_a_batch_on_torch(monkeypatch):
    """The tests install sentence-transformers: queries go to the faster-for-few numpy encoder, imports to torch."""
    monkeypatch.delenv("SIMFARM_EMBEDDING_BACKEND", raising=False)
    assert (embedding.backend(1), embedding.backend(embedding.SMALL_BATCH)) == ("numpy", "numpy")
    assert (embedding.backend(embedding.SMALL_BATCH + 1), embedding.backend()) == ("torch", "torch")
    monkeypatch.setenv("SIMFARM_EMBEDDING_BACKEND", "torch")
    assert embedding.backend(1) == "torch"  # a named backend serves every call
