"""The second opinion: the learned word classifier and gate that say whether the bot
answers with the matcher's choice (bot/second_opinion.py)."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.evaluation import load_labelled
from bot.knowledge import load_knowledge
from bot.second_opinion import NONE, Gate, SecondOpinion, fingerprint

DEV = Path(__file__).parent / "questions" / "dev.yaml"
ALWAYS = Gate(intercept=50.0, confidence=0.0, answered=0.0, choice=0.0, none=0.0, mismatch=0.0)
NEVER = Gate(intercept=-50.0, confidence=0.0, answered=0.0, choice=0.0, none=0.0, mismatch=0.0)


@pytest.fixture
def shipped() -> SecondOpinion:
    model = load_knowledge().second_opinion
    assert model is not None, "knowledge/second_opinion.json is missing"
    return model


def with_gate(engine: Engine, gate: Gate) -> SecondOpinion:
    assert engine.second_opinion is not None
    return replace(engine.second_opinion, gate=gate)


def test_the_shipped_model_was_trained_on_todays_dev_set(shipped: SecondOpinion) -> None:
    assert shipped.learned(DEV.read_bytes()), (
        "dev.yaml changed since the second opinion was trained: "
        "pip install -e '.[train]' && python scripts/train_second_opinion.py"
    )


def test_the_shipped_model_was_trained_on_todays_matcher(
    shipped: SecondOpinion, asking_engine: Engine
) -> None:
    """The gate weighs the matcher's answers and scores: a matcher that answers the dev
    questions differently makes a model trained on the old answers stale."""
    asking_engine.second_opinion = None
    try:
        answers = [asking_engine.ask(item.question) for item in load_labelled(DEV)]
    finally:
        asking_engine.second_opinion = shipped
    assert fingerprint(answers) == shipped.matcher, (
        "the matcher answers dev.yaml differently since the second opinion was trained: "
        "pip install -e '.[train]' && python scripts/train_second_opinion.py"
    )


def test_the_classifier_gives_every_class_a_probability(shipped: SecondOpinion) -> None:
    likely = shipped.probabilities(["how", "much", "meta", "pay"])
    assert set(likely) == set(shipped.classes)
    assert NONE in likely
    assert math.isclose(sum(likely.values()), 1.0)
    assert max(likely, key=likely.__getitem__) == "meta-investment"
    # Words it never saw leave only its prior, and "none" is the commonest label.
    assert max(shipped.probabilities(["zzz"]).items(), key=lambda kv: kv[1])[0] == NONE


def test_a_sure_answer_can_be_withheld_and_offered_instead(engine: Engine) -> None:
    engine.second_opinion = with_gate(engine, NEVER)
    answer = engine.ask("How much did Meta pay?")
    assert not answer.answered
    assert answer.citations == ()
    assert [s.fact_id for s in answer.suggestions] == ["meta-investment"]


def test_an_unsure_first_suggestion_can_be_answered_with_its_citations(engine: Engine) -> None:
    question = "what's the investment meta made"
    shipped = engine.second_opinion
    engine.second_opinion = None
    alone = engine.ask(question)
    assert not alone.answered
    assert alone.suggestions

    engine.second_opinion = replace(shipped, gate=ALWAYS) if shipped else None
    answer = engine.ask(question)
    first = alone.suggestions[0].fact_id
    assert answer.answered
    assert answer.fact_id == first
    fact = next(v.fact for v in engine.facts() if v.fact.id == first)
    assert [(c.source_id, c.sentence_id) for c in answer.citations] == [
        (ref.source_id, ref.sentence_id) for ref in fact.cites
    ]
    assert answer.confidence == alone.confidence  # the matcher's score, as before


async def test_a_fact_moderators_added_is_the_matchers_call(engine: Engine) -> None:
    await engine.add_fact(
        1234,
        question="Who runs our data team?",
        answer="Scale AI's data labelling work is what the article describes.",
        cite="s7",
        actor="mod",
        fact_id="our-data-team",
    )
    engine.second_opinion = with_gate(engine, NEVER)
    assert engine.ask("who runs our data team", guild_id=1234).fact_id == "our-data-team"


def test_a_two_fact_answer_is_the_matchers_call(engine: Engine) -> None:
    engine.second_opinion = with_gate(engine, NEVER)
    answer = engine.ask("how much did meta pay\nwhere did wang go")
    assert answer.fact_id == "meta-investment+scale-ceo-joins-meta"


async def test_a_knowledge_base_without_a_model_is_answered_by_the_matcher(
    knowledge_copy: Path, db_path: Path
) -> None:
    (knowledge_copy / "second_opinion.json").unlink()
    async with await Engine.open(db_path, knowledge_root=knowledge_copy) as engine:
        assert engine.second_opinion is None
        assert engine.ask("How much did Meta pay?").fact_id == "meta-investment"


def test_asking_what_the_fact_cannot_answer_is_weighed(engine: Engine) -> None:
    """A gate that answers everything unless the matcher finds the question asks what the
    chosen fact cannot answer (another company, another amount); a name in the scene set
    before the question does not count."""
    engine.second_opinion = with_gate(engine, replace(ALWAYS, mismatch=-100.0))
    assert not engine.ask("how much did amazon pay for scale").answered
    assert not engine.ask("did meta pay 20 billion for scale").answered
    assert engine.ask("i work at amazon what does scale ai do").fact_id == "what-scale-does"


def test_names_in_the_scene_are_not_read_as_asked(engine: Engine) -> None:
    """The classifier reads what the question asks about: "amazon" in the scene would count
    as a company the knowledge base does not cover."""
    words, mismatch = engine.reading("i work at amazon what does scale ai do", "what-scale-does")
    assert "amazon" not in words
    assert not mismatch
    assert "amazon" in engine.reading("what does amazon do with scale ai")[0]


def test_a_fact_only_offered_is_checked_against_each_part_before_it_answers(
    engine: Engine,
) -> None:
    """The matcher offers Meta's stake for a message that asks two things; answered, it
    must pass for both parts as a matcher's answer must: no fact answers "who did they
    hire", and "what about customer data" has a fact of its own."""
    engine.second_opinion = with_gate(engine, ALWAYS)
    assert not engine.ask("how much did meta pay and who did they hire").answered
    both = engine.ask("how did scale respond and what about customer data")
    assert both.fact_id == "spokesperson-reassurance+customer-data-and-independence"
