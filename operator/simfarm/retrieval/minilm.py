"""The MiniLM sentence encoder in numpy: the same embeddings as sentence-transformers, without torch.

all-MiniLM-L6-v2 is a 6-layer BERT (hidden 384, 12 heads, exact GELU) whose token states are
mean-pooled over the attention mask and scaled to unit length. The weights come from the bundled
model folder's `model.safetensors` and the word pieces from its `tokenizer.json` (the `tokenizers`
package, which ChromaDB needs anyway), truncated to the `max_seq_length` of its
`sentence_bert_config.json` as sentence-transformers does. Torch and its CUDA wheels are several
gigabytes; this is what lets the operator image go without them.

An encoder holds only read-only arrays after loading, so threads may share it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

# A float32 rational approximation of erf on [-4, 4] (beyond, erf is ±1 to float32 precision),
# the one XLA and Eigen use: max abs error 5e-7 against math.erf. numpy has no erf.
_ERF_NUMERATOR = (-2.72614225801306e-10, 2.77068142495902e-08, -2.10102402082508e-06,
                  -5.69250639462346e-05, -7.34990630326855e-04, -2.95459980854025e-03,
                  -1.60960333262415e-02)
_ERF_DENOMINATOR = (-1.45660718464996e-05, -2.13374055278905e-04, -1.68282697438203e-03,
                    -7.37332916720468e-03, -1.42647390514189e-02)


def erf(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, -4.0, 4.0)
    x2 = x * x
    numerator = x2 * np.float32(_ERF_NUMERATOR[0])  # Horner's rule, in place: this runs on every FFN activation
    for coefficient in _ERF_NUMERATOR[1:-1]:
        numerator += np.float32(coefficient)
        numerator *= x2
    numerator += np.float32(_ERF_NUMERATOR[-1])
    numerator *= x
    denominator = x2 * np.float32(_ERF_DENOMINATOR[0])
    for coefficient in _ERF_DENOMINATOR[1:-1]:
        denominator += np.float32(coefficient)
        denominator *= x2
    denominator += np.float32(_ERF_DENOMINATOR[-1])
    numerator /= denominator
    return numerator


def gelu(x: np.ndarray) -> np.ndarray:
    """BERT's exact GELU, x·Φ(x)."""
    cdf = erf(x * np.float32(1 / np.sqrt(2)))
    cdf += 1.0
    cdf *= 0.5
    cdf *= x
    return cdf


def layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, eps: float) -> np.ndarray:
    centred = x - x.mean(axis=-1, keepdims=True)
    variance = np.square(centred).mean(axis=-1, keepdims=True)
    return centred / np.sqrt(variance + np.float32(eps)) * weight + bias


@dataclass(frozen=True)
class Layer:
    """One transformer block's weights, transposed for `x @ w` (query, key, value fused)."""

    qkv: np.ndarray
    qkv_bias: np.ndarray
    attention_out: np.ndarray
    attention_out_bias: np.ndarray
    attention_norm: tuple[np.ndarray, np.ndarray]
    intermediate: np.ndarray
    intermediate_bias: np.ndarray
    output: np.ndarray
    output_bias: np.ndarray
    output_norm: tuple[np.ndarray, np.ndarray]

    @classmethod
    def from_weights(cls, weights: dict[str, np.ndarray], prefix: str) -> "Layer":
        def w(name: str) -> np.ndarray:
            return weights[f"{prefix}.{name}"]

        def dense(name: str) -> np.ndarray:
            return np.ascontiguousarray(w(f"{name}.weight").T)

        def norm(name: str) -> tuple[np.ndarray, np.ndarray]:
            return w(f"{name}.LayerNorm.weight"), w(f"{name}.LayerNorm.bias")

        projections = [f"attention.self.{part}" for part in ("query", "key", "value")]
        return cls(
            qkv=np.concatenate([dense(name) for name in projections], axis=1),
            qkv_bias=np.concatenate([w(f"{name}.bias") for name in projections]),
            attention_out=dense("attention.output.dense"),
            attention_out_bias=w("attention.output.dense.bias"),
            attention_norm=norm("attention.output"),
            intermediate=dense("intermediate.dense"),
            intermediate_bias=w("intermediate.dense.bias"),
            output=dense("output.dense"),
            output_bias=w("output.dense.bias"),
            output_norm=norm("output"),
        )


