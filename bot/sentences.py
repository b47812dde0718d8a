"""Splitting documents into sentences, with a maintained splitter (pysbd)."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pysbd


@cache
def _segmenter() -> pysbd.Segmenter:
    import pysbd  # here: only a new document is split, never a question (`factbot ask`)

    return pysbd.Segmenter(language="en", clean=False)


def split_sentences(text: str) -> list[str]:
    """The document's sentences, verbatim; each line break also ends a sentence."""
    sentences: list[str] = []
    for line in text.splitlines():
        if line.strip():
            sentences += [s.strip() for s in _segmenter().segment(line.strip()) if s.strip()]
    return sentences
