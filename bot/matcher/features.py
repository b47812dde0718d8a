"""Features of a question: TF-IDF word and character n-grams (its sentence vector is
``encoder.py``'s).

Each featuriser follows scikit-learn's contract (``fit`` returns self, what was learned ends
in ``_``) but needs only numpy: answering imports neither scikit-learn nor scipy (scipy
alone would double the start-up of ``factbot ask``). Fitting turns :class:`Rows` into
scipy's matrices.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from bot.matcher.text import words

if TYPE_CHECKING:
    from scipy import sparse


@dataclass(frozen=True)
class Rows:
    """A sparse matrix by rows (CSR) as three flat arrays in memory (``FileRows`` in
    ``index_files.py`` is the same, read from disk). Read as columns by building it from
    the transpose (the retrieval index's postings)."""

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray

    @classmethod
    def of(cls, matrix: sparse.csr_matrix | sparse.csc_matrix) -> Rows:
        return cls(
            np.asarray(matrix.indptr, np.int64), np.asarray(matrix.indices, np.int32), matrix.data
        )

    def row(self, i: int) -> np.ndarray:
        return self.indices[self.indptr[i] : self.indptr[i + 1]]

    def ranges(self, starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The entries (columns, values) of rows ``start, …, start + length - 1`` for each
        range, one range after another."""
        at = ranges(starts, lengths)
        return self.indices[at], self.data[at]

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def __matmul__(self, weights: np.ndarray) -> np.ndarray:
        """Each row times a dense matrix (a question's n-grams times the model's weights)."""
        products = weights[self.indices] * self.data[:, None].astype(weights.dtype)
        out = np.zeros((len(self), weights.shape[1]), dtype=products.dtype)
        filled = np.diff(self.indptr) > 0
        if filled.any():
            out[filled] = np.add.reduceat(products, self.indptr[:-1][filled], axis=0)
        return out

    def matrix(self, width: int) -> sparse.csr_matrix:
        """As scipy's matrix, for fitting."""
        from scipy import sparse

        return sparse.csr_matrix((self.data, self.indices, self.indptr), shape=(len(self), width))


def ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``start, start + 1, …`` for each (start, length), all in one array."""
    shifts = starts - np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return np.repeat(shifts, lengths) + np.arange(int(lengths.sum()))


@lru_cache(maxsize=1 << 16)
def char_grams(token: str, low: int, high: int) -> tuple[str, ...]:
    """A word's character n-grams, marked apart from word n-grams, with its edges as
    spaces. Remembered: words recur in every question."""
    padded = f" {token} "
    return tuple(
        "#" + padded[i : i + n]
        for n in range(low, min(high, len(padded)) + 1)
        for i in range(len(padded) - n + 1)
    )


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
            grams.update(char_grams(token, low, high))
        return grams

    def fit_transform(self, texts: Sequence[str]) -> Rows:
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

    def transform(self, texts: Iterable[str]) -> Rows:
        return self._transform(self.grams(text) for text in texts)

    def _transform(self, counted: Iterable[Counter[str]]) -> Rows:
        """Each text's n-grams the vocabulary knows, weighted, unit length."""
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
        starts, data = np.frombuffer(indptr, np.int64), np.frombuffer(values)
        lengths = np.diff(starts)
        row = np.repeat(np.arange(len(lengths)), lengths)
        norms = np.sqrt(np.bincount(row, weights=data * data, minlength=len(lengths)))
        norms[norms == 0] = 1.0
        unit = data * np.repeat(1.0 / norms, lengths)
        return Rows(starts, np.frombuffer(indices, np.int32), unit)
