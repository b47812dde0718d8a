"""Match a question to the facts of one knowledge base: fit on its phrasings, then rank.

``Matcher.fit`` learns from labelled examples (each fact's phrasings, plus the questions
marked out of scope as ``NONE``); a cross-validated pass over the same examples calibrates
the chance that the best fact is right. ``Matcher.read`` reads a question, ``Matcher.rank``
returns the best facts with that chance. No database, no network, nothing about any one
article.
"""

from __future__ import annotations

import copy as copy_module
import logging
import threading
import time
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
from rapidfuzz import distance, process

from bot.matcher.encoder import encoder, english_words, remember
from bot.matcher.model import NONE, Chances, Featurizer, IntentModel
from bot.matcher.text import with_apostrophes, words
from bot.matcher.vocabulary import Vocabulary

if TYPE_CHECKING:
    from scipy import sparse

log = logging.getLogger(__name__)


class Example(NamedTuple):
    """A phrasing and the fact it asks for, or a fact's answer. A tuple, not a dataclass:
    a knowledge base of 100,000 facts makes half a million of them on every start."""

    text: str
    label: str
    """A fact id, or ``NONE`` for a question that must not be answered."""
    answer: bool = False
    """The fact's answer, not a question: learned as its fact's words (a fact with one
    phrasing has little else), never asked as a question when the chances are learned."""


@dataclass(frozen=True)
class Candidate:
    fact_id: str
    chance: float
    """The calibrated chance (0-1) that this fact is the right answer."""
    score: float
    """The model's raw score, for explaining a decision."""
    likeness: float | None = None
    """How like the question is to the fact's nearest example (1: word for word), where
    the matcher reads meaning; for explaining a decision."""


RESPELL_FROM = 4
"""Words shorter than this are never respelled: too many short words are one slip apart."""


def _respelled(token: str, known: frozenset[str]) -> str:
    core = token.strip(".,!?;:\"'()")
    if len(core) < RESPELL_FROM or core in known or not core.isalpha():
        return token
    # A word of English is what the member meant, not a slip: read as the knowledge
    # base's nearest word, "card" became "car", "decrease" "increase", "garage" "garbage".
    if core in english_words():
        return token
    # Remembered: members ask with the same words again and again.
    respelled = _worked_out(known).respelled
    if (closest := respelled.get(core)) is None:
        closest = respelled[core] = _closest(core, known)
    return token.replace(core, closest)


def _closest(core: str, known: frozenset[str]) -> str:
    """The known word ``core`` is most likely a slip for, or ``core`` itself."""
    slips = 1 + (len(core) > 7)
    # Only words that could be `slips` edits away are compared: of about its length, and
    # with about its letters (an edit changes at most two letters of the word's bag of
    # letters; a large knowledge base knows a hundred thousand words).
    letters = _letter_counts(core)
    mask = _masks(letters[None, :])[0]
    near: list[str] = []
    by_length = _worked_out(known).by_length
    for length in range(len(core) - slips, len(core) + slips + 1):
        bucket = by_length.get(length)
        if bucket is not None:
            words_, counts, masks = bucket
            # Which letters occur changes in at most two letters an edit too, and is one
            # number a word: a cheap first cut before the letter counts.
            maybe = np.flatnonzero(np.bitwise_count(masks ^ mask) <= 2 * slips)
            close = np.abs(counts[maybe] - letters).sum(axis=1) <= 2 * slips
            near += [words_[i] for i in maybe[close]]
    best = process.extractOne(
        core, near, scorer=distance.DamerauLevenshtein.distance, score_cutoff=slips
    )
    return best[0] if best else core


def read_as(text: str, vocabulary: Vocabulary, known: frozenset[str] | None) -> str:
    """A question as a matcher sees it: aliases rewritten, then each word the knowledge
    base never uses (``known``: the words it does) respelled as the closest word it does
    ("vaction" -> "vacation")."""
    rewritten = with_apostrophes(vocabulary.rewrite(text))
    if not known:
        return rewritten
    return " ".join(_respelled(w, known) for w in rewritten.split())


def prepare_reading(known: frozenset[str] | None) -> None:
    """Work out respelling's buckets of known words now, not during the first question
    with a word the knowledge base does not use (10 ms at 10,000 facts)."""
    if known:
        _worked_out(known)


