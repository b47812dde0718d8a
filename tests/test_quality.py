"""Answer quality on the labelled question sets (thresholds, never timings).

dev.yaml is what the matcher was tuned on and what the second opinion was trained on;
test.yaml was written afterwards and is only measured (earlier held-out batches were
folded into dev.yaml once they had been looked at). A *wrong answer* (a fact that does
not answer the question) is worse than an honest "I don't know", so on questions the
sources do not answer there should be none.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import Engine
from bot.evaluation import Outcome, evaluate, load_labelled, same_question

QUESTIONS = Path(__file__).parent / "questions"


def test_a_two_fact_answer_is_right_in_either_order() -> None:
    both = Outcome("what are google and microsoft doing", "a+b", "b+a", 90.0)
    assert both.right
    assert not Outcome("what are google and microsoft doing", "a+b", "a", 90.0).right
    assert not Outcome("hi", None, "a", 90.0).right


def test_dev_set_is_big_enough() -> None:
    labelled = load_labelled(QUESTIONS / "dev.yaml")
    assert len(labelled) >= 80
    assert sum(item.expected is None for item in labelled) >= 20


def test_dev_set_accuracy_and_abstention(engine: Engine) -> None:
    """At least 90% of answerable questions get the right fact; 90% of the rest none. With
    the matcher alone: the second opinion learned these very questions."""
    engine.second_opinion = None
    factbot, _ = evaluate(engine, load_labelled(QUESTIONS / "dev.yaml"))
    assert factbot.accuracy >= 0.90, factbot.summary()["misses"]
    assert factbot.abstention >= 0.90, factbot.summary()["misses"]


def test_labelled_sets_are_big_enough() -> None:
    """At least 200 questions in all, 60 of them not answerable from the article."""
    labelled = [q for name in ("dev", "test") for q in load_labelled(QUESTIONS / f"{name}.yaml")]
    assert len(labelled) >= 200
    assert sum(item.expected is None for item in labelled) >= 60


def test_held_out_questions_are_not_in_the_dev_set() -> None:
    """A held-out question typed again into a dev batch would be tuned on. Twenty-nine had
    been, found and taken out of dev.yaml; case, spacing and punctuation do not count."""

    dev = {same_question(item.question) for item in load_labelled(QUESTIONS / "dev.yaml")}
    held_out = [item.question for item in load_labelled(QUESTIONS / "test.yaml")]
    assert [q for q in held_out if same_question(q) in dev] == []


def test_held_out_set_does_not_regress(engine: Engine) -> None:
    """A floor under today's held-out figures (92.6% / 98.6%), far above the baseline."""
    factbot, baseline = evaluate(engine, load_labelled(QUESTIONS / "test.yaml"))
    misses = factbot.summary()["misses"]
    assert factbot.accuracy >= 0.92, misses
    assert factbot.abstention >= 0.97, misses
    # More phrasings lift the baseline too, so the gap narrows as the knowledge grows; what
    # stays far apart is how often each answers wrongly.
    assert factbot.accuracy > baseline.accuracy + 0.2
    assert len(factbot.wrong_answers) * 5 < len(baseline.wrong_answers)


@pytest.mark.xfail(
    strict=True,
    reason="issue 5 is open: held-out accuracy is 92.6% (abstention 98.6%), below the 95% "
    "bar, and one trap gets an answer; remove this marker when it passes",
)
def test_held_out_set_meets_the_quality_bar(engine: Engine) -> None:
    """95% right on answerable questions, 95% abstained on the rest, no wrong answer on them."""
    factbot, _ = evaluate(engine, load_labelled(QUESTIONS / "test.yaml"))
    assert factbot.accuracy >= 0.95
    assert factbot.abstention >= 0.95
    assert [o for o in factbot.wrong_answers if o.expected is None] == []
