"""The matcher's own features and model, fitted directly on K phrasings per intent, with
the sentence encoder or without it (n-grams alone): what the encoder buys on CLINC150.

The answer cut-off is picked on val by the rule ``factbot bench clinc150`` uses; test is
reported at that cut-off and along its own trade-off curve. The matcher is fitted directly
on the examples the bench's moderator path would store (no database), so figures land
within the bench's run-to-run range, not on its exact numbers::

    python benchmarks/clinc150/embedding_bound.py --shots 100 --embedding none
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

import numpy as np

from bot import bench
from bot.matcher import encoder, model
from bot.matcher.matcher import Example, Matcher
from bot.matcher.model import NONE
from bot.training import ANSWER_LEARNED_BELOW, small_talk

ABSTAINED_ON_TEST = (85, 88, 90, 93)
"""Points of the test curve to print: out-of-scope questions abstained on (%)."""


class Remembered:
    """The shipped encoder, each text encoded once per process: the same questions and
    phrasings are fitted on and asked again and again here."""

    def __init__(self) -> None:
        self._seen: dict[str, np.ndarray] = {}
        self.seconds = 0.0
        """Time spent encoding, to report beside the fit."""

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in self._seen]
        if todo:
            started = time.perf_counter()
            self._seen.update(zip(todo, encoder.encoder().encode(todo), strict=True))
            self.seconds += time.perf_counter() - started
        if not texts:
            return np.zeros((0, encoder.WIDTH), np.float32)
        return np.stack([self._seen[t] for t in texts])


def remembered() -> Remembered:
    """Make the matcher's features encode each text once in this process: the examples
    it fits on and the questions it is asked alike."""
    memo = Remembered()
    model.encode_many = model.encoded = memo.encode  # type: ignore[assignment]
    return memo


def examples(data: dict[str, list[list[str]]], k: int) -> list[Example]:
    """What the bench's moderator path stores and the bot learns: K phrasings per intent
    (and its answer, with fewer than ``ANSWER_LEARNED_BELOW``), the train split's
    out-of-scope questions, and the small talk every matcher learns as out of scope."""
    shots = bench.shots(data, k)
    found = [Example(q, bench.fact_id(i)) for i, qs in shots.items() for q in qs]
    found += [
        Example(bench.neutral_answer(n), bench.fact_id(i), answer=True)
        for n, (i, qs) in enumerate(shots.items(), start=1)
        if len(qs) < ANSWER_LEARNED_BELOW
    ]
    found += [Example(t, NONE) for t, _ in data["oos_train"]]
    return found + [Example(q, NONE) for q in small_talk()]


def predictions(
    matcher: Matcher, items: Sequence[tuple[str, str]]
) -> list[tuple[str | None, float]]:
    ranked = matcher.rank([matcher.read(q) for q, _ in items], limit=1)
    return [(r[0].fact_id, 100 * r[0].chance) if r else (None, 0.0) for r in ranked]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shots", type=int, default=100)
    parser.add_argument("--embedding", choices=["encoder", "none"], default="encoder")
    args = parser.parse_args()
    sentence = remembered()
    data = bench.load()
    started = time.perf_counter()
    matcher = Matcher(embedding_weight=0.0 if args.embedding == "none" else 1.0)
    matcher.fit(examples(data, args.shots))
    seconds = time.perf_counter() - started
    encoding = f" ({sentence.seconds:.0f} s of it encoding)" if sentence.seconds else ""
    print(f"{args.embedding} embedding, K = {args.shots}: fitted in {seconds:.0f} s{encoding}")
    val = [(t, i) for t, i in data["val"] + data["oos_val"]]
    test = [(t, i) for t, i in data["test"] + data["oos_test"]]
    val_got, test_got = predictions(matcher, val), predictions(matcher, test)
    in_scope = [
        (got[0], gold) for got, (_, gold) in zip(test_got, test, strict=True) if gold != "oos"
    ]
    first = sum(fact == bench.fact_id(gold) for fact, gold in in_scope) / len(in_scope)
    print(f"test in scope, right fact ranked first: {100 * first:.1f} %")
    cut = bench._tuned(val, val_got)
    right, abstained, wrong, _ = bench._score(test, test_got, cut)
    print(f"cut-off {cut:.1f} % from val: test {right:.1f} % right, ", end="")
    print(f"{abstained:.1f} % abstained, {wrong} wrong")
    out_of_scope = np.sort(
        [c for (_, c), (_, gold) in zip(test_got, test, strict=True) if gold == "oos"]
    )
    for share in ABSTAINED_ON_TEST:
        at = float(out_of_scope[int(len(out_of_scope) * share / 100)])
        right, abstained, wrong, _ = bench._score(test, test_got, at)
        print(f"test curve at {abstained:.1f} % abstained: {right:.1f} % right, {wrong} wrong")


if __name__ == "__main__":
    main()
