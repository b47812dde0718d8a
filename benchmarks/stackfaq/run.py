"""FactBot on a FAQ with real answers, imported as a team imports its own: StackFAQ
(Karan and Šnajder, 2018), 125 threads of the Web Applications Stack Exchange, each with
its title, its top answers and ten rephrasings of the title written by people.

Each thread becomes a row of a CSV FAQ (``fact_id,question,answer``: the title, then the
first K - 1 rephrasings, and the top answer), imported into a server without the shipped
pack with ``factbot import``'s own code. A fifth of the threads are left out of the FAQ
and their rephrasings asked as questions it does not hold: the same domain, the hardest
kind of outside question. Every thread is left out once (five rounds). Asked: rephrasings
6-9 of every thread (``--split dev``: 2-5, which chose the design), reported as

* right first: the best fact is the right one, whether or not the bot is sure enough;
* what a member sees at the shipped cut-off: answered right, answered wrong;
* outside questions abstained on;
* a TF-IDF baseline's right first (character 2-5-grams, nearest phrasing).

Nothing here is tuned on StackFAQ. The data set is not shipped (its rephrasings carry no
stated licence): see README.md beside this file for where to get it.

    python benchmarks/stackfaq/run.py --data stackExchange-FAQ.xml [--shots 1 2 3]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import tempfile
import xml.etree.ElementTree as ElementTree
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot import bench, bulk
from bot.curation import MAX_ANSWER_LENGTH
from bot.engine import Engine

ROUNDS = 5
ASKED = {"dev": slice(2, 6), "test": slice(6, 10)}


@dataclass(frozen=True)
class Thread:
    id: str
    title: str
    answer: str
    rephrasings: list[str]


def read(path: Path) -> list[Thread]:
    threads = []
    for n, pair in enumerate(ElementTree.parse(path).getroot().iter("qapair"), start=1):
        title = re.sub(r"\s*\[(closed|duplicate)\]$", "", _text(pair.find("question")))
        said = [_text(r) for r in pair.iter("rephr")]
        rephrasings = [r for r in said if r != "*"]  # "*" separates two writers' rephrasings
        answer = _shortened(_text(pair.find("answer")))
        threads.append(Thread(f"thread-{n}", title, answer, rephrasings))
    return threads


def _text(element: ElementTree.Element | None) -> str:
    return " ".join((element.text or "").split()) if element is not None else ""


def _shortened(answer: str) -> str:
    """As a moderator would keep it: whole sentences, within FactBot's answer limit."""
    if len(answer) <= MAX_ANSWER_LENGTH:
        return answer
    cut = answer[:MAX_ANSWER_LENGTH]
    end = max(cut.rfind(". "), cut.rfind("? "), cut.rfind("! "))
    return cut[: end + 1] if end > 0 else cut[: cut.rfind(" ")]


@dataclass
class Counts:
    first: int = 0
    right: int = 0
    wrong: int = 0
    asked: int = 0
    abstained: int = 0
    outside: int = 0
    baseline_first: int = 0


def write_faq(threads: Sequence[Thread], k: int, path: Path) -> dict[str, list[str]]:
    phrasings = {t.id: [t.title, *t.rephrasings[: k - 1]] for t in threads}
    bulk.write_csv(path, {t.id: (phrasings[t.id], t.answer) for t in threads})
    return phrasings


async def one_round(
    held: Sequence[Thread], left_out: Sequence[Thread], k: int, asked: slice, counts: Counts
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        faq = Path(folder) / "stackfaq.csv"
        phrasings = write_faq(held, k, faq)
        engine = await Engine.open(Path(folder) / "bench.sqlite3", cache_dir=Path(folder))
        try:
            await engine.curator.switch_shipped_pack(bench.GUILD, False, "bench")
            await engine.curator.import_bundle(bench.GUILD, bulk.read(faq), actor="bench")
            await engine.ready(bench.GUILD)
            ranked_first = bench.best_fact(engine)
            baseline = bench.nearest_phrasing(phrasings)
            for t in held:
                for question in t.rephrasings[asked]:
                    answer = engine.ask(question, bench.GUILD)
                    counts.asked += 1
                    counts.first += ranked_first(question)[0] == t.id
                    counts.baseline_first += baseline(question)[0] == t.id
                    counts.right += answer.answered and answer.fact_id == t.id
                    counts.wrong += answer.answered and answer.fact_id != t.id
            for t in left_out:
                for question in t.rephrasings[asked]:
                    counts.outside += 1
                    counts.abstained += not engine.ask(question, bench.GUILD).answered
        finally:
            await engine.close()


async def run(threads: Sequence[Thread], k: int, split: str) -> Counts:
    counts = Counts()
    for r in range(ROUNDS):
        left_out = [t for n, t in enumerate(threads) if n % ROUNDS == r]
        held = [t for n, t in enumerate(threads) if n % ROUNDS != r]
        await one_round(held, left_out, k, ASKED[split], counts)
    return counts


def render(k: int, split: str, c: Counts) -> str:
    def pct(n: int, of: int) -> str:
        return f"{100 * n / of:.1f} %"

    return "\n".join(
        [
            f"StackFAQ {split}, {k} phrasing{'s' if k > 1 else ''} per fact and its answer",
            "",
            "| method | right first | answered right | answered wrong | outside abstained |",
            "|---|---|---|---|---|",
            f"| FactBot | {pct(c.first, c.asked)} | {pct(c.right, c.asked)} "
            f"| {pct(c.wrong, c.asked)} | {pct(c.abstained, c.outside)} |",
            f"| TF-IDF char 2-5, nearest phrasing | {pct(c.baseline_first, c.asked)} | – | – | – |",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="stackExchange-FAQ.xml")
    parser.add_argument("--shots", nargs="+", type=int, default=[1, 2, 3])
    parser.add_argument("--split", choices=sorted(ASKED), default="test")
    args = parser.parse_args()
    threads = read(args.data)
    for k in args.shots:
        print(render(k, args.split, asyncio.run(run(threads, k, args.split))), end="\n\n")


if __name__ == "__main__":
    main()
