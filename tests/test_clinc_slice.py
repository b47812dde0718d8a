"""A small slice of CLINC150 (20 intents, a public data set FactBot was never tuned on)
through the moderator path: the learned matcher must beat the TF-IDF baseline there, out of
the box as well as at a cut-off tuned on val, and a fact added afterwards must answer its
own phrasings. Thresholds, not timings. One test, since building and asking the slice is
most of its time."""

from __future__ import annotations

from bot import bench


async def test_clinc150_slice_answers_better_than_the_baseline_tuned_and_as_shipped() -> None:
    factbot, shipped, baseline = await bench.run(10, intents=20)
    assert factbot.right >= 80.0, factbot
    assert factbot.abstained >= 85.0, factbot
    assert factbot.wrong < baseline.wrong
    assert factbot.right > baseline.right + 15
    assert factbot.catch_up_right == 100.0
    # At the cut-off the bot ships with, not one tuned on val: chances learned from a
    # knowledge base's own phrasings alone would answer about one out-of-scope question in
    # five here (82 % abstained, 106 wrong answers).
    assert shipped.right >= 80.0, shipped
    assert shipped.abstained >= 88.0, shipped
    assert shipped.wrong < baseline.wrong
