"""The matcher for large knowledge bases: candidates from an inverted index, a learned
judgement on few. Measured on knowledge it was never tuned on (CLINC150 utterances about
made-up names, as `factbot bench scale` builds it), with thresholds, not timings."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import bench, bench_scale
from bot.engine import Engine
from bot.library import Library
from bot.matcher import NONE, Example, RetrievalMatcher, Vocabulary
from bot.training import Matchers, small_talk


@pytest.fixture(scope="module")
def examples() -> list[Example]:
    kb = bench_scale.knowledge(120, bench.load())
    examples = [Example(q, f) for f, qs in kb.facts.items() for q in qs]
    return examples + [Example(q, NONE) for q in small_talk()]


@pytest.fixture(scope="module")
def matcher(examples: list[Example]) -> RetrievalMatcher:
    return RetrievalMatcher().fit(examples)


def test_a_fact_added_later_answers_its_phrasings(
    matcher: RetrievalMatcher, examples: list[Example]
) -> None:
    added = [
        Example("where do I park my bike", "bike-rack"),
        Example("is there a bike rack", "bike-rack"),
    ]
    learned = matcher.learned([*examples, *added])
    assert learned is not None
    assert "bike-rack" in learned.facts_
    (best, *_), *_ = learned.rank([learned.read("where can I park my bike?")])
    assert best.fact_id == "bike-rack"
    assert learned.learned([*examples, *added]) is learned  # nothing new the second time
    # Removing an example cannot be learned quickly: it needs a full fit.
    assert matcher.learned(examples[1:]) is None


def test_a_saved_index_answers_as_the_fitted_one(matcher: RetrievalMatcher, tmp_path: Path) -> None:
    matcher.save(tmp_path / "index")
    loaded = RetrievalMatcher.load(tmp_path / "index")
    for question in ("what's my balance for kalomi", "is it going to rain", "how do I cook rice"):
        assert loaded.rank([loaded.read(question)]) == matcher.rank([matcher.read(question)])


def test_a_process_that_cached_the_index_first_is_followed(
    examples: list[Example], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes fit the same knowledge at once: the one that finishes second uses the
    first one's index and leaves nothing half-written behind."""
    save = RetrievalMatcher.save

    def rival_finishes_first(self: RetrievalMatcher, folder: Path) -> None:
        save(self, folder.with_suffix(".index"))
        save(self, folder)

    monkeypatch.setattr(RetrievalMatcher, "save", rival_finishes_first)
    monkeypatch.setattr("bot.matcher.LEARNED_UP_TO", 100)  # 120 facts get an index
    matchers = Matchers(Library(), pack_examples=[], vocabulary=Vocabulary(), cache_dir=tmp_path)
    matcher = matchers._load_or_fit(examples, Vocabulary())
    assert isinstance(matcher, RetrievalMatcher)
    assert [p.suffix for p in tmp_path.iterdir()] == [".index"]


async def test_a_server_with_many_facts_is_answered_by_it(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.matcher.LEARNED_UP_TO", 2)
    guild = 9
    text = "Bikes go in the rack. Lunch is at noon. Visitors sign in at the desk."
    await engine.curator.switch_shipped_pack(guild, False, "test")
    await engine.curator.add_source(guild, title="Handbook", text=text, actor="test")
    for fact_id, question, cite in [
        ("bike-rack", "where do bikes go", "handbook:s1"),
        ("lunch", "when is lunch", "handbook:s2"),
        ("visitors", "where do visitors sign in", "handbook:s3"),
    ]:
        await engine.curator.add_fact(
            guild, question=question, answer=question, cite=cite, actor="test", fact_id=fact_id
        )
    await engine.ready(guild)
    assert isinstance(engine.matchers.current(guild), RetrievalMatcher)
    assert engine.ask("when is lunch served?", guild).fact_id == "lunch"


async def test_it_finds_the_fact_among_hundreds_and_abstains_on_the_rest() -> None:
    """`factbot bench scale` end to end (store, engine, anchor) at a size CI affords: 500
    facts, past the learned matcher's limit."""
    anchor, factbot = await bench_scale.run([500])
    assert (anchor.name, factbot.name) == ("BM25 + rapidfuzz anchor", "FactBot")
    assert factbot.first >= 90
    assert factbot.right >= 75
    assert factbot.abstained >= 90
    assert factbot.first > anchor.first
