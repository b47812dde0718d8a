"""Work out ahead the sentence vectors of texts that fits learn again and again: the small
talk every matcher learns (``bot/matcher/sentence_encoder/small_talk.npz``) and a knowledge
pack's texts (its ``encoded.npz``).

A fit encodes every phrasing, answer and out-of-scope question it learns from: for the
shipped pack's 8,000 that is a minute on one core, on every new machine and every change
of the pack, and the small talk is a second or two of every fit. With their vectors
shipped, a fit encodes only what is new. Run it after changing the pack's questions, the
small talk or the encoder's weights (a file made with other weights is ignored, with a
warning)::

    python scripts/encode_ahead.py [--knowledge DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

import numpy as np

from bot.engine import Engine
from bot.knowledge import ENCODED, default_root
from bot.matcher import Vocabulary
from bot.matcher.encoder import SMALL_TALK, encoder, weights_digest
from bot.matcher.matcher import read_as
from bot.models import GLOBAL
from bot.training import small_talk


async def texts_of(root: Path) -> list[str]:
    """Every text the pack's matcher is fitted on, read as the fit reads them."""
    with tempfile.TemporaryDirectory(prefix="factbot-encode-") as scratch:
        folder = Path(scratch)
        engine = await Engine.open(
            folder / "pack.sqlite3", knowledge_root=root, cache_dir=folder, answering=False
        )
        async with engine:
            vocabulary = engine.matchers.vocabulary_for(GLOBAL)
            examples = engine.matchers.examples(GLOBAL)
    return sorted({read_as(e.text, vocabulary, None) for e in examples})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--knowledge", type=Path, default=default_root())
    args = parser.parse_args()
    chat = sorted({read_as(text, Vocabulary(), None) for text in small_talk()})
    save(chat, SMALL_TALK)
    save(asyncio.run(texts_of(args.knowledge)), args.knowledge / ENCODED)


def save(texts: list[str], out: Path) -> None:
    vectors = encoder().encode(texts).astype(np.float16)
    np.savez_compressed(out, texts=np.array(texts), vectors=vectors, encoder=weights_digest())
    print(f"{len(texts):,} texts -> {out} ({out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
