"""The learned part of matching: features, a linear model, and the chance of being right.

``IntentModel`` scores how well a question fits each label (a fact id, or ``NONE`` for the
questions a knowledge base says must not be answered). ``Chances`` turns the scores of all
labels into the chance that each is the right one, learned from out-of-fold scores on the
knowledge base's own phrasings, so the answer cut-off means the same thing for any team's
knowledge. scikit-learn and scipy are imported only to fit, never to answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from bot.matcher.encoder import encode_many, encoded
from bot.matcher.features import NGrams, Rows

if TYPE_CHECKING:
    from scipy import sparse
    from sklearn.svm import LinearSVC

NONE = "none"
"""The label of questions that must not be answered."""


@dataclass(frozen=True)
class Features:
    """Texts' features: their n-gram rows, then their embedding, as columns side by side."""

    grams: Rows
    width: int
    """The number of n-gram columns; the embedding's follow."""
    embedded: np.ndarray | None

    def __matmul__(self, weights: np.ndarray) -> np.ndarray:
        scores = self.grams @ weights[: self.width]
        if self.embedded is not None:
            scores += self.embedded @ weights[self.width :]
        return scores

    def matrix(self) -> sparse.csr_matrix:
        """As one scipy matrix, for fitting."""
        from scipy import sparse

        grams = self.grams.matrix(self.width)
        if self.embedded is None:
            return grams
        return sparse.hstack([grams, sparse.csr_matrix(self.embedded)], format="csr")


class Featurizer:
    """Word and character TF-IDF beside the sentence encoder's vector."""

    def __init__(self, embedding_weight: float = 1.0) -> None:
        self.embedding_weight = embedding_weight

    def fit_transform(self, texts: Sequence[str]) -> Features:
        self.ngrams_ = NGrams()
        grams = self.ngrams_.fit_transform(texts)
        if not self.embedding_weight:
            return self._join(grams, texts)
        return self._join(grams, texts, self.embedding_weight * encode_many(texts))

    def transform(self, texts: Sequence[str], embedded: np.ndarray | None = None) -> Features:
        """``embedded``: the texts' weighted vectors from an earlier :class:`Features`, when
        kept (encoding is most of the work)."""
        return self._join(self.ngrams_.transform(texts), texts, embedded)

    def _join(
        self, grams: Rows, texts: Sequence[str], embedded: np.ndarray | None = None
    ) -> Features:
        width = len(self.ngrams_.vocabulary_)
        if not self.embedding_weight:
            return Features(grams, width, None)
        if embedded is None:
            embedded = self.embedding_weight * encoded(texts)
        return Features(grams, width, embedded.astype(np.float32, copy=False))


class IntentModel:
    """One-vs-rest linear SVMs over the features: a score per label."""

    def __init__(self, c: float = 1.0) -> None:
        self.c = c

    def fit(self, features: sparse.csr_matrix, labels: Sequence[str]) -> IntentModel:
        self.classes_ = np.array(sorted(set(labels)))
        if len(self.classes_) == 1:
            # One label and nothing to tell it from: every question scores the same.
            self.weights_ = np.zeros((features.shape[1], 1), np.float32)
            self.intercept_ = np.zeros(1, np.float32)
            return self
        svm = self._svm().fit(features, labels)
        coef, intercept = svm.coef_, svm.intercept_
        if len(self.classes_) == 2:
            # scikit-learn keeps one row for two classes (the second's); the first mirrors it.
            coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
        # One column per label, each feature's weights side by side: a question's scores
        # are one sparse row times this, without copying it on every ask.
        self.weights_ = np.ascontiguousarray(coef.T, dtype=np.float32)
        self.intercept_ = intercept.astype(np.float32)
        return self

    def _svm(self) -> LinearSVC:
        from sklearn.svm import LinearSVC  # only to fit, never to answer

        # Seeded: the same fit every time, as long as no other fit runs beside it
        # (liblinear's generator is one per process).
        return LinearSVC(C=self.c, tol=1e-3, random_state=0)

    def fit_one(
        self, features: sparse.csr_matrix, positive: np.ndarray, working: np.ndarray | None = None
    ) -> tuple[np.ndarray, float]:
        """One label's row against all the others.

        ``working``: the rows likely to end up on or inside the margin (a mask; its
        positives are added). The fit starts on those and takes in every row it leaves
        inside the margin, until none is left out: a row outside the margin adds nothing
        to the squared hinge loss, so that is the fit on every row (chunking, as in
        incremental SVM training), from a few hundred of 15,000 rows in a tenth of the
        time."""
        if working is None:
            svm = self._svm().fit(features, positive)
            return svm.coef_[0].astype(np.float32), float(svm.intercept_[0])
        working = working | positive
        signs = np.where(positive, 1.0, -1.0)
        while True:
            rows = np.flatnonzero(working)
            if positive[rows].all() or not positive[rows].any():
                return self.fit_one(features, positive)
            svm = self._svm().fit(features[rows], positive[rows])
            weights, intercept = svm.coef_[0].astype(np.float32), float(svm.intercept_[0])
            margins = signs * (np.asarray(features @ weights).ravel() + intercept)
            inside = (margins < 1) & ~working
            if not inside.any():
                return weights, intercept
            working = working | inside

    def widened(self, classes: np.ndarray) -> IntentModel:
        """A copy over more labels; a new label's column is empty until fitted."""
        copy = IntentModel(self.c)
        copy.classes_ = classes
        rows = np.searchsorted(classes, self.classes_)
        copy.weights_ = np.zeros((self.weights_.shape[0], len(classes)), np.float32)
        copy.intercept_ = np.full(len(classes), -1.0, np.float32)
        copy.weights_[:, rows], copy.intercept_[rows] = self.weights_, self.intercept_
        return copy

    def decision_function(self, features: Features | sparse.csr_matrix) -> np.ndarray:
        if not isinstance(features, Features):
            # In the weights' own precision: scipy would copy them for a float64 matrix.
            features = features.astype(np.float32)
        return np.asarray(features @ self.weights_) + self.intercept_