class MiniLM:
    """Sentence embeddings from a BERT model folder (safetensors weights, tokenizer.json)."""

    def __init__(self, folder: str | Path) -> None:
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        folder = Path(folder)
        config = json.loads((folder / "config.json").read_text())
        if config.get("hidden_act") != "gelu" or config.get("position_embedding_type", "absolute") != "absolute":
            raise ValueError(f"{folder}: only BERT models with exact GELU and absolute positions are supported")
        self.heads = config["num_attention_heads"]
        self.eps = config["layer_norm_eps"]
        self.max_tokens = json.loads((folder / "sentence_bert_config.json").read_text())["max_seq_length"]
        weights = load_file(folder / "model.safetensors")
        self.word_embeddings = weights["embeddings.word_embeddings.weight"]
        self.position_embeddings = weights["embeddings.position_embeddings.weight"]
        self.token_type_embedding = weights["embeddings.token_type_embeddings.weight"][0]
        self.embedding_norm = weights["embeddings.LayerNorm.weight"], weights["embeddings.LayerNorm.bias"]
        self.layers = [Layer.from_weights(weights, f"encoder.layer.{i}") for i in range(config["num_hidden_layers"])]
        self.dimensions = self.word_embeddings.shape[1]
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(max_length=self.max_tokens)
        self.tokenizer.no_padding()  # each batch is padded to its own longest text below

    def encode(self, texts: Sequence[str], batch_size: int = 64) -> np.ndarray:
        """Unit-length float32 rows, one per text, in the order given."""
        encodings = self.tokenizer.encode_batch([str(text).strip() for text in texts])
        vectors = np.empty((len(encodings), self.dimensions), dtype=np.float32)
        # Texts of similar length share a batch, so little work goes into padding.
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), batch_size):
            rows = order[start:start + batch_size]
            vectors[rows] = self.forward([encodings[i].ids for i in rows])
        return vectors

    def forward(self, token_ids: list[list[int]]) -> np.ndarray:
        longest = max(len(ids) for ids in token_ids)
        ids = np.zeros((len(token_ids), longest), dtype=np.int64)
        mask = np.zeros((len(token_ids), longest), dtype=np.float32)
        for row, text_ids in enumerate(token_ids):
            ids[row, :len(text_ids)] = text_ids
            mask[row, :len(text_ids)] = 1.0
        hidden = self.word_embeddings[ids] + self.position_embeddings[:longest] + self.token_type_embedding
        hidden = layer_norm(hidden, *self.embedding_norm, self.eps)
        # Padding positions get a large negative score, so softmax gives them no weight.
        attention_bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        for layer in self.layers:
            hidden = self.block(hidden, attention_bias, layer)
        pooled = (hidden * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def block(self, hidden: np.ndarray, attention_bias: np.ndarray, layer: Layer) -> np.ndarray:
        """One transformer layer on (batch, length, width) states; dense layers run as 2-D matmuls
        over all tokens at once (a 3-D `@` makes one BLAS call per text, about twice as slow)."""
        batch, length, width = hidden.shape
        head_width = width // self.heads
        tokens = hidden.reshape(batch * length, width)
        qkv = tokens @ layer.qkv + layer.qkv_bias
        # (3, batch, heads, length, head_width)
        query, key, value = qkv.reshape(batch, length, 3, self.heads, head_width).transpose(2, 0, 3, 1, 4)
        scores = query @ key.transpose(0, 1, 3, 2) * np.float32(1 / np.sqrt(head_width)) + attention_bias
        scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
        scores /= scores.sum(axis=-1, keepdims=True)
        context = (scores @ value).transpose(0, 2, 1, 3).reshape(batch * length, width)
        attended = context @ layer.attention_out + layer.attention_out_bias
        tokens = layer_norm(attended + tokens, *layer.attention_norm, self.eps)
        inner = gelu(tokens @ layer.intermediate + layer.intermediate_bias)
        output = layer_norm(inner @ layer.output + layer.output_bias + tokens, *layer.output_norm, self.eps)
        return output.reshape(batch, length, width)