def _letter_counts(word: str) -> np.ndarray:
    """How often each letter a-z (and any other, together) occurs in the word."""
    counts = np.zeros(27, dtype=np.int16)
    for ch in word:
        counts[ord(ch) - 97 if "a" <= ch <= "z" else 26] += 1
    return counts


def _bucket_counts(group: list[str], length: int) -> np.ndarray:
    """:func:`_letter_counts` of many words of one length at once (a large knowledge base
    knows a hundred thousand words, and this runs after each change)."""
    codes = np.frombuffer("".join(group).encode("utf-32-le"), dtype=np.uint32)
    codes = codes.reshape(len(group), length).astype(np.int64) - 97
    codes[(codes < 0) | (codes > 25)] = 26
    flat = codes + 27 * np.arange(len(group))[:, None]
    counts = np.bincount(flat.ravel(), minlength=27 * len(group))
    return counts.reshape(len(group), 27).astype(np.int16)


def _masks(counts: np.ndarray) -> np.ndarray:
    """Which letters a-z occur in each word (from its letter counts), as bits of one number."""
    return (counts[:, :26] > 0).astype(np.int64) @ (1 << np.arange(26, dtype=np.int64))


Bucket = tuple[list[str], np.ndarray, np.ndarray]
"""Known words of one length, their letter counts and their letter masks."""


@dataclass
class _Known:
    """What respelling works out once per set of known words: the words by length (each
    with its letter counts and mask), and each unknown word's respelling so far."""

    words: frozenset[str]
    by_length: dict[int, Bucket]
    respelled: dict[str, str]


KNOWN_SETS = 16
"""Sets of known words whose buckets are kept: one per matcher in use (a guild with its
own knowledge has its own), the least recently used dropped first."""
_KNOWN: OrderedDict[int, _Known] = OrderedDict()
_KNOWN_LOCK = threading.Lock()
"""Fitting threads work buckets out while the event loop reads them."""


def _worked_out(known: frozenset[str]) -> _Known:
    with _KNOWN_LOCK:
        entry = _KNOWN.get(id(known))
        if entry is not None and entry.words is known:
            _KNOWN.move_to_end(id(known))
            return entry
    grouped: dict[int, list[str]] = defaultdict(list)
    for word in sorted(known):
        grouped[len(word)].append(word)
    buckets = {}
    for n, group in grouped.items():
        counts = _bucket_counts(group, n)
        buckets[n] = (group, counts, _masks(counts))
    entry = _Known(known, buckets, {})
    with _KNOWN_LOCK:
        _KNOWN[id(known)] = entry
        while len(_KNOWN) > KNOWN_SETS:
            _KNOWN.popitem(last=False)
    return entry


def folds_of(labels: Sequence[str], folds: int) -> np.ndarray:
    """Each example's fold: every label's examples dealt round-robin, so each fold holds
    some of every label that has enough (stratified, deterministic)."""
    seen: dict[str, int] = defaultdict(int)
    fold = np.empty(len(labels), dtype=int)
    for i, label in enumerate(labels):
        fold[i] = seen[label] % folds
        seen[label] += 1
    return fold


def nearest_likeness(
    questions: np.ndarray, examples: np.ndarray, columns: np.ndarray, width: int
) -> np.ndarray:
    """How like each question is to each label's nearest example: the largest product of
    their sentence vectors (``columns``: each example's label; 0 for a label with none)."""
    order = np.argsort(columns, kind="stable")
    present, starts = np.unique(columns[order], return_index=True)
    likeness = np.zeros((len(questions), width), np.float32)
    if not len(present):
        return likeness
    for first in range(0, len(questions), LIKENESS_ROWS):
        products = questions[first : first + LIKENESS_ROWS] @ examples.T
        likeness[first : first + LIKENESS_ROWS, present] = np.maximum.reduceat(
            products[:, order], starts, axis=1
        )
    return likeness


LIKENESS_ROWS = 256
"""Questions compared with every example at once (15,000 examples: 15 MB of products)."""