NEW_QUESTIONS = (0.995, 12.0, -1.015)
"""How a chance learned from a knowledge base's own phrasings, and how much less like the
fact's nearest example a question is than its phrasings are to each other
(:meth:`Chances.shortfall`), map to how often members' new questions are answered right:
weights on the log-odds and on the shortfall, and an intercept. Phrasings that one
moderator writes resemble each other more than the questions members ask, so
cross-validating on them alone promises too much: on CLINC150 val with 10 phrasings per
fact, answers given at 50-60 % were right 47 % of the time, at 80-90 % 76 %. And a question
unlike every phrasing of its best fact is often about something else, however the scores
of all labels stack up; the phrasings cannot teach that (cross-validated, a phrasing is
like its fact's others whether it is answered right or not). Fitted there over 5, 10, 30
and 100 phrasings per fact, out-of-scope questions weighed as in its test split, by
``benchmarks/clinc150/calibration.py``; checked on BANKING77 and the shipped article,
which it was not fitted on (docs/matching.md)."""


ONE_PHRASING = (5.520, 3.204)
"""How a fact's own score maps to how often it is the right answer to a member's question
(slope and intercept on the score), for a knowledge base too thin to cross-validate: one
phrasing a fact, as every fact added from chat starts, so that no model trained without
a phrasing knew its fact. Cross-validation had nothing to say there, and the chances it
gave were all under 5 %: nothing but a fact's own words was ever answered. Fitted on
CLINC150 val, knowledge bases of 8 to 150 facts with one phrasing each (and an answer
that says nothing about it, the worst case for learning answers), by
``benchmarks/clinc150/calibration.py``; checked on BANKING77 and StackFAQ
(docs/matching.md)."""
ONE_PHRASING_SHORTFALL = (0.50, 16.0)
"""Where :data:`ONE_PHRASING` gives the chances: the likeness to a fact's nearest example
under which a question falls short (:meth:`Chances.shortfall`), and the shortfall's weight
on the log-odds. With one phrasing a fact there is no second to say how alike a fact's
phrasings are, so the bar is one for all; a question sharing only "how much" with the one
phrasing of a fact was answered with it. Both picked on CLINC150 val (8 to 150 facts, one
phrasing each) as the pair with which answering at 50 % serves val best, the smallest
weight within the bench's noise of the best, by ``benchmarks/clinc150/calibration.py``:
val utility at 50 % summed over eight knowledge bases 987 -> 1,047 (docs/matching.md)."""
MIN_HELD_OUT = 10
"""Phrasings of facts (not out-of-scope questions) scored out of fold that a knowledge
base needs before its chances are learned from them rather than :data:`ONE_PHRASING`.
A fact's answer, learned too, is never scored: a phrasing counts only when the model
knew its fact from another phrasing. A judgement, not a fit: on CLINC150 val, eight
facts with two phrasings each did about as well either way, and four facts with three
each (12) kept off a question that only shares "pay" with their payday fact only with
chances of their own."""
MIN_TAUGHT = 6
"""Examples a label needs before the stacking learns weights of its own for it. On
CLINC150 val, learning them from five phrasings a fact cost 5-10 points of questions
answered right at the same share of outside questions abstained on, for 8 to 150 facts
(and on BANKING77's train questions); from six it is even, from seven and ten it gains
with 150 facts (docs/matching.md)."""
LIKENESS_BAR = 10
"""The percentile of the phrasings' likeness to their fact's other phrasings below which a
question falls short (:meth:`Chances.shortfall`). On CLINC150 val the 10th, 25th and 50th
did alike; the median held back the shipped article's questions worded unlike its many
close rewordings (a misspelt name, 0.79 against a median of 0.95), the 10th (0.80) not."""
UNTAUGHT_WEIGHT = 3.0
"""A label's weight on its own score when no label has enough examples to learn from."""


