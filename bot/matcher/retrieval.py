"""Matching for large knowledge bases: nearest phrasings from an inverted index, then a
learned judgement on the few candidates.

The learned matcher (``matcher.py``) fits a model per fact and weighs every fact's score
against every other's; past a few hundred facts that costs minutes and gigabytes. This one
keeps each phrasing as a TF-IDF vector (word and character n-grams, as there) and does
per question only what is proportional to it:

1. **Candidates.** The question's rarer n-grams (each in at most ``COMMON`` of the
   phrasings) are looked up in the inverted index; the ``CANDIDATES`` phrasings that
   share most with it are kept.
2. **Judgement.** Those get their full cosine with the question; each fact's best
   phrasing is its score, and a small logistic regression turns (its score, its lead over
   the next fact, its lead over the nearest question that must not be answered) into the
   chance it is right. That regression is learned from the knowledge base's own
   phrasings, each asked with itself left out of the index, and its out-of-scope
   questions, so the cut-off means the same here as for the learned matcher.

A fact added since the index was built is kept in a small side table searched in full;
:meth:`RetrievalMatcher.learned` adds to it in time proportional to the new phrasings.
"""

from __future__ import annotations

import copy as copy_module
import logging
import math
import random
import time
from collections import Counter
from collections.abc import Sequence

import numpy as np
from scipy import sparse

from bot.matcher.features import NGrams
from bot.matcher.matcher import Candidate, Example, read_as
from bot.matcher.model import NONE
from bot.matcher.text import words
from bot.matcher.vocabulary import Vocabulary

log = logging.getLogger(__name__)

Query = tuple[np.ndarray, np.ndarray]
"""A question's n-gram columns (sorted) and their weights."""

CANDIDATES = 64
"""Phrasings kept from the index per question, for the full cosine."""
COMMON = 0.02
"""An n-gram in more than this share of phrasings finds no candidates (it is in too many
to tell them apart, and reading its postings would cost most of the ask)."""
UNKNOWN_SHARE = 0.25
"""How many questions about something the knowledge base does not hold to expect for each
one it holds: the weight of a left-out fact's phrasing in the calibration."""
MAX_POSTINGS = 2000
"""Nor does one in more phrasings than this, however many there are: an ask reads at
most this many postings per n-gram."""
CALIBRATION_SAMPLE = 4000
"""Phrasings asked with themselves left out, to learn the chances from."""


