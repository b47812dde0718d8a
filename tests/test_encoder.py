"""The sentence encoder: what it reads a question as, and the vectors a pack ships ahead."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from bot.matcher import encoder as encoder_module
from bot.matcher.encoder import encode_many, encoder, known_ahead, weights_digest


def test_a_question_is_near_its_rewording_and_far_from_another_request() -> None:
    vectors = encoder().encode(
        [
            "how do I freeze my card",
            "please stop my card from working",
            "what's the weather like tomorrow",
        ]
    )
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    same, other = vectors[0] @ vectors[1], vectors[0] @ vectors[2]
    assert same > 0.5 > 0.1 > other  # only "my card" in common, yet one request


def test_any_text_is_read_as_bert_reads_it() -> None:
    read = encoder()
    ids = read.token_ids("Café, naïve 東京 " + "x" * 300)
    pieces = {i: p for p, i in read.vocab.items()}
    assert [pieces[i] for i in ids] == [
        "[CLS]", "cafe", ",", "naive", "東", "京", "[UNK]", "[SEP]"
    ]  # fmt: skip
    assert len(read.token_ids("word " * 500)) == encoder_module.MAX_TOKENS
    assert read.encode([""]).shape == (1, encoder_module.WIDTH)
    assert encoder().encode([]).shape == (0, encoder_module.WIDTH)


def _shipped_ahead(path: Path, texts: list[str], vectors: np.ndarray, digest: str) -> None:
    np.savez_compressed(
        path, texts=np.array(texts), vectors=vectors.astype(np.float16), encoder=digest
    )
    known_ahead(path)


def test_vectors_shipped_ahead_are_used_only_if_these_weights_made_them(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # Texts no pack has, so that only this test's files can know them.
    text, other = "zq ahead one of a kind", "zq ahead second of a kind"
    marked = np.zeros((1, encoder_module.WIDTH), np.float32)
    marked[0, 0] = 1.0
    _shipped_ahead(tmp_path / "other.npz", [other], marked, digest="someone-else")
    with caplog.at_level(logging.WARNING):
        assert not np.allclose(encode_many([other]), marked)
    assert "encoded by other weights" in caplog.text
    _shipped_ahead(tmp_path / "ours.npz", [text], marked, digest=weights_digest())
    vectors = encode_many([text, "zq not shipped", text])
    assert np.allclose(vectors[[0, 2]], marked)
    assert np.allclose(vectors[1], encoder().encode(["zq not shipped"])[0], atol=1e-6)


def test_weights_kept_widened_read_back_as_the_same_encoder(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    texts = ["how do i freeze my card", "what is the capital of peru"]
    widened = encoder_module.SentenceEncoder().encode(texts)
    earlier = tmp_path / f"{encoder_module.WIDENED_FORMAT}-weights-installed-before.npy"
    earlier.write_bytes(b"an earlier install's")
    first = encoder_module.SentenceEncoder(tmp_path)  # widens, and keeps them
    (kept,) = tmp_path.glob(f"{encoder_module.WIDENED_FORMAT}-*.npy")
    assert not earlier.exists()
    again = encoder_module.SentenceEncoder(tmp_path)  # reads them
    assert isinstance(again.layers[0].qkv.base, np.memmap)
    assert np.allclose(first.encode(texts), widened, atol=1e-6)
    assert np.allclose(again.encode(texts), widened, atol=1e-6)
    kept.write_bytes(kept.read_bytes()[:1000])  # cut short, as a full disk leaves it
    with caplog.at_level(logging.WARNING):
        mended = encoder_module.SentenceEncoder(tmp_path)
    assert np.allclose(mended.encode(texts), widened, atol=1e-6)
    assert kept.stat().st_size > 40_000_000
