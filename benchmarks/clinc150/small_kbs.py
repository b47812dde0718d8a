"""The shipped matcher on small knowledge bases, as a team's first FAQ is: a few to fifty
facts with three to ten phrasings each, and no out-of-scope questions of its own but the
small talk every matcher learns.

Each knowledge base is a draw of CLINC150 intents, its phrasings from the train split (and
each fact's neutral answer, as the bench's moderator path stores it). It is asked the
split's questions of its own intents (in scope) and, out of scope, 300 of the split's
questions of the intents not drawn (*near*: about the same banks, travel and
workplaces, as a team's members are likely to ask beyond its FAQ) beside the split's
out-of-scope questions. Answers are given at ``ANSWER_THRESHOLD`` (50 %), as a server
gets them out of the box. Val by default; test is for reporting once::

    python benchmarks/clinc150/small_kbs.py [--split val|test] [--facts 6 12 25 50]
"""

from __future__ import annotations

import argparse
import math
import random
from collections.abc import Sequence

from embedding_bound import predictions, remembered

from bot import bench
from bot.answering import Policy
from bot.matcher.matcher import Example, Matcher
from bot.matcher.model import NONE
from bot.training import ANSWER_LEARNED_BELOW, small_talk

NEAR = 300
"""Questions of the intents not drawn, asked as out of scope."""

Asked = list[tuple[str, str | None]]


def knowledge(
    data: dict[str, list[list[str]]], facts: int, shots: int, seed: int, split: str
) -> tuple[list[Example], Asked, Asked]:
    """What a small knowledge base learns, and the questions in and out of its scope."""
    phrasings = bench.shots(data, shots, seed=seed)
    drawn = sorted(random.Random(seed).sample(sorted(phrasings), facts))
    taught = [Example(q, bench.fact_id(i)) for i in drawn for q in phrasings[i]]
    if shots < ANSWER_LEARNED_BELOW:
        taught += [
            Example(bench.neutral_answer(n), bench.fact_id(i), answer=True)
            for n, i in enumerate(drawn, start=1)
        ]
    taught += [Example(q, NONE) for q in small_talk()]
    in_scope: Asked = [(t, bench.fact_id(i)) for t, i in data[split] if i in drawn]
    others: Asked = [(t, None) for t, i in data[split] if i not in drawn]
    near = random.Random(seed + 1).sample(others, NEAR)
    return taught, in_scope, near + [(t, None) for t, _ in data[f"oos_{split}"]]


def row(asked: Asked, got: Sequence[tuple[str | None, float]], cut: float) -> list[float]:
    """At ``cut`` (%): in scope right and wrong (%), near and other out-of-scope questions
    abstained on (%), and how many of the wrong answers (%) are among the fifth given least
    surely, which `unsure` lists first."""
    right = wrong = 0
    abstained: list[bool] = []
    given: list[tuple[float, bool]] = []  # each answer's chance, and whether it is wrong
    for (best, chance), (_, gold) in zip(got, asked, strict=True):
        fact = best if chance >= cut else None
        if gold is None:
            abstained.append(fact is None)
        else:
            right += fact == gold
            wrong += fact is not None and fact != gold
        if fact is not None:
            given.append((chance, fact != gold))
    in_scope = len(asked) - len(abstained)
    given.sort()
    all_wrong = sum(w for _, w in given)
    least_sure = sum(w for _, w in given[: math.ceil(len(given) / 5)])
    return [
        100 * right / in_scope,
        100 * wrong / in_scope,
        100 * sum(abstained[:NEAR]) / NEAR,
        100 * sum(abstained[NEAR:]) / (len(abstained) - NEAR),
        100 * least_sure / all_wrong if all_wrong else 100.0,
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=["val", "test"], default="val")
    parser.add_argument("--facts", type=int, nargs="+", default=[6, 12, 25, 50])
    parser.add_argument("--shots", type=int, nargs="+", default=[3, 5, 10])
    parser.add_argument("--draws", type=int, default=2)
    args = parser.parse_args()
    remembered()
    data = bench.load()
    cut = Policy.answer
    print(f"CLINC150 {args.split}, answered at {cut:.0f} %, mean of {args.draws} draws")
    print(
        "| facts | phrasings | in scope right | wrong | near abstained "
        "| out of scope abstained | wrong answers among the least sure fifth |"
    )
    print("|---|---|---|---|---|---|---|")
    for facts in args.facts:
        for shots in args.shots:
            rows = []
            for seed in range(args.draws):
                taught, in_scope, out = knowledge(data, facts, shots, seed, args.split)
                asked = in_scope + out
                rows.append(row(asked, predictions(Matcher().fit(taught), asked), cut))
            mean = [sum(column) / len(rows) for column in zip(*rows, strict=True)]
            cells = " | ".join(f"{m:.1f} %" for m in mean)
            print(f"| {facts} | {shots} | {cells} |", flush=True)


if __name__ == "__main__":
    main()
