"""How the matcher catches up with moderators' changes, before and after a restart."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot import bench, training
from bot.engine import Engine
from bot.matcher import NONE, Example, Matcher
from bot.matcher.encoder import SentenceEncoder
from bot.matcher.model import IntentModel
from bot.matcher_cache import MatcherCache
from tests.conftest import DiscordHarness

GUILD = 5
HANDBOOK = "Bikes go in the rack by the door. Lunch is at noon. Visitors park behind the annex."
FIRST_FACTS = [
    ("bike-rack", "where do bikes go", "handbook:s1"),
    ("lunch", "when is lunch", "handbook:s2"),
    ("lunch-place", "where do we eat lunch", "handbook:s2"),
]


async def _add_facts(engine: Engine, facts: list[tuple[str, str, str]]) -> None:
    for fact_id, question, cite in facts:
        await engine.curator.add_fact(
            GUILD, question=question, answer=question, cite=cite, actor="test", fact_id=fact_id
        )


async def _add_parking(engine: Engine) -> None:
    await _add_facts(engine, [("visitor-parking", "where do visitors park", "handbook:s3")])


@pytest.fixture
def fitted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The kind of each matcher fitted from now on (not loaded from the cache, not learned
    quickly), in this process or in one of its own."""
    kinds: list[str] = []
    fit = training.matcher_for

    def counted(*args: object) -> object:
        matcher = fit(*args)  # type: ignore[arg-type]
        kinds.append(type(matcher).__name__)
        return matcher

    monkeypatch.setattr(training, "matcher_for", counted)
    fit_apart = MatcherCache.fitted_apart

    def counted_apart(*args: Any) -> object:
        kinds.append("RetrievalMatcher")
        return fit_apart(*args)

    monkeypatch.setattr(MatcherCache, "fitted_apart", counted_apart)
    return kinds


async def test_after_a_restart_a_new_fact_is_learned_without_fitting_again(
    tmp_path: Path, fitted: list[str]
) -> None:
    """A matcher loaded from the cache builds on itself as a freshly fitted one does: one
    more fact is learned in a moment, not by fitting everything again (minutes at 100,000
    facts)."""
    db, cache = tmp_path / "factbot.sqlite3", tmp_path / "cache"
    engine = await Engine.open(db, cache_dir=cache, shipped_pack=False)
    await engine.curator.add_source(GUILD, title="Handbook", text=HANDBOOK, actor="test")
    await _add_facts(engine, FIRST_FACTS)
    await engine.ready(GUILD)
    await engine.close()

    fitted.clear()
    engine = await Engine.open(db, cache_dir=cache, shipped_pack=False)
    try:
        await engine.ready(GUILD)  # from the cache
        await _add_parking(engine)
        engine.ask("where can visitors park", GUILD)  # the first question starts the learning
        await engine.ready(GUILD)
        best, *_ = engine.explain("where can visitors park their car", GUILD).candidates
        assert best.fact.id == "visitor-parking"
        assert fitted == []
    finally:
        await engine.close()


async def test_a_new_phrasing_is_encoded_as_it_is_added_and_not_again_when_learned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Encoding a new fact's phrasings was half of the matcher's catching up with it: it
    happens as they are stored, and the next question finds them encoded."""
    engine = await Engine.open(tmp_path / "db.sqlite3", cache_dir=tmp_path, shipped_pack=False)
    try:
        await engine.curator.add_source(GUILD, title="Handbook", text=HANDBOOK, actor="test")
        await _add_facts(engine, FIRST_FACTS)
        await engine.ready(GUILD)
        encoded: list[str] = []
        encode = SentenceEncoder.encode

        def recorded(self: SentenceEncoder, texts: Sequence[str], batch: int = 64) -> object:
            vectors = encode(self, texts, batch)
            encoded.extend(texts)
            return vectors

        monkeypatch.setattr(SentenceEncoder, "encode", recorded)
        await engine.curator.add_phrasing(GUILD, "bike-rack", "where do bicycles go", "test")
        for _ in range(500):  # the worker thread's moment
            if encoded:
                break
            await asyncio.sleep(0.01)
        assert encoded == ["where do bicycles go"]
        engine.ask("where do bicycles go", GUILD)
        await engine.ready(GUILD)
        assert encoded.count("where do bicycles go") == 1
        assert engine.ask("where do bicycles go", GUILD).fact_id == "bike-rack"
    finally:
        await engine.close()


async def test_a_start_after_changes_learns_them_on_the_last_index_without_fitting(
    tmp_path: Path, fitted: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large knowledge base (here: an index past 2 facts) changed by a process that ended
    before any full refit: the next start learns the changes on top of the index fitted
    last, in a moment, instead of fitting for minutes; removals too."""
    monkeypatch.setattr("bot.matcher.LEARNED_UP_TO", 2)
    db, cache = tmp_path / "factbot.sqlite3", tmp_path / "cache"
    engine = await Engine.open(db, cache_dir=cache, shipped_pack=False)
    try:
        await engine.curator.switch_shipped_pack(GUILD, False, "test")
        await engine.curator.add_source(GUILD, title="Handbook", text=HANDBOOK, actor="test")
        await _add_facts(engine, FIRST_FACTS)
        await engine.ready(GUILD)  # fits the index
        await _add_parking(engine)
        await engine.ready(GUILD)  # learned quickly; the process ends before any refit
        # The small-talk-only global matcher, and the guild's index, each fitted once.
        assert fitted == ["Matcher", "RetrievalMatcher"]
    finally:
        await engine.close()

    engine = await Engine.open(db, cache_dir=cache, shipped_pack=False)
    try:
        await engine.ready(GUILD)
        assert engine.ask("where can visitors park their car", GUILD).fact_id == "visitor-parking"
        await engine.curator.remove_fact(GUILD, "bike-rack", actor="test")
        await engine.ready(GUILD)
        best, *_ = engine.explain("where do bikes go", GUILD).candidates
        assert best.fact.id != "bike-rack"
        assert fitted == ["Matcher", "RetrievalMatcher"]
    finally:
        await engine.close()