class RetrievalMatcher:
    def __init__(self, vocabulary: Vocabulary | None = None) -> None:
        self.vocabulary = vocabulary or Vocabulary()

    def read(self, text: str) -> str:
        return read_as(text, self.vocabulary, getattr(self, "known_words_", None))

    def __getstate__(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k != "_dense"}

    # -- fitting ---------------------------------------------------------------------------

    def fit(self, examples: Sequence[Example]) -> RetrievalMatcher:
        started = time.perf_counter()
        self.known_words_: frozenset[str] = frozenset()
        texts = [self.read(e.text) for e in examples]
        self.known_words_ = frozenset(w for t in texts for w in words(t))
        self.examples_ = list(examples)
        self.ngrams_ = NGrams()
        # Phrasings by n-gram: the index. float32 and int32 halve what a row costs.
        matrix = self.ngrams_.fit_transform(texts).astype(np.float32)
        self._index(matrix, [e.label for e in examples])
        self.added_: list[tuple[Counter[str], int]] = []
        self.slope_, self.intercept_ = self._calibrate()
        self.fit_seconds_ = time.perf_counter() - started
        log.info("retrieval matcher on %d phrasings in %.1fs", len(texts), self.fit_seconds_)
        return self

    def _index(self, matrix: sparse.csr_matrix, labels: list[str]) -> None:
        names = sorted(set(labels))
        self.labels_ = np.array(names)
        position = {name: i for i, name in enumerate(names)}
        self.owner_ = np.array([position[label] for label in labels], dtype=np.int32)
        self.none_ = position.get(NONE, -1)
        self.facts_ = [name for name in names if name != NONE]
        self.rows_ = matrix.tocsr()
        # Each label's phrasings summed (its centroid, with its length kept apart): what
        # all its phrasings share, a product's name say, counts for more than what one
        # phrasing happens to say.
        owners = sparse.csr_matrix(
            (np.ones(len(labels), np.float32), (self.owner_, np.arange(len(labels)))),
            shape=(len(names), len(labels)),
        )
        # Only the sums' lengths are kept: a sum's product with a question is the sum of its
        # phrasings' products, read when its fact is a candidate (the sums themselves would
        # take half as much memory again as the phrasings).
        sums = sparse.csr_matrix(owners @ self.rows_, dtype=np.float32)
        self.sum_norms_ = np.sqrt(np.asarray(sums.multiply(sums).sum(axis=1)).ravel())
        self.label_rows_ = owners
        df = np.bincount(matrix.indices, minlength=matrix.shape[1])
        rare = df <= min(max(COMMON * matrix.shape[0], 50), MAX_POSTINGS)
        # Columns are n-grams, each column's rows the phrasings that use it.
        self.postings_ = sparse.csc_matrix(matrix.multiply(rare[None, :].astype(np.float32)))
        self.postings_.eliminate_zeros()

    def _calibrate(self) -> tuple[np.ndarray, float]:
        """Learn the chance from phrasings asked with themselves left out, and from the
        questions that must not be answered, asked with themselves left out too."""
        from sklearn.linear_model import LogisticRegression

        rng = random.Random(0)
        rows = list(range(len(self.examples_)))
        sample = rng.sample(rows, min(CALIBRATION_SAMPLE, len(rows)))
        x, y, weight = [], [], []
        for row in sample:
            start, end = self.rows_.indptr[row], self.rows_.indptr[row + 1]
            order = np.argsort(self.rows_.indices[start:end])
            query = (self.rows_.indices[start:end][order], self.rows_.data[start:end][order])
            # Asked as a new wording of a fact the index knows, and as a question about
            # something it does not know at all (its whole fact left out).
            label = self.examples_[row].label
            for whole in (False, True) if label != NONE else (False,):
                scored = self._facts_scored(query, leave_out=row, whole_label=whole)
                if not scored:
                    continue
                best_fact, features = scored[0]
                x.append(features)
                y.append(self.labels_[best_fact] == label)
                weight.append(UNKNOWN_SHARE if whole else 1.0)
        if len(set(y)) < 2:
            return np.array([8.0, 4.0, 4.0], np.float32), -4.0
        model = LogisticRegression(C=1.0).fit(np.array(x), np.array(y), sample_weight=weight)
        return model.coef_[0].astype(np.float32), float(model.intercept_[0])

    def learned(self, examples: Sequence[Example]) -> RetrievalMatcher | None:
        """A copy that also knows the examples added since it was fitted, in time
        proportional to them; None when examples were removed (that needs a fit)."""
        counts = Counter(examples)
        counts.subtract(self.examples_)
        if any(n < 0 for n in counts.values()):
            return None
        added = list(counts.elements())
        if not added:
            return self
        copy = copy_module.copy(self)
        copy.examples_ = [*self.examples_, *added]
        labels = list(self.labels_)
        position = {name: i for i, name in enumerate(labels)}
        copy.added_ = list(self.added_)
        read = [self.read(e.text) for e in added]
        for example, text in zip(added, read, strict=True):
            if example.label not in position:
                position[example.label] = len(labels)
                labels.append(example.label)
            copy.added_.append((self.ngrams_.grams(text), position[example.label]))
        copy.labels_ = np.array(labels)
        copy.facts_ = sorted(set(labels) - {NONE})
        copy.none_ = position.get(NONE, -1)
        copy.known_words_ = self.known_words_ | {w for text in read for w in words(text)}
        return copy

    # -- answering ---------------------------------------------------------------------------

    def rank(self, read: Sequence[str], limit: int = 5) -> list[list[Candidate]]:
        ranked = []
        for text in read:
            grams = self.ngrams_.grams(text)
            scored = self._facts_scored(self._query(grams), extra=grams, limit=limit)
            ranked.append(
                [
                    Candidate(str(self.labels_[fact]), self._chance(f), float(f[0]))
                    for fact, f in scored[:limit]
                ]
            )
        return ranked

    def _chance(self, features: np.ndarray) -> float:
        z = float(features @ self.slope_) + self.intercept_
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def _query(self, grams: Counter[str]) -> Query:
        """A question as the index weighs it: its known n-grams' columns, sorted, and
        their TF-IDF weights, unit length."""
        vocabulary, idf = self.ngrams_.vocabulary_, self.ngrams_.idf_
        known = [(c, n) for gram, n in grams.items() if (c := vocabulary.get(gram)) is not None]
        columns, counts = zip(*known, strict=True) if known else ((), ())
        cols = np.array(columns, dtype=np.int32)
        values = (1 + np.log(np.array(counts, dtype=np.float32))) * idf[cols].astype(np.float32)
        norm = float(np.linalg.norm(values))
        order = np.argsort(cols)
        return cols[order], (values / (norm or 1.0))[order]

    def _facts_scored(
        self,
        query: Query,
        leave_out: int = -1,
        extra: Counter[str] | None = None,
        *,
        whole_label: bool = False,
        limit: int = 5,
    ) -> list[tuple[int, np.ndarray]]:
        """Facts by how well they fit the question, best first, each with the features its
        chance is read from. A fact's fit is the mean of its best phrasing's cosine and
        its centroid's (all its phrasings summed: what they share, a product's name say,
        counts for more than what one of them happens to say). ``leave_out`` is a
        phrasing's row to leave out of the index, or with ``whole_label`` its fact."""
        best: dict[int, float] = {}
        left_out = -1 if leave_out < 0 else int(self.owner_[leave_out])
        excluded = self.label_rows_[left_out].indices if whole_label else [leave_out]
        rows = self._candidates(query, excluded if leave_out >= 0 else [])
        if len(rows):
            # Every phrasing of the candidates' facts: its nearest one, and their sum.
            owners = np.unique(self.owner_[rows])
            starts = self.label_rows_.indptr[owners]
            counts = self.label_rows_.indptr[owners + 1] - starts
            phrasings = self.label_rows_.indices[_ranges(starts, counts)]
            dense = self._spread(query)
            cosines = _dots(self.rows_, phrasings, dense)
            dense[query[0]] = 0.0  # ready for the next question
            offsets = np.concatenate(([0], np.cumsum(counts)[:-1]))
            dots = np.add.reduceat(cosines, offsets)
            if leave_out >= 0 and not whole_label:
                cosines[phrasings == leave_out] = 0.0  # it is not its own nearest phrasing
            nearest = np.maximum.reduceat(cosines, offsets)
            norms = self.sum_norms_[owners].copy()
            if left_out >= 0 and not whole_label:
                # The query is that phrasing: take it out of its fact's sum.
                own = owners == left_out
                norms[own] = np.sqrt(np.maximum(norms[own] ** 2 - 2 * dots[own] + 1, 1e-12))
                dots[own] -= 1.0
            central = np.where(norms > 1e-6, dots / np.maximum(norms, 1e-6), 0.0)
            best = dict(zip(owners.tolist(), ((nearest + central) / 2).tolist(), strict=True))
        if extra is not None:
            for grams, owner in self.added_:
                best[owner] = max(best.get(owner, 0.0), self._cosine(extra, grams))
        none = best.pop(self.none_, 0.0)
        order = sorted(best.items(), key=lambda item: -item[1])[:limit]
        scored = []
        for i, (fact, score) in enumerate(order):
            rival = order[1][1] if i == 0 and len(order) > 1 else order[0][1] if i else 0.0
            scored.append((fact, np.array([score, score - rival, score - none], np.float32)))
        return scored

    def _spread(self, query: Query) -> np.ndarray:
        """The question as a dense vector over the index's n-grams, in a buffer kept for
        the purpose (the caller zeroes the question's columns again when done)."""
        dense = getattr(self, "_dense", None)
        if dense is None or len(dense) != self.rows_.shape[1]:
            dense = self._dense = np.zeros(self.rows_.shape[1], dtype=np.float32)
        dense[query[0]] = query[1]
        return dense

    def _candidates(self, query: Query, left_out: Sequence[int]) -> np.ndarray:
        """The phrasings that share most rare n-grams with the question: only the postings
        of its own n-grams are read (summed by phrasing with one ``bincount``, cheaper than
        sorting them)."""
        columns, values = query
        postings = self.postings_
        starts = postings.indptr[columns]
        lengths = postings.indptr[columns + 1] - starts
        if not lengths.any():
            return np.empty(0, dtype=np.int64)
        at = _ranges(starts, lengths)
        weights = np.bincount(
            postings.indices[at],
            weights=postings.data[at] * np.repeat(values, lengths),
            minlength=postings.shape[0],
        )
        if len(left_out):
            weights[np.asarray(left_out)] = 0.0
        rows = np.flatnonzero(weights > 0)
        if len(rows) > CANDIDATES:
            rows = rows[np.argpartition(-weights[rows], CANDIDATES)[:CANDIDATES]]
        return rows

    def _cosine(self, question: Counter[str], grams: Counter[str]) -> float:
        """Cosine of two texts' n-grams weighted as the index weighs them (a side-table
        phrasing's n-grams the index never saw count as rare)."""
        return _weighted_cosine(question, grams, self.ngrams_)


