"""Matching for large knowledge bases: nearest phrasings from an inverted index, then a
learned judgement on the few candidates.

The learned matcher (``matcher.py``) fits a model per fact and weighs every fact's score
against every other's; past a few hundred facts that costs minutes and gigabytes. This one
keeps each phrasing as a TF-IDF vector (word and character n-grams, as there) and does
per question only what is proportional to it:

1. **Candidates.** The question's rarer n-grams (each in at most ``COMMON`` of the
   phrasings) are looked up in the inverted index; the ``CANDIDATES`` phrasings that
   share most with it are kept.
2. **Judgement.** Every phrasing of the candidates' facts gets its full cosine with the
   question; a fact's score is the mean of its nearest phrasing's and its centroid's, and
   a small logistic regression turns (its score, its lead over the next fact, its lead
   over the nearest question that must not be answered) into the chance it is right.
   That regression is learned from the knowledge base's own phrasings, each asked with
   itself left out of the index, and its out-of-scope questions, so the cut-off means the
   same here as for the learned matcher.

Knowledge that changed since the index was built is learned in time proportional to the
change (:meth:`RetrievalMatcher.learned`): a phrasing added is kept in a small side table
searched in full, a phrasing removed is marked dead in the index (its fact's centroid
recomputed from the rest). Once the side table or the dead rows grow past what that costs
per question, a full fit is due (:meth:`RetrievalMatcher.worth_refitting`).

The index is a handful of flat arrays, kept as ``.npy`` files in a folder
(:meth:`RetrievalMatcher.save`): a process starts without reading its big parts and reads
per question only the rows it needs (:mod:`bot.matcher.index_files`). N-grams are hashed
to columns, so there is no vocabulary of a million strings to load.
"""

from __future__ import annotations

import copy as copy_module
import hashlib
import logging
import math
import pickle
import random
import time
import zlib
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from bot.matcher import index_files
from bot.matcher.features import NGrams, Rows, ranges
from bot.matcher.matcher import Candidate, Example, prepare_reading, read_as
from bot.matcher.model import MIN_HELD_OUT, NONE
from bot.matcher.text import words
from bot.matcher.vocabulary import Vocabulary

if TYPE_CHECKING:
    from scipy import sparse

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
SIDE_TABLE_REFIT = 500
"""Phrasings in the side table past which a full fit is due (each costs every question a
few hundred nanoseconds)."""
SIDE_TABLE_MAX = 2000
"""Phrasings added at once past which :meth:`RetrievalMatcher.learned` declines (a full fit
is needed now: an import, not a moderator's change)."""
DEAD_REFIT = 0.1
"""Share of the index's phrasings removed since its fit past which a full fit is due (they
still weigh in the IDF and lengthen the postings)."""
CALIBRATION_SAMPLE = 4000
"""Phrasings asked with themselves left out, to learn the chances from."""
ONE_PHRASING = (np.array([2.951, 3.857, 2.383], np.float32), -2.309)
"""How (a fact's score, its lead over the next fact, its lead over the nearest question
that must not be answered) map to how often it is the right answer, for an index too thin
to learn that from its own phrasings: one phrasing a fact, as a FAQ imported with one
question per answer has it, where a phrasing asked with itself left out has no right
answer left. Fitted on CLINC150 val (75 and 150 intents, and 1,000 and 3,000 facts made
as ``factbot bench scale`` makes them, one phrasing each) by
``benchmarks/clinc150/calibration.py``; checked on BANKING77 and StackFAQ
(docs/matching.md). The guess it replaced, (8, 4, 4) and -4, answered 17 % of in-scope
questions wrong at 1,000 facts."""
COLUMNS = 1 << 22
"""N-grams are hashed to this many columns (a few n-grams share one; a million distinct
ones at 100,000 facts would otherwise be a vocabulary to hold and load)."""


def column(gram: str) -> int:
    return zlib.crc32(gram.encode()) & (COLUMNS - 1)


asked_column = lru_cache(maxsize=1 << 16)(column)
""":func:`column`, remembered for the n-grams questions use: most of them recur, and hashing
each one again was a tenth of an ask."""


_ON_DISK = ("rows_", "postings_")
"""The matcher's big sparse parts: read from their files question by question."""
_IN_MEMORY = ("label_rows_",)
"""Its small sparse part, saved the same way but read whole."""
_VECTORS = ("owner_", "sum_norms_", "columns_", "idf_", "row_keys_")
"""Its plain arrays, saved as files too (the rest is pickled beside them)."""


