"""A second opinion on the matcher's choice, learned from the labelled dev questions.

The matcher's first choice is the right fact for 96% of the answerable dev questions, but
its score alone tells a question the article answers from a look-alike trap ("how much
did amazon pay for scale") less well than the words themselves do. Two small models,
trained on the labelled questions of ``tests/questions/dev.yaml`` by
``scripts/train_second_opinion.py``, settle whether the bot answers:

- a word classifier (tf-idf over the words the matcher reads and their pairs, then
  multinomial logistic regression) says how likely each shipped fact is, and "none";
- a gate (logistic regression) weighs the matcher's score, whether the matcher answered,
  the classifier's belief in the matcher's choice and in "none", and whether the question
  asks what the choice cannot answer (the matcher's mismatch: another company or amount,
  another kind of answer…) into the chance that the choice is right.

Only the arithmetic of applying them lives here, so the bot needs no machine-learning
library at run time; training needs scikit-learn (the ``train`` extra). The gate judges
only facts the classifier was trained on: a fact moderators add is the matcher's call.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from bot.models import Answer

NONE = "none"
"""The class of questions the knowledge base does not answer."""
WEIGHT_KEPT = 0.04
"""Smaller weights move no dev question's probabilities by more than 0.01 and change none
of its answers (the training script checks both); leaving them out halves the file. (At
0.05 one dev question moved by 0.014 once dev.yaml reached 7,372 questions.)"""


def word_features(words: Sequence[str]) -> list[str]:
    """What the classifier reads: each word and each pair of neighbours ("meta pay")."""
    return [*words, *(f"{a} {b}" for a, b in itertools.pairwise(words))]


@dataclasses.dataclass(frozen=True)
class Gate:
    """Weights of the chance that the matcher's choice is right (logistic regression)."""

    intercept: float
    confidence: float
    """Per point of the matcher's score (0-100)."""
    answered: float
    """When the matcher answered rather than only suggested the fact."""
    choice: float
    """Per unit of the classifier's probability for the matcher's choice."""
    none: float
    """Per unit of the classifier's probability that nothing answers the question."""
    mismatch: float
    """When the matcher finds the question asks what the choice cannot answer: another
    company or amount, another kind of answer, someone else's role…"""

    def chance(
        self, *, confidence: float, answered: bool, choice: float, none: float, mismatch: bool
    ) -> float:
        z = (
            self.intercept
            + self.confidence * confidence
            + self.answered * answered
            + self.choice * choice
            + self.none * none
            + self.mismatch * mismatch
        )
        return 1 / (1 + math.exp(-z))


class _ModelFile(BaseModel):
    model_config = ConfigDict(extra="forbid")
    trained_on: str
    matcher: str
    gate: Gate
    classes: list[str]
    intercepts: list[float]
    features: dict[str, tuple[float, dict[int, float]]]


@dataclasses.dataclass(frozen=True)
class SecondOpinion:
    classes: tuple[str, ...]
    """The shipped fact ids the classifier knows, and NONE."""
    intercepts: tuple[float, ...]
    features: Mapping[str, tuple[float, Mapping[int, float]]]
    """Each feature's inverse document frequency and its weights, by class index. Weights
    under WEIGHT_KEPT are left out of the file."""
    gate: Gate
    trained_on: str
    """The SHA-256 of the labelled file it was trained on."""
    matcher: str
    """The `fingerprint` of what the matcher alone said of that file's questions."""

    @classmethod
    def load(cls, path: Path) -> SecondOpinion | None:
        """The model in a file ``scripts/train_second_opinion.py`` wrote, or None without
        one (a knowledge base of one's own has no labelled questions). A file that is not
        such a model raises ``pydantic.ValidationError``."""
        if not path.is_file():
            return None
        data = _ModelFile.model_validate_json(path.read_bytes())
        return cls(
            classes=tuple(data.classes),
            intercepts=tuple(data.intercepts),
            features=data.features,
            gate=data.gate,
            trained_on=data.trained_on,
            matcher=data.matcher,
        )

    def learned(self, labelled_file: bytes) -> bool:
        """Whether it was trained on this labelled file (so scores on it are in-sample)."""
        return hashlib.sha256(labelled_file).hexdigest() == self.trained_on

    def knows(self, fact_id: str) -> bool:
        return fact_id != NONE and fact_id in self.classes

    def probabilities(self, words: Sequence[str]) -> dict[str, float]:
        """How likely each class is for a question the matcher reads as these words: the
        same sums scikit-learn makes (sublinear tf-idf, l2-normalised, then softmax)."""
        counts = Counter(f for f in word_features(words) if f in self.features)
        values = {f: (1 + math.log(n)) * self.features[f][0] for f, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in values.values())) or 1.0
        scores = list(self.intercepts)
        for feature, value in values.items():
            for i, weight in self.features[feature][1].items():
                scores[i] += weight * value / norm
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return {name: e / total for name, e in zip(self.classes, exps, strict=True)}

    def chance_right(
        self,
        choice: str,
        *,
        confidence: float,
        answered: bool,
        words: Sequence[str],
        mismatch: bool,
    ) -> float:
        """The chance that the matcher's choice (a fact it knows) answers the question."""
        likely = self.probabilities(words)
        return self.gate.chance(
            confidence=confidence,
            answered=answered,
            choice=likely[choice],
            none=likely[NONE],
            mismatch=mismatch,
        )


def choice(answer: Answer) -> str | None:
    """What the second opinion judges of the matcher's answer: the fact it answered with,
    or else the one it suggested first."""
    if answer.answered:
        return answer.fact_id
    return next((s.fact_id for s in answer.suggestions), None)


def fingerprint(answers: Iterable[Answer]) -> str:
    """What the matcher alone said of the labelled questions, in one hash: its answer or
    first suggestion, and its score. The gate weighs these, so a model trained on what an
    earlier matcher said is stale."""
    digest = hashlib.sha256()
    for answer in answers:
        digest.update(f"{answer.answered} {choice(answer)} {answer.confidence:.1f}\n".encode())
    return digest.hexdigest()


def model_data(
    classes: Iterable[str],
    intercepts: Iterable[float],
    features: Mapping[str, tuple[float, Sequence[float]]],
    gate: Gate,
    trained_on: str,
    matcher: str,
) -> str:
    """The model file's text: one feature a line, so that a retraining diffs readably."""
    head = {
        "trained_on": trained_on,
        "matcher": matcher,
        "gate": dataclasses.asdict(gate),
        "classes": list(classes),
        "intercepts": [round(x, 5) for x in intercepts],
    }
    lines = []
    for name, (idf, weights) in sorted(features.items()):
        kept = {i: round(w, 4) for i, w in enumerate(weights) if abs(w) >= WEIGHT_KEPT}
        lines.append(f"    {json.dumps(name)}: [{round(idf, 5)}, {json.dumps(kept)}]")
    body = json.dumps(head, indent=2)[:-2]
    return body + ',\n  "features": {\n' + ",\n".join(lines) + "\n  }\n}\n"
