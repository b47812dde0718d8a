"""Answer quality on the labelled question sets (thresholds, never timings).

knowledge/questions.yaml (the old dev.yaml) is what the shipped pack's matcher learns
from; test.yaml was written afterwards and is only measured (earlier held-out batches were
folded into the dev set once they had been looked at). A *wrong answer* (a fact that does
not answer the question) is worse than an honest "I don't know", so on questions the
sources do not answer there should be none.
"""

from __future__ import annotations

from pathlib import Path

from bot.engine import Engine
from bot.evaluation import Outcome, evaluate, load_labelled, same_question

QUESTIONS = Path(__file__).parent / "questions"
DEV = Path(__file__).parents[1] / "knowledge" / "questions.yaml"


def test_a_two_fact_answer_is_right_in_either_order() -> None:
    both = Outcome("what are google and microsoft doing", "a+b", "b+a", 90.0)
    assert both.right
    assert not Outcome("what are google and microsoft doing", "a+b", "a", 90.0).right
    assert not Outcome("hi", None, "a", 90.0).right


def test_dev_set_is_big_enough() -> None:
    labelled = load_labelled(DEV)
    assert len(labelled) >= 80
    assert sum(item.expected is None for item in labelled) >= 20


def test_labelled_sets_are_big_enough() -> None:
    """At least 200 questions in all, 60 of them not answerable from the article."""
    labelled = [q for path in (DEV, QUESTIONS / "test.yaml") for q in load_labelled(path)]
    assert len(labelled) >= 200
    assert sum(item.expected is None for item in labelled) >= 60


def test_held_out_questions_are_not_in_the_dev_set() -> None:
    """A held-out question typed again into a dev batch would be tuned on. Twenty-nine had
    been, found and taken out of dev.yaml; case, spacing and punctuation do not count."""

    dev = {same_question(item.question) for item in load_labelled(DEV)}
    held_out = [item.question for item in load_labelled(QUESTIONS / "test.yaml")]
    assert [q for q in held_out if same_question(q) in dev] == []


def test_held_out_set_does_not_regress(asking_engine: Engine) -> None:
    """The floor issue 17 keeps (92% / 97%; the learned matcher measures 94.6% / 100%),
    far above the baseline."""
    factbot, baseline = evaluate(asking_engine, load_labelled(QUESTIONS / "test.yaml"))
    misses = factbot.summary()["misses"]
    assert factbot.accuracy >= 0.92, misses
    assert factbot.abstention >= 0.97, misses
    # More phrasings lift the baseline too, so the gap narrows as the knowledge grows; what
    # stays far apart is how often each answers wrongly.
    assert factbot.accuracy > baseline.accuracy + 0.2
    assert len(factbot.wrong_answers) * 5 < len(baseline.wrong_answers)


def test_held_out_set_meets_the_quality_bar(asking_engine: Engine) -> None:
    """95% right on answerable questions, 95% abstained on the rest, no wrong answer on them."""
    factbot, _ = evaluate(asking_engine, load_labelled(QUESTIONS / "test.yaml"))
    assert factbot.accuracy >= 0.95
    assert factbot.abstention >= 0.95
    assert [o for o in factbot.wrong_answers if o.expected is None] == []


def test_small_talk_learned_by_every_matcher_is_not_from_the_held_out_set() -> None:
    """The held-out set stays held out: none of the small talk every matcher learns as
    out of scope (bot/matcher/small_talk.txt) is one of its questions."""
    from bot.training import small_talk

    held_out = {same_question(item.question) for item in load_labelled(QUESTIONS / "test.yaml")}
    assert len(small_talk()) >= 100
    assert not [q for q in small_talk() if same_question(q) in held_out]