def _weighted_cosine(a: Counter[str], b: Counter[str], ngrams: NGrams) -> float:
    vocabulary, idf = ngrams.vocabulary_, ngrams.idf_
    top = float(idf.max()) if len(idf) else 1.0

    def weight(gram: str, count: int) -> float:
        column = vocabulary.get(gram)
        return (1 + math.log(count)) * (float(idf[column]) if column is not None else top)

    wa = {g: weight(g, c) for g, c in a.items()}
    wb = {g: weight(g, c) for g, c in b.items()}
    dot = sum(w * wb[g] for g, w in wa.items() if g in wb)
    norm = math.sqrt(sum(w * w for w in wa.values()) * sum(w * w for w in wb.values()))
    return dot / norm if norm else 0.0


def _dots(matrix: sparse.csr_matrix, rows: np.ndarray, dense: np.ndarray) -> np.ndarray:
    """The dot product of each of ``rows`` with the question spread out in ``dense``,
    reading only those rows (scipy's own product would convert the question first,
    costing more than this)."""
    starts = matrix.indptr[rows]
    lengths = matrix.indptr[rows + 1] - starts
    at = _ranges(starts, lengths)
    products = matrix.data[at] * dense[matrix.indices[at]]
    if not len(products):
        return np.zeros(len(rows), dtype=np.float32)
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    sums = np.add.reduceat(products, np.minimum(offsets, len(products) - 1))
    sums[lengths == 0] = 0.0  # reduceat gives an empty row the next row's first product
    return sums.astype(np.float32)


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """``start, start + 1, …`` for each (start, length), all in one array."""
    shifts = starts - np.concatenate([[0], np.cumsum(lengths)[:-1]])
    return np.repeat(shifts, lengths) + np.arange(int(lengths.sum()))