class Chances:
    """What the scores of every label, taken together, say about which label is right: a
    multinomial logistic regression over the score vector (stacking), fitted on scores
    from models that never saw the example.

    A question whose best fact also scores high on its neighbours, or on ``NONE``, gets a
    lower chance than its best score alone suggests; that is what tells an out-of-scope
    question from an in-scope one far better than the best score does. Where too few
    examples were scored that way (:data:`MIN_HELD_OUT`), each label's chance comes from
    its own score alone (:data:`ONE_PHRASING`).
    """

    def __init__(self, c: float = 0.3) -> None:
        self.c = c

    def fit(
        self,
        scores: np.ndarray,
        labels: Sequence[str],
        classes: np.ndarray,
        own_likeness: np.ndarray | None = None,
    ) -> Chances:
        """``own_likeness``: how like each example is to the nearest other example of its
        own label, out of fold (where the matcher reads meaning)."""
        from sklearn.linear_model import LogisticRegression

        self.classes_ = classes
        self.coef_ = np.zeros((len(classes), scores.shape[1]), np.float32)
        self.intercept_ = np.zeros(len(classes), np.float32)
        label_array = np.asarray(labels)
        names, counts = np.unique(label_array, return_counts=True)
        # A label with only a few examples would learn its weights from noise: it gets a
        # typical label's weights instead (a fact added from chat with two phrasings).
        enough = set(names[(counts >= MIN_TAUGHT) | (names == NONE)])
        taught = np.isin(label_array, list(enough))
        self.from_score_ = int((label_array != NONE).sum()) < MIN_HELD_OUT
        if len(enough) < 2:
            self.coef_[np.arange(len(classes)), np.arange(len(classes))] = UNTAUGHT_WEIGHT
        else:
            model = LogisticRegression(C=self.c, max_iter=300, tol=1e-3).fit(
                scores[taught],
                label_array[taught],
                sample_weight=_fact_weights(label_array[taught]),
            )
            coef, intercept = model.coef_, model.intercept_
            if len(model.classes_) == 2:
                # scikit-learn keeps one row for two labels; a softmax over +-half is the same.
                coef = np.vstack([-coef, coef]) / 2
                intercept = np.concatenate([-intercept, intercept]) / 2
            rows = np.searchsorted(classes, model.classes_)
            self.intercept_[:] = np.median(intercept)
            self.coef_[rows], self.intercept_[rows] = coef, intercept
            untaught = np.setdiff1d(np.arange(len(classes)), rows)
            _typical_rows(self.coef_, taught=rows, untaught=untaught)
        self.platt_ = self._platt(scores, labels)
        questions = np.asarray(labels) != NONE
        self.likeness_bar_ = (
            float(np.percentile(own_likeness[questions], LIKENESS_BAR))
            if own_likeness is not None and questions.any()
            else None
        )
        return self

    def widened(self, classes: np.ndarray) -> Chances:
        """A copy over more labels: a new label's row is the typical one (its own score,
        weighed as the others weigh theirs); the others never saw its score."""
        copy = Chances(self.c)
        copy.classes_, copy.platt_ = classes, self.platt_
        copy.from_score_ = self.from_score_
        copy.likeness_bar_ = self.likeness_bar_
        old = np.searchsorted(classes, self.classes_)
        new = np.setdiff1d(np.arange(len(classes)), old)
        copy.coef_ = np.zeros((len(classes), len(classes)), np.float32)
        copy.coef_[np.ix_(old, old)] = self.coef_
        copy.intercept_ = np.full(len(classes), np.median(self.intercept_), np.float32)
        copy.intercept_[old] = self.intercept_
        _typical_rows(copy.coef_, taught=old, untaught=new)
        return copy

    def _platt(self, scores: np.ndarray, labels: Sequence[str]) -> tuple[float, float, float]:
        """A monotone map from the best fact's share to how often it is the right answer
        on the examples (never, for a question that must not be answered). The shares are
        flat (regularisation, and the more labels the flatter), so without it a cut-off of
        50 % would mean something else for every knowledge base; it keeps their order, which
        is what tells in scope from out of scope. Then :data:`NEW_QUESTIONS` turns how often
        the phrasings are right into how often new questions are (slope, intercept, and
        the weight of a question's likeness to the fact's nearest example)."""
        from sklearn.linear_model import LogisticRegression

        shares = self._shares(scores)
        best = np.where(self.classes_ == NONE, -1.0, shares).argmax(axis=1)
        right = self.classes_[best] == np.asarray(labels)
        if right.all() or not right.any():
            slope, intercept = 1.0, 0.0
        else:
            log_odds = _log_odds(shares[np.arange(len(best)), best])
            # Platt's own targets, not 0 and 1: a right answer counts as (n + 1) / (n + 2)
            # right, a wrong one as 1 / (m + 2). With few examples that tell right from
            # wrong perfectly (a team's twelve phrasings against small talk, which the
            # sentence encoder sets far apart), plain targets drove the map to the cliff
            # between them: "how much did <another company> pay" was 99.8 % the payroll
            # fact's. With thousands of examples the targets are 0 and 1 again.
            n, m = int(right.sum()), int((~right).sum())
            target = np.where(right, (n + 1) / (n + 2), 1 / (m + 2))
            model = LogisticRegression(C=100.0).fit(
                np.concatenate([log_odds, log_odds])[:, None],
                np.concatenate([np.ones(len(right)), np.zeros(len(right))]),
                sample_weight=np.concatenate([target, 1 - target]),
            )
            slope, intercept = float(model.coef_[0, 0]), float(model.intercept_[0])
        shift, likeness, offset = NEW_QUESTIONS
        return shift * slope, shift * intercept + offset, likeness

    def _shares(self, scores: np.ndarray) -> np.ndarray:
        logits = scores @ self.coef_.T + self.intercept_
        logits -= logits.max(axis=1, keepdims=True)
        odds = np.exp(logits)
        return odds / odds.sum(axis=1, keepdims=True)

    def shortfall(self, likeness: np.ndarray) -> np.ndarray:
        """How much less like a label's nearest example a question is than nine phrasings
        in ten are like their fact's nearest other one (0 or less): a knowledge base of
        many close rewordings sets that bar high, one of a few varied phrasings low. Being
        more alike never raises a chance: texts the encoder cannot read (a FAQ in another
        script, to an English model) are alike whatever they ask, and a question with a
        wrong amount is as like a fact's phrasing as a right one. Too few phrasings to
        cross-validate, the bar is :data:`ONE_PHRASING_SHORTFALL`'s."""
        bar = ONE_PHRASING_SHORTFALL[0] if self.from_score_ else self.likeness_bar_
        return np.minimum(likeness - (bar or 0.0), 0.0)

    def predict_proba(self, scores: np.ndarray, likeness: np.ndarray | None = None) -> np.ndarray:
        """Each label's chance of being the right one (rows need not sum to one), from the
        scores of all labels and, where the matcher reads meaning, from the question's
        likeness to each label's nearest example (:meth:`shortfall`)."""
        if self.from_score_:
            slope, intercept = ONE_PHRASING
            logits = slope * scores + intercept
            weight = ONE_PHRASING_SHORTFALL[1]
        else:
            slope, intercept, weight = self.platt_
            logits = slope * _log_odds(self._shares(scores)) + intercept
        if likeness is not None and (self.from_score_ or self.likeness_bar_ is not None):
            logits += weight * self.shortfall(likeness)
        return _sigmoid(logits)