class RetrievalMatcher:
    def __init__(self, vocabulary: Vocabulary | None = None) -> None:
        self.vocabulary = vocabulary or Vocabulary()

    def read(self, text: str) -> str:
        return read_as(text, self.vocabulary, getattr(self, "known_words_", None))

    def __getstate__(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if k != "_dense"}

    # -- fitting ---------------------------------------------------------------------------

    def prepare(self) -> None:
        """Work out now what the first question would otherwise wait for: respelling's
        buckets and the question's buffer."""
        prepare_reading(getattr(self, "known_words_", None))
        self._buffer()

    def fit(self, examples: Sequence[Example]) -> RetrievalMatcher:
        started = time.perf_counter()
        examples = [e for e in examples if not e.answer]  # an index of questions
        self.known_words_: frozenset[str] = frozenset()
        texts = [self.read(e.text) for e in examples]
        self.known_words_ = frozenset(w for t in texts for w in words(t))
        self.ngrams_ = NGrams()  # only its way of cutting text into n-grams is used
        matrix, df = self._weighted(self.ngrams_.grams(text) for text in texts)
        labels = [e.label for e in examples]
        self._index(matrix, df, labels)
        self.row_keys_ = _keys(examples)
        self.side_ = SideTable.empty()
        self.dead_: np.ndarray | None = None
        """Which of the index's rows were removed since the fit (None: none was)."""
        self.dead_rows_ = np.empty(0, dtype=np.int64)
        self.slope_, self.intercept_ = self._calibrate(labels)
        self.fit_seconds_ = time.perf_counter() - started
        log.info("retrieval matcher on %d phrasings in %.1fs", len(texts), self.fit_seconds_)
        return self

    def _weighted(self, counted: Iterable[Counter[str]]) -> tuple[sparse.csr_matrix, np.ndarray]:
        """Sub-linear TF-IDF rows of unit length, and how many rows use each column. N-grams
        are hashed to 4 million columns, of which a knowledge base uses a share: the index
        keeps those (``columns_``, sorted), and its own columns are positions among them,
        each with its IDF (``idf_``)."""
        from scipy import sparse

        # Typed arrays, not lists: a list holds each number as an object of 32 bytes,
        # which for 500,000 phrasings is gigabytes.
        indptr, indices, values = array("q", [0]), array("i"), array("f")
        for grams in counted:
            for gram, count in grams.items():
                indices.append(column(gram))
                values.append(1 + math.log(count))
            indptr.append(len(indices))
        matrix = sparse.csr_matrix(
            (
                np.frombuffer(values, np.float32),
                np.frombuffer(indices, np.int32),
                np.frombuffer(indptr, np.int64),
            ),
            shape=(len(indptr) - 1, COLUMNS),
        )
        matrix.sum_duplicates()  # two n-grams of one phrasing hashed to one column
        df = np.bincount(matrix.indices, minlength=COLUMNS)
        self.columns_ = np.flatnonzero(df).astype(np.int32)
        df = df[self.columns_]
        # The same rows over the used columns (the order of columns is kept, so each row's
        # stay sorted).
        matrix = sparse.csr_matrix(
            (matrix.data, np.searchsorted(self.columns_, matrix.indices), matrix.indptr),
            shape=(matrix.shape[0], len(self.columns_)),
        )
        n = matrix.shape[0]
        self.idf_ = (np.log((1 + n) / (1 + df)) + 1).astype(np.float32)
        matrix.data *= self.idf_[matrix.indices]
        norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        return sparse.csr_matrix(sparse.diags((1.0 / norms).astype(np.float32)) @ matrix), df

    def _index(self, matrix: sparse.csr_matrix, df: np.ndarray, labels: list[str]) -> None:
        from scipy import sparse

        names = sorted(set(labels))
        self.labels_ = names
        position = {name: i for i, name in enumerate(names)}
        self.owner_ = np.array([position[label] for label in labels], dtype=np.int32)
        self.none_ = position.get(NONE, -1)
        self.facts_ = [name for name in names if name != NONE]
        self.rows_ = Rows.of(matrix)
        # Each label's phrasings (by row), and the length of their sum: what all of a
        # fact's phrasings share, a product's name say, counts for more than what one
        # phrasing happens to say.
        owners = sparse.csr_matrix(
            (np.ones(len(labels), np.float32), (self.owner_, np.arange(len(labels)))),
            shape=(len(names), len(labels)),
        )
        sums = sparse.csr_matrix(owners @ matrix, dtype=np.float32)
        self.sum_norms_ = np.sqrt(np.asarray(sums.multiply(sums).sum(axis=1)).ravel())
        del sums
        self.label_rows_ = Rows.of(owners)
        rare = df <= min(max(COMMON * matrix.shape[0], 50), MAX_POSTINGS)
        # Columns are n-grams, each column's rows the phrasings that use it.
        postings = sparse.csc_matrix(matrix.multiply(rare[None, :].astype(np.float32)))
        postings.eliminate_zeros()
        self.postings_ = Rows.of(postings)

    def _calibrate(self, labels: list[str]) -> tuple[np.ndarray, float]:
        """Learn the chance from phrasings asked with themselves left out, and from the
        questions that must not be answered, asked with themselves left out too; or take
        :data:`ONE_PHRASING` when too few phrasings have another of their fact to be
        found by."""
        from sklearn.linear_model import LogisticRegression

        rng = random.Random(0)
        rows = list(range(len(labels)))
        sample = rng.sample(rows, min(CALIBRATION_SAMPLE, len(rows)))
        phrasings = Counter(labels)
        answerable = sum(labels[row] != NONE and phrasings[labels[row]] > 1 for row in sample)
        if answerable < MIN_HELD_OUT:
            return ONE_PHRASING
        x, y, weight = [], [], []
        for row in sample:
            # Asked as a new wording of a fact the index knows, and as a question about
            # something it does not know at all (its whole fact left out). A fact's only
            # phrasing is asked the second way alone: without it the index does not know
            # the fact, and counting it as a wording the index got wrong taught a
            # knowledge base of mostly one phrasing a fact to answer almost nothing.
            label = labels[row]
            if label == NONE:
                ways: tuple[bool, ...] = (False,)
            else:
                ways = (False, True) if phrasings[label] > 1 else (True,)
            query = self.rows_.ranges(
                self.rows_.indptr[[row]], np.diff(self.rows_.indptr[row : row + 2])
            )
            for whole in ways:
                scored = self._facts_scored(query, leave_out=row, whole_label=whole, limit=1)
                if not scored:
                    continue
                best_fact, features = scored[0]
                x.append(features)
                y.append(self.labels_[best_fact] == label)
                weight.append(UNKNOWN_SHARE if whole else 1.0)
        if len(set(y)) < 2:
            return ONE_PHRASING
        model = LogisticRegression(C=1.0).fit(np.array(x), np.array(y), sample_weight=weight)
        return model.coef_[0].astype(np.float32), float(model.intercept_[0])

    def evidence(self, read: str) -> tuple[str, np.ndarray] | None:
        """For a question already through :meth:`read`: the best fact, and what its chance
        is read from (its score, its lead over the next fact, its lead over the nearest
        question that must not be answered). For fitting :data:`ONE_PHRASING`."""
        scored = self._scored(read, limit=1)
        return (self.labels_[scored[0][0]], scored[0][1]) if scored else None

    def learned(self, examples: Sequence[Example]) -> RetrievalMatcher | None:
        """A copy that knows ``examples``, what the knowledge base holds now, learned in time
        proportional to what changed since the fit (past recognising it): new phrasings go
        to the side table, removed ones are marked dead. None when more is new than the
        side table is for (:data:`SIDE_TABLE_MAX`), or when answers came with them: the
        knowledge base shrank to what the learned matcher is for, and a fit picks it."""
        if any(e.answer for e in examples):
            return None
        keys = _keys(examples)
        current = np.sort(keys)
        dead = ~_among(self.row_keys_, current)
        kept = _among(self.side_.keys, current)
        known = _among(keys, np.sort(self.row_keys_)) | _among(keys, np.sort(self.side_.keys))
        new = {
            key: example
            for example, key, old in zip(examples, keys.tolist(), known.tolist(), strict=True)
            if not old
        }
        if int(kept.sum()) + len(new) > SIDE_TABLE_MAX:
            return None
        if not new and kept.all() and np.array_equal(dead, self._dead_mask()):
            return self
        copy = copy_module.copy(self)
        copy._mark_dead(dead)
        labels = list(self.labels_)
        position = {name: i for i, name in enumerate(labels)}
        # As a full fit would read them: their words are what the matcher comes to know.
        read = [read_as(example.text, self.vocabulary, None) for example in new.values()]
        for example in new.values():
            if example.label not in position:
                position[example.label] = len(labels)
                labels.append(example.label)
        copy.side_ = self.side_.kept(kept).plus(
            [self._queries(self.ngrams_.grams(text))[1] for text in read],
            [position[example.label] for example in new.values()],
            list(new),
        )
        copy.labels_ = labels
        copy.facts_ = sorted(set(labels) - {NONE})
        copy.none_ = position.get(NONE, -1)
        copy.known_words_ = self.known_words_ | {w for text in read for w in words(text)}
        return copy

    def _mark_dead(self, dead: np.ndarray) -> None:
        """Take the ``dead`` rows out of the answers, and work out again the length of the
        sum of each label whose rows changed, from its live rows."""
        changed = np.flatnonzero(dead != self._dead_mask())
        if len(changed):
            # A copy: the fitted lengths are shared with the matcher this one learned from.
            norms = np.array(self.sum_norms_, dtype=np.float32)
            for label in np.unique(self.owner_[changed]).tolist():
                rows = self.label_rows_.row(label)
                norms[label] = _sum_length(self.rows_, rows[~dead[rows]])
            self.sum_norms_ = norms
        self.dead_ = dead if dead.any() else None
        self.dead_rows_ = np.flatnonzero(dead)

    def _dead_mask(self) -> np.ndarray:
        """Which of the index's rows are dead, as a mask even when none is."""
        return self.dead_ if self.dead_ is not None else np.zeros(len(self.owner_), dtype=bool)

    def worth_refitting(self) -> bool:
        """Whether what was learned since the fit costs enough per question (the side
        table) or in what the index misjudges (dead rows) to be worth a full fit."""
        many_dead = len(self.dead_rows_) > DEAD_REFIT * len(self.owner_)
        return len(self.side_) > SIDE_TABLE_REFIT or many_dead

    # -- keeping ---------------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        """The index's arrays as ``.npy`` files (:mod:`bot.matcher.index_files`), the rest
        pickled beside them. For a fitted matcher: one loaded keeps its parts on disk."""
        folder.mkdir(parents=True)
        small = self.__getstate__()
        index_files.save(
            folder,
            {name: small.pop(name) for name in _ON_DISK},
            {name: small.pop(name) for name in _IN_MEMORY},
            {name: small.pop(name) for name in _VECTORS},
        )
        with (folder / "rest.pickle").open("wb") as f:
            pickle.dump(small, f, protocol=pickle.HIGHEST_PROTOCOL)

    @classmethod
    def load(cls, folder: Path) -> RetrievalMatcher:
        matcher = cls.__new__(cls)
        with (folder / "rest.pickle").open("rb") as f:
            matcher.__dict__.update(pickle.load(f))
        for name in _ON_DISK:
            setattr(matcher, name, index_files.FileRows(folder, name))
        for name in _IN_MEMORY:
            setattr(matcher, name, index_files.loaded_rows(folder, name))
        for name in _VECTORS:
            setattr(matcher, name, np.load(folder / f"{name}.npy"))
        return matcher

    # -- answering ---------------------------------------------------------------------------

    def rank(self, read: Sequence[str], limit: int = 5) -> list[list[Candidate]]:
        ranked = []
        for text in read:
            scored = self._scored(text, limit)
            ranked.append(
                [
                    Candidate(self.labels_[fact], self._chance(f), float(f[0]))
                    for fact, f in scored[:limit]
                ]
            )
        return ranked

    def _scored(self, read: str, limit: int) -> list[tuple[int, np.ndarray]]:
        query, side = self._queries(self.ngrams_.grams(read))
        return self._facts_scored(query, side=side if len(self.side_) else None, limit=limit)

    def _chance(self, features: np.ndarray) -> float:
        z = float(features @ self.slope_) + self.intercept_
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def _queries(self, grams: Counter[str]) -> tuple[Query, Query]:
        """A text as the index weighs it, and as the side table does: the columns of its
        n-grams, sorted, and their TF-IDF weights, unit length (the index's columns, and
        hashed ones for the side table). An n-gram no phrasing of the index uses weighs
        nothing for the index (it cannot match there) and the rarest weight for the side
        table (a new fact's new name is what tells it apart)."""
        columns = np.fromiter(map(asked_column, grams), np.int64, len(grams))
        counts = np.fromiter(grams.values(), np.float32, len(grams))
        columns, at = np.unique(columns, return_inverse=True)
        tf = np.bincount(at, weights=1 + np.log(counts)).astype(np.float32)
        own = self._own_columns(columns)
        idf = np.where(own >= 0, self.idf_[np.maximum(own, 0)], np.float32(0.0))
        side = tf * np.where(idf > 0, idf, np.float32(self._rarest))
        return _unit(own, tf * idf), _unit(columns, side)  # `_unit` drops the weightless

    def _own_columns(self, hashed: np.ndarray) -> np.ndarray:
        """The index's column of each hashed one (sorted), or -1 where no phrasing of the
        index uses it."""
        used = self.columns_
        if not len(used):
            return np.full(len(hashed), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(used, hashed), len(used) - 1)
        return np.where(used[at] == hashed, at, -1)

    def _facts_scored(
        self,
        query: Query,
        leave_out: int = -1,
        side: Query | None = None,
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
        excluded = self.label_rows_.row(left_out) if whole_label else [leave_out]
        rows = self._candidates(query, excluded if leave_out >= 0 else [])
        if len(rows):
            # Every phrasing of the candidates' facts: its nearest one, and their sum.
            owners = np.unique(self.owner_[rows])
            starts = self.label_rows_.indptr[owners]
            counts = self.label_rows_.indptr[owners + 1] - starts
            phrasings = self.label_rows_.indices[ranges(starts, counts)]
            dense = self._spread(query)
            cosines = _dots(self.rows_, phrasings, dense)
            dense[query[0]] = 0.0  # ready for the next question
            if self.dead_ is not None:
                cosines[self.dead_[phrasings]] = 0.0  # removed since the fit
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
        if side is not None:
            for owner, cosine in self.side_.best_by_owner(self.side_.cosines(side)).items():
                best[owner] = max(best.get(owner, 0.0), cosine)
        none = best.pop(self.none_, 0.0)
        # The runner-up is read even when one fact is asked for: the best one's lead on it
        # is part of its chance.
        order = sorted(best.items(), key=lambda item: -item[1])[: max(limit, 2)]
        scored = []
        for i, (fact, score) in enumerate(order[:limit]):
            rival = order[1][1] if i == 0 and len(order) > 1 else order[0][1] if i else 0.0
            scored.append((fact, np.array([score, score - rival, score - none], np.float32)))
        return scored

    def _spread(self, query: Query) -> np.ndarray:
        """The question as a dense vector over the columns, in a buffer kept for the
        purpose (the caller zeroes the question's columns again when done)."""
        dense = self._buffer()
        dense[query[0]] = query[1]
        return dense

    def _buffer(self) -> np.ndarray:
        dense = getattr(self, "_dense", None)
        if dense is None:
            # Filled now: a page of zeros is only really allocated when first written.
            dense = self._dense = np.full(len(self.columns_), 0.0, dtype=np.float32)
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
        phrasings, weighed = postings.ranges(starts, lengths)
        weights = np.bincount(
            phrasings, weights=weighed * np.repeat(values, lengths), minlength=len(self.owner_)
        )
        if len(left_out):
            weights[np.asarray(left_out)] = 0.0
        weights[self.dead_rows_] = 0.0
        rows = np.flatnonzero(weights > 0)
        if len(rows) > CANDIDATES:
            rows = rows[np.argpartition(-weights[rows], CANDIDATES)[:CANDIDATES]]
        return rows

    @cached_property
    def _rarest(self) -> float:
        """The highest IDF (read once: it scans every column)."""
        return float(self.idf_.max()) if len(self.idf_) else 1.0


@dataclass(frozen=True)
class SideTable:
    """The phrasings added since the index was built, searched in full: each a unit
    vector over the index's columns, with its label's position and its example's digest
    (:func:`_keys`)."""

    rows: Rows
    owners: np.ndarray
    keys: np.ndarray

    @cached_property
    def _by_column(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The entries sorted by column, each with its phrasing: the side table's own
        inverted index."""
        row_of = np.repeat(np.arange(len(self)), np.diff(self.rows.indptr))
        order = np.argsort(self.rows.indices, kind="stable")
        return self.rows.indices[order], row_of[order], self.rows.data[order]

    @cached_property
    def _owners(self) -> tuple[np.ndarray, np.ndarray]:
        """The owners, each once, and where each phrasing's owner is among them."""
        return np.unique(self.owners, return_inverse=True)

    @classmethod
    def empty(cls) -> SideTable:
        rows = Rows(np.zeros(1, np.int64), np.empty(0, np.int32), np.empty(0, np.float32))
        return cls(rows, np.empty(0, np.int32), np.empty(0, np.uint64))

    def __len__(self) -> int:
        return len(self.owners)

    def kept(self, keep: np.ndarray) -> SideTable:
        """Only the phrasings where ``keep`` is true."""
        if keep.all():
            return self
        chosen = np.flatnonzero(keep)
        starts = self.rows.indptr[chosen]
        lengths = self.rows.indptr[chosen + 1] - starts
        at = ranges(starts, lengths)
        indptr = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
        rows = Rows(indptr, self.rows.indices[at], self.rows.data[at])
        return SideTable(rows, self.owners[chosen], self.keys[chosen])

    def plus(
        self, vectors: Sequence[Query], owners: Sequence[int], keys: Sequence[int]
    ) -> SideTable:
        if not vectors:
            return self
        lengths = np.array([len(columns) for columns, _ in vectors], np.int64)
        indptr = np.concatenate((self.rows.indptr, self.rows.indptr[-1] + np.cumsum(lengths)))
        indices = np.concatenate([self.rows.indices, *(c.astype(np.int32) for c, _ in vectors)])
        data = np.concatenate([self.rows.data, *(v for _, v in vectors)]).astype(np.float32)
        return SideTable(
            Rows(indptr, indices, data),
            np.concatenate((self.owners, np.asarray(owners, np.int32))),
            np.concatenate((self.keys, np.asarray(keys, np.uint64))),
        )

    def cosines(self, query: Query) -> np.ndarray:
        """Each phrasing's cosine with a question weighed as the side table weighs: only
        the entries in the question's columns are read."""
        columns, values = query
        by_column, row_of, data = self._by_column
        starts = np.searchsorted(by_column, columns, "left")
        lengths = np.searchsorted(by_column, columns, "right") - starts
        at = ranges(starts, lengths)
        products = data[at] * np.repeat(values, lengths)
        return np.bincount(row_of[at], weights=products, minlength=len(self))

    def best_by_owner(self, cosines: np.ndarray) -> dict[int, float]:
        """Each owner's highest of ``cosines`` (one per phrasing), where above zero."""
        owners, of_row = self._owners
        best = np.zeros(len(owners))
        np.maximum.at(best, of_row, cosines)
        shared = best > 0
        return dict(zip(owners[shared].tolist(), best[shared].tolist(), strict=True))


def _among(values: np.ndarray, ordered: np.ndarray) -> np.ndarray:
    """Which of ``values`` are in ``ordered`` (sorted). Half a million 64-bit keys against
    as many in 0.05 s, where ``np.isin`` took 0.4 s."""
    if not len(ordered):
        return np.zeros(len(values), dtype=bool)
    at = np.minimum(np.searchsorted(ordered, values), len(ordered) - 1)
    return ordered[at] == values


def _keys(examples: Sequence[Example]) -> np.ndarray:
    """A 64-bit digest of each example (its label and text), to tell which are new."""
    return np.fromiter(
        (
            int.from_bytes(
                hashlib.blake2b(f"{e.label}\x1f{e.text}".encode(), digest_size=8).digest()
            )
            for e in examples
        ),
        np.uint64,
        len(examples),
    )


def _unit(columns: np.ndarray, values: np.ndarray) -> Query:
    """The columns with a weight, and their weights scaled to unit length."""
    kept = values > 0
    columns, values = columns[kept], values[kept]
    norm = float(np.linalg.norm(values))
    return columns, values / (norm or 1.0)


def _sum_length(matrix: Rows | index_files.FileRows, rows: np.ndarray) -> float:
    """The length of the sum of ``rows`` of ``matrix``."""
    starts = matrix.indptr[rows]
    columns, values = matrix.ranges(starts, matrix.indptr[rows + 1] - starts)
    _, column_of = np.unique(columns, return_inverse=True)
    sums = np.bincount(column_of, weights=values)
    return float(np.sqrt(np.dot(sums, sums)))


def _dots(matrix: Rows | index_files.FileRows, rows: np.ndarray, dense: np.ndarray) -> np.ndarray:
    """The dot product of each of ``rows`` with the question spread out in ``dense``,
    reading only those rows (scipy's own product would convert the question first,
    costing more than this)."""
    starts = matrix.indptr[rows]
    lengths = matrix.indptr[rows + 1] - starts
    columns, values = matrix.ranges(starts, lengths)
    products = values * dense[columns]
    if not len(products):
        return np.zeros(len(rows), dtype=np.float32)
    offsets = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    sums = np.add.reduceat(products, np.minimum(offsets, len(products) - 1))
    sums[lengths == 0] = 0.0  # reduceat gives an empty row the next row's first product
    return sums.astype(np.float32)