QUICK_SHARE = 0.25
"""A quick update learns at most this many new examples per example already learned. Its
labels that are not refitted never saw the new examples as someone else's: 72 banking
facts added to a matcher of 5 were answered 1.5 % right until the full fit (which takes
seconds at that size)."""


class Matcher:
    def __init__(
        self,
        vocabulary: Vocabulary | None = None,
        *,
        folds: int = 3,
        c: float = 1.0,
        stacking_c: float = 0.3,
        embedding_weight: float = 1.0,
        neighbours: int = 4,
    ) -> None:
        self.vocabulary = vocabulary or Vocabulary()
        self.folds = folds
        self.c = c
        self.stacking_c = stacking_c
        self.neighbours = neighbours
        self.embedding_weight = embedding_weight

    def read(self, text: str) -> str:
        return read_as(text, self.vocabulary, getattr(self, "known_words_", None))

    def prepare(self) -> None:
        """Work out now what the first question would otherwise wait for."""
        prepare_reading(getattr(self, "known_words_", None))
        if self.embedding_weight:
            encoder()
            self._example_columns()

    def fit(self, examples: Sequence[Example]) -> Matcher:
        started = time.perf_counter()
        self.known_words_: frozenset[str] = frozenset()
        texts = [self.read(e.text) for e in examples]
        self.known_words_ = frozenset(w for t in texts for w in words(t))
        labels = [e.label for e in examples]
        # The vocabulary and IDF are learned once from every example (no labels involved);
        # the folds below refit only the model.
        self.featurizer_ = Featurizer(self.embedding_weight)
        featured = self.featurizer_.fit_transform(texts)
        features = featured.matrix()
        # Kept, unlike the rest of the features: encoding every example again is most of
        # a fit, and a quick update after a restart would wait for it.
        self.embedded_ = featured.embedded
        self.examples_ = list(examples)
        self._features = features
        # The full model and the calibration folds one after another, not side by side:
        # liblinear's seeded shuffling is one generator per process, and two fits drawing
        # from it in turns gave another model each run (CLINC150 at 100 phrasings a fact:
        # 88.7-91.4 % answered right over five runs). Side by side took 36 s there, not 59.
        self.classes_ = np.array(sorted(set(labels)))
        self.model_ = IntentModel(self.c).fit(features, labels)
        self.chances_ = self._calibrate(features, labels)
        self.facts_ = sorted(set(labels) - {NONE})
        self.learned_since_fit_ = False
        self.fit_seconds_ = time.perf_counter() - started
        log.info("matcher fitted on %d examples in %.1fs", len(texts), self.fit_seconds_)
        return self

    def __getstate__(self) -> dict[str, object]:
        # The training features are big and quick to rebuild, and each example's column
        # is worked out again on first use: neither is cached on disk, nor copied into a
        # matcher that learns more examples (:meth:`learned`).
        return {k: v for k, v in self.__dict__.items() if k not in ("_features", "_columns")}

    def likeness(self, questions: np.ndarray | None) -> np.ndarray | None:
        """:func:`nearest_likeness` of weighted question vectors to the examples learned
        so far; None without an encoder."""
        if questions is None or self.embedded_ is None:
            return None
        likeness = nearest_likeness(
            questions, self.embedded_, self._example_columns(), len(self.classes_)
        )
        return likeness / np.float32(self.embedding_weight**2)

    def _example_columns(self) -> np.ndarray:
        """Each example's label column, worked out once (the shipped pack's 8,000
        examples: 0.4 ms by a lookup, 1.5 ms by sorting their labels as a numpy array)."""
        if (columns := self.__dict__.get("_columns")) is None:
            column = {label: n for n, label in enumerate(self.classes_.tolist())}
            labels = (column[e.label] for e in self.examples_)
            columns = self._columns = np.fromiter(labels, np.intp, len(self.examples_))
        return columns

    def learned(self, examples: Sequence[Example]) -> Matcher | None:
        """A copy that has also learned the examples added since it was fitted, in a
        fraction of a full fit: each label with new examples gets its one-vs-rest model
        refitted on everything; a new fact's chances are weighed as a typical fact's.
        None when examples were removed or changed, when too many were added to trust
        the labels not refitted, or when it had too few phrasings to learn its chances
        from (that needs :meth:`fit`). The order of the examples does not matter."""
        old = self.examples_
        counts = Counter(examples)
        counts.subtract(old)
        if any(n < 0 for n in counts.values()):
            return None
        added = list(counts.elements())
        if not added:
            return self
        if len(added) > QUICK_SHARE * len(old) or self._calibrates_anew(added):
            return None
        from scipy import sparse

        features = getattr(self, "_features", None)
        if features is None:
            # Read as the fit read them, before it knew any words to respell into.
            old_texts = [read_as(e.text, self.vocabulary, None) for e in old]
            features = self.featurizer_.transform(old_texts, self.embedded_).matrix()
        # As a full fit would read them: a new fact's words are what the matcher comes to
        # know, not slips of words it knew ("park" is not "part").
        read_added = [read_as(e.text, self.vocabulary, None) for e in added]
        new = self.featurizer_.transform(read_added)
        features = sparse.vstack([features, new.matrix()], format="csr")
        examples = [*old, *added]  # in the order of the feature rows
        labels = np.array([e.label for e in examples])
        classes = np.array(sorted(set(labels)))
        if len(classes) < 2:
            return None
        copy = copy_module.copy(self)
        copy.examples_, copy._features, copy.classes_ = examples, features, classes
        if self.embedded_ is not None and new.embedded is not None:
            copy.embedded_ = np.vstack([self.embedded_, new.embedded])
        copy.model_ = self.model_.widened(classes)
        copy.chances_ = self.chances_.widened(classes)
        # The labels the new examples are most easily taken for learn them as negatives
        # too; the rest stay as they were until the next full fit.
        added_labels = {e.label for e in added}
        taken_for = self.model_.decision_function(features[len(old) :]).mean(axis=0)
        neighbours = [
            str(self.classes_[i])
            for i in np.argsort(-taken_for)
            if self.classes_[i] not in added_labels and self.classes_[i] != NONE
        ][: self.neighbours]
        refit = sorted(added_labels | set(neighbours))
        # One after another, for the reason :meth:`fit` gives; each starts from a few
        # hundred rows.
        near, around_new = self._near_margins(features, labels, neighbours, len(old))
        for label in refit:
            weights, intercept = IntentModel(self.c).fit_one(
                features, labels == label, near.get(label, around_new)
            )
            row = int(np.searchsorted(classes, label))
            copy.model_.weights_[:, row], copy.model_.intercept_[row] = weights, intercept
        copy.facts_ = sorted(set(labels) - {NONE})
        copy.known_words_ = self.known_words_ | {w for text in read_added for w in words(text)}
        copy.learned_since_fit_ = True
        return copy

    def _near_margins(
        self, features: sparse.csr_matrix, labels: np.ndarray, neighbours: list[str], old: int
    ) -> tuple[dict[str, np.ndarray], np.ndarray | None]:
        """Where each refit starts (:meth:`IntentModel.fit_one`): for a neighbour, the rows
        its fitted model has on or inside its margin, and the new rows; for a label with
        new examples, all of those (its questions are about its neighbours'). None when
        there is no neighbour to start from: every row."""
        if not neighbours:
            return {}, None
        columns = np.searchsorted(self.classes_, neighbours)
        # Their columns only, of every row at once: slicing or converting 15,000 rows
        # costs more than the products.
        weights = self.model_.weights_[:, columns]
        scores = np.asarray(features @ weights)[:old] + self.model_.intercept_[columns]
        new = np.ones(len(labels) - old, dtype=bool)
        near = {
            label: np.concatenate([np.where(labels[:old] == label, 1, -1) * scores[:, n] < 1, new])
            for n, label in enumerate(neighbours)
        }
        return near, np.logical_or.reduce(list(near.values()))

    def _calibrates_anew(self, added: Sequence[Example]) -> bool:
        """Whether a matcher whose chances come from its facts' scores alone (one phrasing
        a fact) would learn them from its phrasings once it has these: a fact's second
        phrasing is what cross-validation needs."""
        if not self.chances_.from_score_:
            return False
        phrasings = [e for e in [*self.examples_, *added] if e.label != NONE and not e.answer]
        counts = Counter(e.label for e in phrasings)
        return any(counts[e.label] > 1 for e in added if not e.answer)

    def encodes_ahead(self, count: int) -> bool:
        """Whether encoding ``count`` phrasings as they are added, before :meth:`learned`
        learns them, saves it the time: when its features encode texts and that many
        would be learned that way, not by a full fit."""
        return bool(self.embedding_weight) and count <= QUICK_SHARE * len(self.examples_)

    def encode_ahead(self, texts: Sequence[str]) -> None:
        """Encode phrasings as :meth:`learned` will read them; it finds them remembered."""
        remember([read_as(text, self.vocabulary, None) for text in texts])

    def worth_refitting(self) -> bool:
        """Whether a full fit would do better: after :meth:`learned` it always would (the
        chances of most labels, and the cross-validation, are the old fit's)."""
        return self.learned_since_fit_

    def _calibrate(self, features: sparse.csr_matrix, labels: list[str]) -> Chances:
        """Scores of each example from a model that never saw it: what the chance of each
        label being right is learned from."""
        fold = folds_of(labels, self.folds)
        label_array = np.array(labels)
        answers = np.array([e.answer for e in self.examples_], dtype=bool)
        classes = self.classes_
        splits = [(fold != k, fold == k) for k in range(self.folds)]
        splits = [(t, h) for t, h in splits if h.any() and len(set(label_array[t])) > 1]
        held_out = np.zeros(len(labels), dtype=bool)
        scores = np.zeros((len(labels), len(classes)), np.float32)
        for train, held in splits:
            model = IntentModel(self.c).fit(features[train], label_array[train])
            fold_scores = model.decision_function(features[held])
            # The fold's columns in the full label order; a label it never saw scores lowest.
            full = np.full((fold_scores.shape[0], len(classes)), -1.5, np.float32)
            full[:, np.searchsorted(classes, model.classes_)] = fold_scores
            scores[held] = full
            # A phrasing is scored only by a model that knew its label from another
            # phrasing (a fact with fewer phrasings than folds is missing from some):
            # otherwise it would teach that the label's own score says nothing about it,
            # or, known from its answer alone, that a fact is hardly ever right about the
            # questions asked for it. Answers are never scored: they are not questions.
            asked_for = np.unique(label_array[train & ~answers])
            held_out[held] = np.isin(label_array[held], asked_for) & ~answers[held]
        own = self._own_likeness(splits, labels)
        return Chances(self.stacking_c).fit(
            scores[held_out],
            label_array[held_out],
            classes,
            None if own is None else own[held_out],
        )

    def _own_likeness(
        self, splits: list[tuple[np.ndarray, np.ndarray]], labels: list[str]
    ) -> np.ndarray | None:
        """How like each example is to the nearest example of its own label in the folds
        that did not hold it."""
        if self.embedded_ is None:
            return None
        columns = np.searchsorted(self.classes_, labels)
        own = np.zeros(len(labels), np.float32)
        for train, held in splits:
            likeness = nearest_likeness(
                self.embedded_[held], self.embedded_[train], columns[train], len(self.classes_)
            )
            own[held] = likeness[np.arange(len(likeness)), columns[held]]
        return own / np.float32(self.embedding_weight**2)

    def rank(self, read: Sequence[str], limit: int = 5) -> list[list[Candidate]]:
        """For questions already through :meth:`read`: the facts that fit each best, best
        first, each with its chance."""
        if not self.facts_:
            return [[] for _ in read]
        features = self.featurizer_.transform(read)
        scores = self.model_.decision_function(features)
        likeness = self.likeness(features.embedded)
        chances = self.chances_.predict_proba(scores, likeness)
        is_fact = self.classes_ != NONE
        ranked = []
        for n, (score_row, chance_row) in enumerate(zip(scores, chances, strict=True)):
            # NONE sorts last, below every fact: cutting at the number of facts drops it.
            order = np.argsort(-np.where(is_fact, chance_row, -1.0))[: min(limit, len(self.facts_))]
            ranked.append(
                [
                    Candidate(
                        str(self.classes_[c]),
                        float(chance_row[c]),
                        float(score_row[c]),
                        None if likeness is None else float(likeness[n, c]),
                    )
                    for c in order
                ]
            )
        return ranked
