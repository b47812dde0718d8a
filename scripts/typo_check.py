"""Asks dev questions again with one typo in one word, and counts the answers it changes.

    python scripts/typo_check.py [--questions FILE] [--misses]

Each question's typo is drawn from the question itself (a seed made of its text) before
anything is asked, so two versions of the code are measured on the same typed questions,
and a question added to the file does not change the others' typos. Only questions the bot
answers right without the typo count. A typo that breaks an answer is the cost of a slip;
one that turns it into another fact's answer is a wrong answer.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
from pathlib import Path

import yaml

from bot.engine import Engine
from bot.evaluation import NONE

DEV = Path(__file__).resolve().parent.parent / "tests" / "questions" / "dev.yaml"


def _with_typo(word: str, rng: random.Random) -> str:
    """One slip as people make them: two letters swapped, one dropped, doubled or wrong."""
    i = rng.randrange(len(word))
    slip = rng.choice(["swap", "drop", "double", "wrong"])
    if slip == "swap" and i < len(word) - 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if slip == "drop":
        return word[:i] + word[i + 1 :]
    if slip == "double":
        return word[:i] + word[i] + word[i:]
    return word[:i] + rng.choice("abcdefghijklmnopqrstuvwxyz") + word[i + 1 :]


def _typed(path: Path) -> list[tuple[str, str, str]]:
    """(question, question with a typo, expected fact) for questions with a long word."""
    labelled = yaml.safe_load(path.read_text(encoding="utf-8"))
    pairs = {
        (question, fact_id)
        for fact_id, questions in labelled.items()
        if fact_id != NONE and "+" not in fact_id
        for question in questions
    }
    typed = []
    for question, fact_id in sorted(pairs):
        rng = random.Random(question)
        words = question.split()
        long_words = [i for i, word in enumerate(words) if len(word) >= 5 and word.isalpha()]
        if long_words:
            i = rng.choice(long_words)
            words[i] = _with_typo(words[i], rng)
            typed.append((question, " ".join(words), fact_id))
    return typed


async def _check(path: Path, show_misses: bool) -> None:
    typed = _typed(path)
    with tempfile.TemporaryDirectory() as folder:
        async with await Engine.open(Path(folder) / "factbot.sqlite3") as engine:
            asked = broken = wrong = 0
            for question, with_typo, fact_id in typed:
                if engine.ask(question).fact_id != fact_id:
                    continue
                asked += 1
                answer = engine.ask(with_typo)
                if answer.fact_id != fact_id:
                    broken += 1
                    wrong += answer.answered
                    if show_misses:
                        got = answer.fact_id or "no answer"
                        print(f"{fact_id}: {with_typo!r} -> {got}")
    print(f"{broken} of {asked} answers broken by one typo; {wrong} answered wrongly")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=DEV, help="a labelled file (dev)")
    parser.add_argument("--misses", action="store_true", help="list the broken answers")
    args = parser.parse_args()
    asyncio.run(_check(args.questions, args.misses))


if __name__ == "__main__":
    main()
