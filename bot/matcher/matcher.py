"""Match a question to the facts of one knowledge base: fit on its phrasings, then rank.

``Matcher.fit`` learns from labelled examples (each fact's phrasings, plus the questions
marked out of scope as ``NONE``); a cross-validated pass over the same examples calibrates
the chance that the best fact is right. ``Matcher.read`` reads a question, ``Matcher.rank``
returns the best facts with that chance. No database, no network, nothing about any one
article.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
from rapidfuzz import distance, process
from scipy import sparse

from bot.matcher.model import NONE, Calibration, Featurizer, IntentModel
from bot.matcher.text import words
from bot.matcher.vocabulary import Vocabulary

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Example:
    text: str
    label: str
    """A fact id, or ``NONE`` for a question that must not be answered."""


@dataclass(frozen=True)
class Candidate:
    fact_id: str
    chance: float
    """The calibrated chance (0-1) that this fact is the right answer."""
    score: float
    """The model's raw score, for explaining a decision."""


RESPELL_FROM = 4
"""Words shorter than this are never respelled: too many short words are one slip apart."""


def _respelled(token: str, known: frozenset[str]) -> str:
    core = token.strip(".,!?;:\"'()")
    if len(core) < RESPELL_FROM or core in known or not core.isalpha():
        return token
    best = process.extractOne(
        core, known, scorer=distance.DamerauLevenshtein.distance, score_cutoff=1 + (len(core) > 7)
    )
    return token.replace(core, best[0]) if best else token


def folds_of(labels: Sequence[str], folds: int) -> np.ndarray:
    """Each example's fold: every label's examples dealt round-robin, so each fold holds
    some of every label that has enough (stratified, deterministic)."""
    seen: dict[str, int] = defaultdict(int)
    fold = np.empty(len(labels), dtype=int)
    for i, label in enumerate(labels):
        fold[i] = seen[label] % folds
        seen[label] += 1
    return fold


class Matcher:
    def __init__(
        self,
        vocabulary: Vocabulary | None = None,
        *,
        folds: int = 3,
        c: float = 1.0,
        embedding_weight: float = 1.0,
    ) -> None:
        self.vocabulary = vocabulary or Vocabulary()
        self.folds = folds
        self.c = c
        self.embedding_weight = embedding_weight

    def read(self, text: str) -> str:
        """The question as the model sees it: aliases rewritten, then each word the
        knowledge base never uses respelled as the closest word it does ("mtea" -> "meta")."""
        rewritten = self.vocabulary.rewrite(text)
        known = getattr(self, "known_words_", None)
        if not known:
            return rewritten
        return " ".join(_respelled(w, known) for w in rewritten.split())

    def fit(self, examples: Sequence[Example]) -> Matcher:
        started = time.perf_counter()
        self.known_words_: frozenset[str] = frozenset()
        texts = [self.read(e.text) for e in examples]
        self.known_words_ = frozenset(w for t in texts for w in words(t))
        labels = [e.label for e in examples]
        # The vocabulary and IDF are learned once from every example (no labels involved);
        # the folds below refit only the model.
        self.featurizer_ = Featurizer(self.embedding_weight)
        features = self.featurizer_.fit_transform(texts)
        # The full model and the calibration folds are independent fits: side by side.
        with ThreadPoolExecutor(max_workers=2) as pool:
            full = pool.submit(IntentModel(self.c).fit, features, labels)
            self.classes_ = np.array(sorted(set(labels)))
            self.calibration_ = self._calibrate(features, labels, pool)
            self.model_ = full.result()
        self.facts_ = sorted(set(labels) - {NONE})
        self.fit_seconds_ = time.perf_counter() - started
        log.info("matcher fitted on %d examples in %.1fs", len(texts), self.fit_seconds_)
        return self

    def _split(self, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The fact columns of a score matrix (NONE's set to -inf), and NONE's column
        (a constant below every fact where a knowledge base has no out-of-scope questions)."""
        classes = self.classes_
        is_none = classes == NONE
        facts = np.where(is_none, -np.inf, scores)
        none = scores[:, is_none].max(axis=1) if is_none.any() else np.full(len(scores), -2.0)
        return facts, none

    def _calibrate(
        self, features: sparse.csr_matrix, labels: list[str], pool: ThreadPoolExecutor
    ) -> Calibration:
        """Scores of each example from a model that never saw it, against whether the
        best fact was its label: what the chance of being right is learned from."""
        fold = folds_of(labels, self.folds)
        label_array = np.array(labels)
        classes = self.classes_
        best, other, none, right = [], [], [], []
        splits = [(fold != k, fold == k) for k in range(self.folds)]
        splits = [(t, h) for t, h in splits if h.any() and set(label_array[t]) - {NONE}]
        fits = [
            pool.submit(IntentModel(self.c).fit, features[t], label_array[t]) for t, _ in splits
        ]
        for (_, held), fitted in zip(splits, fits, strict=True):
            model = fitted.result()
            scores = model.decision_function(features[held])
            # The fold's columns in the full label order; a label it never saw scores lowest.
            full = np.full((scores.shape[0], len(classes)), scores.min() - 1.0)
            full[:, np.searchsorted(classes, model.classes_)] = scores
            facts, none_scores = self._split(full)
            ordered = np.sort(facts, axis=1)
            best.append(ordered[:, -1])
            other.append(ordered[:, -2] if facts.shape[1] > 1 else ordered[:, -1] - 1.0)
            none.append(none_scores)
            right.append(classes[facts.argmax(axis=1)] == label_array[held])
        if not best:
            one = np.zeros(1)
            return Calibration().fit(one, one, one, np.array([True]))
        return Calibration().fit(*(np.concatenate(x) for x in (best, other, none, right)))

    def rank(self, read: Sequence[str], limit: int = 5) -> list[list[Candidate]]:
        """For questions already through :meth:`read`: the facts that fit each best, best
        first, each with its chance."""
        if not self.facts_:
            return [[] for _ in read]
        features = self.featurizer_.transform(read)
        scores = self.model_.decision_function(features)
        facts, none = self._split(scores)
        classes = self.model_.classes_
        ranked = []
        for row, none_score in zip(facts, none, strict=True):
            order = np.argsort(-row)[: min(limit, len(self.facts_))]
            # Each candidate's chance as if it were the best: its lead on the best other.
            if len(order) > 1:
                others = np.full(len(order), row[order[0]])
                others[0] = row[order[1]]
            else:
                others = row[order] - 1.0
            chances = self.calibration_.chance(row[order], others, np.full(len(order), none_score))
            ranked.append(
                [
                    Candidate(str(classes[c]), float(p), float(row[c]))
                    for c, p in zip(order, chances, strict=True)
                ]
            )
        return ranked