def _typical_rows(coef: np.ndarray, taught: np.ndarray, untaught: np.ndarray) -> None:
    """Give labels the stacking never learned (a fact with one phrasing, a fact added
    since) a typical label's weights, in place: on their own score what taught labels
    put on theirs, on each other score what taught labels put on others'. Each taught
    label weighs an untaught one's score as it weighs others' on average."""
    if not len(untaught) or not len(taught):
        return
    block = coef[np.ix_(taught, taught)]
    own = np.diag(block)
    others = (block.sum(axis=0) - own) / max(len(taught) - 1, 1)
    coef[untaught] = 0.0
    coef[np.ix_(untaught, taught)] = others
    coef[untaught, untaught] = np.median(own)
    per_row = (block.sum(axis=1) - own) / max(len(taught) - 1, 1)
    coef[np.ix_(taught, untaught)] = per_row[:, None]


def _fact_weights(labels: Sequence[str]) -> np.ndarray:
    """Weights that give every fact the same say, however many phrasings it has: a fact
    added from chat with two phrasings must not be outvoted by one with hundreds. The
    questions that must not be answered keep their own weight."""
    names, index, counts = np.unique(np.asarray(labels), return_inverse=True, return_counts=True)
    is_fact = names != NONE
    typical = counts[is_fact].mean() if is_fact.any() else 1.0
    per_label = np.where(is_fact, typical / counts, 1.0)
    return per_label[index]


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -30, 30)))


def _log_odds(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))
