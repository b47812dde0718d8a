"""Measures answer quality on a labelled question file, beside a plain baseline.

File format (YAML): each key is a fact id, listing the questions that fact must answer
(``a+b`` for a question that needs two facts in one answer); the key ``none`` lists
questions the knowledge base does not answer::

    vacation-days:
      - how many vacation days do I get
    none:
      - how much is the parking fee

A question counts as right when the bot answers it with the expected fact (both facts, in
either order, for ``a+b``), or abstains on a ``none`` question. A *wrong answer* is worse
than abstaining: it cites sentences that do not answer the question.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydantic import BaseModel, ValidationError
from rapidfuzz import fuzz, process, utils

from bot.engine import Engine
from bot.errors import BadInput
from bot.knowledge import read_yaml_file
from bot.matcher import NONE
from bot.models import GLOBAL

BASELINE_CUTOFF = 80.0


@dataclass(frozen=True)
class Labelled:
    question: str
    expected: str | None


def same_question(question: str) -> str:
    """A question as compared with others: "How many vacation days?" and "how many vacation
    days" are one question, typed twice; case, spacing and punctuation do not count."""
    return " ".join(re.findall(r"[\w$%]+(?:[.,'][\w$%]+)*", question.casefold()))


@dataclass(frozen=True)
class Outcome:
    question: str
    expected: str | None
    got: str | None
    confidence: float

    @property
    def right(self) -> bool:
        # A two-fact answer is right whichever fact it gives first.
        if self.got is None or self.expected is None:
            return self.got == self.expected
        return sorted(self.got.split("+")) == sorted(self.expected.split("+"))


@dataclass
class Score:
    name: str
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def answerable(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.expected is not None]

    @property
    def unanswerable(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.expected is None]

    @property
    def accuracy(self) -> float:
        return _share(self.answerable)

    @property
    def abstention(self) -> float:
        return _share(self.unanswerable)

    @property
    def wrong_answers(self) -> list[Outcome]:
        """Answered with a fact that is not the right one (a silent miss is not counted)."""
        return [o for o in self.outcomes if o.got is not None and not o.right]

    def summary(self) -> dict[str, object]:
        return {
            "name": self.name,
            "answerable": len(self.answerable),
            "unanswerable": len(self.unanswerable),
            "answered_right": sum(o.right for o in self.answerable),
            "abstained_right": sum(o.right for o in self.unanswerable),
            "accuracy": round(self.accuracy * 100, 1),
            "abstention": round(self.abstention * 100, 1),
            "wrong_answers": len(self.wrong_answers),
            "misses": [
                {
                    "question": o.question,
                    "expected": o.expected,
                    "got": o.got,
                    "confidence": o.confidence,
                }
                for o in self.outcomes
                if not o.right
            ],
        }


def _share(outcomes: Sequence[Outcome]) -> float:
    return sum(o.right for o in outcomes) / len(outcomes) if outcomes else 1.0


class _LabelledFile(BaseModel):
    root: dict[str, list[str]]


def load_labelled(path: Path) -> list[Labelled]:
    data = read_yaml_file(path)
    try:
        groups = _LabelledFile.model_validate({"root": data}).root
    except ValidationError:
        raise BadInput(
            f"{path}: not a labelled question file (a fact id, or none, with a list of "
            "questions under it)"
        ) from None
    labelled = [
        Labelled(str(q), None if fact_id == NONE else fact_id)
        for fact_id, questions in groups.items()
        for q in questions
    ]
    if not labelled:
        raise BadInput(f"{path}: no labelled questions in it.")
    return labelled


def _run(
    name: str, labelled: Sequence[Labelled], answer: Callable[[str], tuple[str | None, float]]
) -> Score:
    score = Score(name)
    for item in labelled:
        got, confidence = answer(item.question)
        score.outcomes.append(Outcome(item.question, item.expected, got, confidence))
    return score


def evaluate(engine: Engine, labelled: Sequence[Labelled]) -> tuple[Score, Score]:
    """FactBot's score and the baseline's, on the same questions."""
    check_labels(labelled, _fact_ids(engine))
    return _factbot(engine, labelled), _run("baseline", labelled, baseline(engine))


def sweep(
    engine: Engine, labelled: Sequence[Labelled], cutoffs: Sequence[float]
) -> list[tuple[float, Score]]:
    """FactBot's score at each confidence cut-off: the curve the default is read from."""
    check_labels(labelled, _fact_ids(engine))
    original = engine.policy
    curve = []
    try:
        for cutoff in cutoffs:
            engine.policy = replace(original, answer=cutoff)
            curve.append((cutoff, _factbot(engine, labelled)))
    finally:
        engine.policy = original
    return curve


def check_labels(labelled: Sequence[Labelled], fact_ids: Collection[str]) -> None:
    """Refuse a file that expects a fact the knowledge base does not have (a typo in an id
    would count every question under it as missed)."""
    expected = {part for item in labelled if item.expected for part in item.expected.split("+")}
    unknown = expected - set(fact_ids)
    if unknown:
        raise BadInput(f"the file expects facts that do not exist: {', '.join(sorted(unknown))}")


def _fact_ids(engine: Engine) -> set[str]:
    return {view.fact.id for view in engine.facts(GLOBAL)}


def _factbot(engine: Engine, labelled: Sequence[Labelled]) -> Score:
    def answer(question: str) -> tuple[str | None, float]:
        reply = engine.ask(question)
        return reply.fact_id, reply.confidence

    return _run("factbot", labelled, answer)


def baseline(engine: Engine) -> Callable[[str], tuple[str | None, float]]:
    """rapidfuzz WRatio against the raw phrasings with a fixed cut-off: no aliases, no
    numbers, no entity checks. What one gets from the library alone."""
    choices = [(v.fact.id, q) for v in engine.facts(GLOBAL) for q in v.fact.questions]
    processed = [utils.default_process(q) for _, q in choices]

    def answer(question: str) -> tuple[str | None, float]:
        best = process.extractOne(
            utils.default_process(question), processed, scorer=fuzz.WRatio, processor=None
        )
        if best is None or best[1] < BASELINE_CUTOFF:
            return None, best[1] if best else 0.0
        return choices[best[2]][0], best[1]

    return answer
