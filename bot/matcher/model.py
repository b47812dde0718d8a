"""The learned part of matching: features, a linear model, and a calibrated chance.

``IntentModel`` scores how well a question fits each label (a fact id, or ``NONE`` for the
questions a knowledge base says must not be answered). ``Calibration`` turns those scores
into the chance that the best fact is the right one, learned from out-of-fold scores on
the knowledge base's own phrasings, so the answer cut-off means the same thing for any
team's knowledge. scikit-learn is imported only to fit, never to answer.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse

from bot.matcher.features import NGrams, StaticEmbedding

NONE = "none"
"""The label of questions that must not be answered."""


class Featurizer:
    """Word and character TF-IDF beside a static embedding, in one sparse matrix."""

    def __init__(self, embedding_weight: float = 1.0) -> None:
        self.embedding_weight = embedding_weight

    def fit_transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        self.ngrams_ = NGrams()
        self.embedding_ = StaticEmbedding().fit(texts)
        return self._join(self.ngrams_.fit_transform(texts), texts)

    def transform(self, texts: Sequence[str]) -> sparse.csr_matrix:
        return self._join(self.ngrams_.transform(texts), texts)

    def _join(self, grams: sparse.csr_matrix, texts: Sequence[str]) -> sparse.csr_matrix:
        if not self.embedding_weight:
            return grams
        dense = self.embedding_weight * self.embedding_.transform(texts)
        return sparse.hstack([grams, sparse.csr_matrix(dense)], format="csr")


class IntentModel:
    """One-vs-rest linear SVMs over the features: a score per label."""

    def __init__(self, c: float = 1.0) -> None:
        self.c = c

    def fit(self, features: sparse.csr_matrix, labels: Sequence[str]) -> IntentModel:
        from sklearn.svm import LinearSVC

        self.classes_ = np.array(sorted(set(labels)))
        if len(self.classes_) == 1:
            # One label and nothing to tell it from: every question scores the same.
            self.coef_ = np.zeros((1, features.shape[1]), np.float32)
            self.intercept_ = np.zeros(1, np.float32)
            return self
        svm = LinearSVC(C=self.c, tol=1e-3).fit(features, labels)
        coef, intercept = svm.coef_, svm.intercept_
        if len(self.classes_) == 2:
            # scikit-learn keeps one row for two classes (the second's); the first mirrors it.
            coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
        self.coef_ = coef.astype(np.float32)
        self.intercept_ = intercept.astype(np.float32)
        return self

    def decision_function(self, features: sparse.csr_matrix) -> np.ndarray:
        return np.asarray(features @ self.coef_.T) + self.intercept_


def _calibration_features(best: np.ndarray, other: np.ndarray, none: np.ndarray) -> np.ndarray:
    return np.column_stack([best, best - other, best - none])


class Calibration:
    """Platt scaling of a fact's score into the chance that it is the right answer, from
    three numbers: its score, its lead on the best other fact, its lead on ``NONE``."""

    def fit(
        self, best: np.ndarray, other: np.ndarray, none: np.ndarray, right: np.ndarray
    ) -> Calibration:
        from sklearn.linear_model import LogisticRegression

        if right.all() or not right.any():
            # Nothing to learn a boundary from: trust the lead on the runner-up.
            self.coef_, self.intercept_ = np.array([0.0, 4.0, 0.0]), 0.0
        else:
            model = LogisticRegression(C=10.0).fit(_calibration_features(best, other, none), right)
            self.coef_, self.intercept_ = model.coef_[0], float(model.intercept_[0])
        return self

    def chance(self, best: np.ndarray, other: np.ndarray, none: np.ndarray) -> np.ndarray:
        logit = _calibration_features(best, other, none) @ self.coef_ + self.intercept_
        return 1.0 / (1.0 + np.exp(-np.clip(logit, -30, 30)))
