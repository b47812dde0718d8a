"""A small slice of CLINC150 (20 intents, a public data set FactBot was never tuned on)
through the moderator path: the learned matcher must beat the TF-IDF baseline there, and
a fact added afterwards must answer its own phrasings. Thresholds, not timings."""

from __future__ import annotations

from bot import bench


async def test_clinc150_slice_answers_better_than_the_baseline() -> None:
    factbot, baseline = await bench.run(10, intents=20)
    assert factbot.right >= 80.0, factbot
    assert factbot.abstained >= 85.0, factbot
    assert factbot.wrong < baseline.wrong
    assert factbot.right > baseline.right + 15
    assert factbot.catch_up_right == 100.0
