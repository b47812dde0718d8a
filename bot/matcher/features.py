"""Features of a question: TF-IDF word and character n-grams, and a static embedding.

Each featuriser follows scikit-learn's contract (``fit`` returns self, what was learned ends
in ``_``) but needs only numpy and scipy, so answering never imports scikit-learn.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources

import numpy as np
from scipy import sparse

from bot.matcher.text import words


def _l2_rows(matrix: sparse.csr_matrix) -> sparse.csr_matrix:
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix)


class NGrams:
    """Sub-linear TF-IDF over word 1-2-grams and character 2-5-grams within words.

    Word n-grams carry what a phrasing says; character n-grams survive typos, plurals and
    tenses ("invsted", "investments") without a spelling list.
    """

    def __init__(self, word_ngrams: int = 2, char_ngrams: tuple[int, int] = (2, 5)) -> None:
        self.word_ngrams = word_ngrams
        self.char_ngrams = char_ngrams

    def grams(self, text: str) -> Counter[str]:
        tokens = words(text)
        grams: Counter[str] = Counter()
        for n in range(1, self.word_ngrams + 1):
            grams.update(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
        low, high = self.char_ngrams
        for token in tokens:
            padded = f" {token} "
            for n in range(low, min(high, len(padded)) + 1):
                grams.update("#" + padded[i : i + n] for i in range(len(padded) - n + 1))
        return grams

    def fit_transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        df: Counter[str] = Counter()
        for text in texts:
            df.update(self.grams(text).keys())
        self.vocabulary_ = {gram: i for i, gram in enumerate(sorted(df))}
        n = len(texts)
        self.idf_ = np.array(
            [math.log((1 + n) / (1 + df[g])) + 1 for g in sorted(df)], dtype=np.float64
        )
        # Counted again rather than kept: every phrasing's n-grams at once would not fit.
        return self._transform(self.grams(text) for text in texts)

    def transform(self, texts: Iterable[str]) -> sparse.csr_matrix:
        return self._transform(self.grams(text) for text in texts)

    def _transform(self, counted: Iterable[Counter[str]]) -> sparse.csr_matrix:
        # Typed arrays, not lists: a list holds each number as an object of 32 bytes,
        # which for 100,000 phrasings is gigabytes.
        indptr, indices, values = array("q", [0]), array("i"), array("d")
        vocabulary, idf = self.vocabulary_, self.idf_
        for grams in counted:
            for gram, count in grams.items():
                if (column := vocabulary.get(gram)) is not None:
                    indices.append(column)
                    values.append((1 + math.log(count)) * idf[column])
            indptr.append(len(indices))
        matrix = sparse.csr_matrix(
            (
                np.frombuffer(values),
                np.frombuffer(indices, np.int32),
                np.frombuffer(indptr, np.int64),
            ),
            shape=(len(indptr) - 1, len(vocabulary)),
        )
        return _l2_rows(matrix)


@cache
def _table() -> tuple[dict[str, int], np.ndarray]:
    """The shipped static embedding (scripts/build_static_embedding.py), read once."""
    with resources.files("bot.matcher").joinpath("static_embedding.npz").open("rb") as f:
        data = np.load(f)
        pieces = {str(p): i for i, p in enumerate(data["pieces"])}
        vectors = data["vectors"].astype(np.float32) * data["scale"][:, None]
    return pieces, vectors


def word_pieces(word: str, pieces: dict[str, int]) -> list[int]:
    """WordPiece, greedy longest match first, as BERT splits a word; [] if it cannot."""
    found, start = [], 0
    while start < len(word):
        end = len(word)
        while end > start:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            if piece in pieces:
                found.append(pieces[piece])
                break
            end -= 1
        else:
            return []
        start = end
    return found


class StaticEmbedding:
    """The IDF-weighted mean of the text's word-piece vectors, unit length.

    It knows that "balance" is near "money" and "hire" near "recruit" before any phrasing
    says so, which matters most when a fact has only a few phrasings.
    """

    def fit(self, texts: Sequence[str]) -> StaticEmbedding:
        pieces, _ = _table()
        df: Counter[int] = Counter()
        for text in texts:
            df.update(set(self._pieces(text, pieces)))
        n = len(texts)
        self.idf_ = {p: math.log((1 + n) / (1 + c)) + 1 for p, c in df.items()}
        self.unseen_idf_ = math.log(1 + n) + 1
        return self

    @staticmethod
    def _pieces(text: str, pieces: dict[str, int]) -> list[int]:
        return [p for word in words(text) for p in word_pieces(word, pieces)]

    def transform(self, texts: Iterable[str]) -> np.ndarray:
        pieces, vectors = _table()
        rows = []
        for text in texts:
            ids = self._pieces(text, pieces)
            if not ids:
                rows.append(np.zeros(vectors.shape[1], dtype=np.float32))
                continue
            weights = np.array([self.idf_.get(p, self.unseen_idf_) for p in ids], np.float32)
            vector = weights @ vectors[ids]
            rows.append(vector / (np.linalg.norm(vector) or 1.0))
        return np.vstack(rows)
