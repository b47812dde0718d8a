"""Asks each curated phrasing with that phrasing taken out of its fact.

    python scripts/leave_one_out.py [--misses]

A phrasing the bot still answers with its own fact is covered by the others and the
aliases; one it does not is the only place its words are known, which is where a new
wording from chat would fail too. The share covered is a measure of how far the
knowledge base reaches beyond its own phrasings; `--misses` lists the rest, the places
to add synonyms. The first phrasing of each fact (the one shown to users) is kept.

It measures the matcher alone: the second opinion learned the dev questions, 130 of which
are phrasings too, so it would answer some of them from memory.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from pathlib import Path

from bot.engine import Engine
from bot.models import GLOBAL


async def _leave_one_out(show_misses: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        async with await Engine.open(Path(folder) / "factbot.sqlite3") as engine:
            engine.second_opinion = None
            asked = covered = 0
            for view in engine.facts(GLOBAL):
                fact = view.fact
                for phrasing in fact.questions[1:]:
                    with engine.phrasing_left_out(fact, phrasing):
                        answer = engine.ask(phrasing)
                    asked += 1
                    if answer.fact_id == fact.id:
                        covered += 1
                    elif show_misses:
                        got = answer.fact_id or "no answer"
                        print(f"{fact.id}: {phrasing!r} -> {got} ({answer.confidence:.1f})")
        share = 100 * covered / asked
        print(f"{covered}/{asked} phrasings ({share:.1f}%) are answered without themselves")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list the phrasings not covered")
    asyncio.run(_leave_one_out(parser.parse_args().misses))


if __name__ == "__main__":
    main()