async def test_many_facts_added_at_once_are_learned_by_a_full_fit(tmp_path: Path) -> None:
    """A server with one fact imports nineteen more: a quick update would refit only the
    new facts' models, and the old one, never taught that their questions are not its
    own, would claim them (72 banking facts added to 5 were answered 1.5 % right)."""
    data = bench.sliced(bench.load(), 20)
    train = bench.shots(data, 10)
    first, rest = dict(list(train.items())[:1]), dict(list(train.items())[1:])
    engine = await Engine.open(tmp_path / "db.sqlite3", cache_dir=tmp_path)
    try:
        await bench.build(engine, first, [], title="First answers")
        await bench.build(engine, rest, [], title="More answers")
        asked = [(engine.ask(q, bench.GUILD), bench.fact_id(i)) for q, i in data["test"]]
        right = sum(a.answered and a.fact_id == gold for a, gold in asked)
        assert right >= 0.7 * len(asked), right
    finally:
        await engine.close()


async def test_a_member_who_asks_the_moment_a_fact_is_added_gets_it(
    discord_bot: DiscordHarness,
) -> None:
    """In other words than the moderator's, before the matcher could have learned it in the
    background: the question waits that moment for it."""
    await discord_bot.say(f"!source add title: Handbook text: {HANDBOOK}", role="moderator")
    await discord_bot.say(
        "!fact add question: where do visitors park? answer: Visitors park behind the annex."
        " cite: handbook:s3",
        role="moderator",
    )
    (reply,) = await discord_bot.say("@FactBot where can visitors leave their car?")
    assert reply.embed is not None
    assert reply.embed.description == "Visitors park behind the annex."


async def test_a_question_is_answered_when_learning_a_change_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Out of memory, say: the question waits for nothing and the matcher at hand answers,
    the failure logged, not raised at the member."""
    db, cache = tmp_path / "factbot.sqlite3", tmp_path / "cache"
    async with await Engine.open(db, cache_dir=cache, shipped_pack=False) as engine:
        await engine.curator.add_source(GUILD, title="Handbook", text=HANDBOOK, actor="test")
        await _add_facts(engine, FIRST_FACTS)
        await engine.ready(GUILD)

        def fails(*_: object) -> None:
            raise MemoryError("no room to learn")

        monkeypatch.setattr("bot.matcher.Matcher.learned", fails)
        monkeypatch.setattr(training, "matcher_for", fails)
        await _add_parking(engine)
        await engine.caught_up(GUILD)
        assert engine.ask("when is lunch", GUILD).fact_id == "lunch"
    assert "learning its changes failed (MemoryError('no room to learn'))" in caplog.text


def test_a_quick_refit_from_the_margins_gives_a_full_refits_scores() -> None:
    """Each label the quick update refits starts from the rows near its margin: its
    scores must be those of a refit on every row, for the new fact and its neighbours."""
    data = bench.sliced(bench.load(), 20)
    examples = [Example(q, bench.fact_id(i)) for i, qs in bench.shots(data, 10).items() for q in qs]
    examples += [Example(q, NONE) for q, _ in data["oos_train"]]
    matcher = Matcher().fit(examples)
    added = [Example(q, "added-later") for q, _ in data["oos_val"][:10]]
    learned = matcher.learned([*examples, *added])
    assert learned is not None
    features = learned._features
    labels = np.array([e.label for e in learned.examples_])
    before = {label: row for row, label in enumerate(matcher.classes_)}
    refitted = [
        label
        for row, label in enumerate(learned.classes_)
        if label not in before
        or not np.array_equal(
            learned.model_.weights_[:, row], matcher.model_.weights_[:, before[label]]
        )
    ]
    assert "added-later" in refitted
    assert len(refitted) == 1 + learned.neighbours
    for label in refitted:
        row = int(np.searchsorted(learned.classes_, label))
        weights, intercept = IntentModel(learned.c).fit_one(features, labels == label)
        full = features @ weights + intercept
        quick = features @ learned.model_.weights_[:, row] + learned.model_.intercept_[row]
        assert np.abs(full - quick).max() < 0.01, label
