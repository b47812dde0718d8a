"""FactBot on knowledge it was never tuned on: BANKING77 (77 fine-grained intents of one
domain, online banking), where CLINC150, whose val split chose the matcher's features,
model and stacking, spans ten domains.

One fact per intent is added through the moderator path, as ``factbot bench clinc150``
does, with K phrasings per fact from the train split. Nothing here is tuned on BANKING77:
the bot answers at its shipped cut-off (``ANSWER_THRESHOLD``), which the knowledge base's
own phrasings calibrate. Reported on the test split:

* right first: the best fact is the right one, whether or not the bot is sure enough to
  answer (the accuracy the paper reports);
* what a member sees at the shipped cut-off: answered right, answered wrong;
* out-of-domain questions abstained: CLINC150's 1,000 out-of-scope test questions asked
  in the same guild (BANKING77 has no out-of-scope questions, so none are learned from);
* a TF-IDF baseline's right first (character 2-5-grams, nearest phrasing).

``--with-pack`` builds the facts beside the shipped pack, as a new team's server has it
by default, instead of in a server that switched it off.

    python benchmarks/banking77/run.py [--shots 10 30 all] [--with-pack]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot import bench
from bot.engine import Engine

HERE = Path(__file__).parent
ALL = 10_000
"""More phrasings than any intent has: the whole train split (35-187 per intent)."""

PAPER = {  # Casanueva et al. 2020, accuracy on the BANKING77 test split
    10: [("USE", 84.23), ("ConveRT", 83.32), ("USE+ConveRT", 85.19)],
    ALL: [("BERT-Large, fine-tuned", 93.66), ("USE+ConveRT", 93.36)],
}


@dataclass(frozen=True)
class Row:
    name: str
    right_first: float
    answered_right: float = float("nan")
    answered_wrong: float = float("nan")
    outside_abstained: float = float("nan")
    build_seconds: float = float("nan")


def read(split: str) -> list[tuple[str, str]]:
    with (HERE / f"{split}.csv").open(encoding="utf-8", newline="") as file:
        return [(row["text"], row["category"]) for row in csv.DictReader(file)]


def percent(count: int, of: int) -> float:
    return 100 * count / of


async def factbot(
    train: dict[str, list[str]],
    test: Sequence[tuple[str, str]],
    outside: Sequence[str],
    shipped_pack: bool,
) -> Row:
    with tempfile.TemporaryDirectory() as folder:
        engine = await Engine.open(Path(folder) / "bench.sqlite3", cache_dir=Path(folder))
        try:
            seconds = await bench.build(
                engine, train, [], title="BANKING77 answers", shipped_pack=shipped_pack
            )
            predict = bench.best_fact(engine)
            first = sum(predict(q)[0] == bench.fact_id(i) for q, i in test)
            answers = [(engine.ask(q, bench.GUILD), bench.fact_id(i)) for q, i in test]
            right = sum(a.answered and a.fact_id == gold for a, gold in answers)
            wrong = sum(a.answered and a.fact_id != gold for a, gold in answers)
            abstained = sum(not engine.ask(q, bench.GUILD).answered for q in outside)
        finally:
            await engine.close()
    return Row(
        "FactBot beside the shipped pack" if shipped_pack else "FactBot",
        percent(first, len(test)),
        percent(right, len(test)),
        percent(wrong, len(test)),
        percent(abstained, len(outside)),
        seconds,
    )


def tfidf(train: dict[str, list[str]], test: Sequence[tuple[str, str]]) -> Row:
    predict = bench.nearest_phrasing(train)
    first = sum(predict(q)[0] == bench.fact_id(i) for q, i in test)
    return Row("TF-IDF char 2-5, nearest phrasing", percent(first, len(test)))


def render(k: int, rows: Sequence[Row]) -> str:
    shots = "all train phrasings" if k == ALL else f"{k} phrasings per fact"
    lines = [
        f"BANKING77 test, {shots}",
        "",
        "| method | right first | answered right | answered wrong "
        "| out-of-domain abstained | build |",
        "|---|---|---|---|---|---|",
    ]
    for r in rows:

        def cell(value: float, unit: str = " %", digits: int = 1) -> str:
            return f"{value:.{digits}f}{unit}" if value == value else "–"

        lines.append(
            f"| {r.name} | {cell(r.right_first)} | {cell(r.answered_right)} "
            f"| {cell(r.answered_wrong)} | {cell(r.outside_abstained)} "
            f"| {cell(r.build_seconds, ' s')} |"
        )
    for name, accuracy in PAPER.get(k, []):
        lines.append(f"| {name} (paper) | {accuracy} % | – | – | – | – |")
    return "\n".join(lines)


def shots_argument(text: str) -> int:
    if text == "all":
        return ALL
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1, or 'all'")
    return value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shots", nargs="+", type=shots_argument, default=[10, 30, ALL])
    parser.add_argument("--with-pack", action="store_true", help="keep the shipped pack on")
    args = parser.parse_args()
    train_rows, test = read("train"), read("test")
    outside = [text for text, _ in bench.load()["oos_test"]]
    for k in args.shots:
        train = bench.shots({"train": [[t, i] for t, i in train_rows]}, k)
        started = time.perf_counter()
        rows = [asyncio.run(factbot(train, test, outside, args.with_pack)), tfidf(train, test)]
        print(render(k, rows))
        print(f"({time.perf_counter() - started:.0f} s)\n", flush=True)


if __name__ == "__main__":
    main()
