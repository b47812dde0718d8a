"""How the matcher catches up with moderators' changes, before and after a restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import training
from bot.engine import Engine

GUILD = 5
HANDBOOK = "Bikes go in the rack by the door. Lunch is at noon. Visitors park behind the annex."


async def test_after_a_restart_a_new_fact_is_learned_without_fitting_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A matcher loaded from the cache builds on itself as a freshly fitted one does: one
    more fact is learned in a moment, not by fitting everything again (minutes at 100,000
    facts)."""
    db, cache = tmp_path / "factbot.sqlite3", tmp_path / "cache"
    engine = await Engine.open(db, cache_dir=cache, shipped_pack=False)
    await engine.curator.add_source(GUILD, title="Handbook", text=HANDBOOK, actor="test")
    for fact_id, question, cite in [
        ("bike-rack", "where do bikes go", "handbook:s1"),
        ("lunch", "when is lunch", "handbook:s2"),
    ]:
        await engine.curator.add_fact(
            GUILD, question=question, answer=question, cite=cite, actor="test", fact_id=fact_id
        )
    await engine.ready(GUILD)
    await engine.close()

    fits: list[int] = []
    fit = training.matcher_for
    monkeypatch.setattr(training, "matcher_for", lambda *args: fits.append(1) or fit(*args))
    engine = await Engine.open(db, cache_dir=cache, shipped_pack=False)
    try:
        await engine.ready(GUILD)  # from the cache
        await engine.curator.add_fact(
            GUILD,
            question="where do visitors park",
            answer="Behind the annex.",
            cite="handbook:s3",
            actor="test",
            fact_id="visitor-parking",
        )
        engine.ask("where can visitors park", GUILD)  # the first question starts the learning
        await engine.ready(GUILD)
        best, *_ = engine.explain("where can visitors park their car", GUILD).candidates
        assert best.fact.id == "visitor-parking"
        assert fits == []
    finally:
        await engine.close()
