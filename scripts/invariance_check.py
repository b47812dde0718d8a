"""Asks every dev question again in forms that do not change what it asks.

    python scripts/invariance_check.py [--only NAME,NAME] [--misses NAME]

Each form is something chat does to a question without changing it: a greeting before
it, a sign-off after it, no punctuation, another name for a company, bold markers. For
each form, the script counts the dev questions whose answer changes when asked that way,
and how many of those were answered right before. A form that changes many answers
points at a reading that depends on where a message starts or ends, not at a missing
synonym; `--misses NAME` lists that form's changed answers.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from bot.engine import Engine
from bot.evaluation import load_labelled

DEV = Path(__file__).resolve().parent.parent / "tests" / "questions" / "dev.yaml"


def _replace(pattern: str, by: str) -> Callable[[str], str | None]:
    """The question with the first match replaced, or None when nothing matches."""
    compiled = re.compile(pattern, re.IGNORECASE)

    def form(question: str) -> str | None:
        return compiled.sub(by, question, count=1) if compiled.search(question) else None

    return form


def _after(ending: str, *, after_question_mark: str) -> Callable[[str], str]:
    def form(question: str) -> str:
        return question + (after_question_mark if question.endswith("?") else ending)

    return form


FORMS: dict[str, Callable[[str], str | None]] = {
    "hey": lambda q: "hey, " + q,
    "quick q": lambda q: "quick q: " + q,
    "also": lambda q: "also, " + q,
    "btw": lambda q: "btw " + q,
    "one more": lambda q: "one more: " + q,
    "please": lambda q: "please, " + q,
    "can you tell me": lambda q: "can you tell me " + q,
    "mention": lambda q: "@FactBot " + q,
    "dumb question": lambda q: "dumb question, but " + q,
    "i have a question": lambda q: "I have a question: " + q,
    "sorry if asked": lambda q: "sorry if this was asked already, " + q,
    "newbie": lambda q: "newbie here, " + q,
    "good morning": lambda q: "good morning! " + q,
    "heyyy": lambda q: "heyyy " + q,
    "also wanted to ask": lambda q: "also wanted to ask, " + q,
    "i mean": lambda q: "I mean, " + q,
    "sorry to bother": lambda q: "sorry to bother you, " + q,
    "quick one": lambda q: "quick one: " + q,
    "scene first": lambda q: "we use scale at work. " + q,
    "out of curiosity": lambda q: "out of curiosity, " + q,
    "can anyone tell me": lambda q: "can anyone tell me " + q,
    "i wanna know": lambda q: "i wanna know " + q,
    "do you know": lambda q: "do you know " + q,
    "emoji first": lambda q: "🤔 " + q,
    "thx": _after(", thx", after_question_mark=" thx"),
    "thanks": _after(", thanks!", after_question_mark=" thanks!"),
    "lol": lambda q: q + " lol",
    "any idea": lambda q: q.rstrip("?") + "? any idea?",
    "if you know": lambda q: q.rstrip("?") + " if you know",
    "emoji last": lambda q: q + " 🙏",
    "in the article": lambda q: q.rstrip("?") + " in the article?",
    "aside": lambda q: q.rstrip("?") + " (asking for a report)?",
    "??": lambda q: q.rstrip("?") + "??",
    "!!!": lambda q: q.rstrip("?!. ") + "!!!",
    "upper case": str.upper,
    "no question mark": lambda q: q.rstrip("?").rstrip() if q.endswith("?") else None,
    "no punctuation": lambda q: (
        re.sub(r"[?!,]|(?<!\d)\.|\.(?!\d)", "", q) if re.search(r"[?!,.]", q) else None
    ),
    "bold": lambda q: f"**{q}**",
    "quoted": lambda q: f'"{q}"',
    "no apostrophe": _replace(r"'s\b", "s"),
    "one 'the' fewer": _replace(r"\bthe ", ""),
    "what's": _replace(r"\bwhat is\b", "what's"),
    "what is": _replace(r"\bwhat's\b", "what is"),
    "scale ai": _replace(r"\bscale\b(?! ai)", "scale ai"),
    "scale": _replace(r"\bscale ai\b", "scale"),
    "facebook": _replace(r"\bmeta\b", "facebook"),
    "msft": _replace(r"\bmicrosoft\b", "msft"),
    "goog": _replace(r"\bgoogle\b", "goog"),
    "open ai": _replace(r"\bopenai\b", "open ai"),
    "the search giant": _replace(r"\bgoogle\b", "the search giant"),
    "the chatgpt maker": _replace(r"\bopenai\b", "the chatgpt maker"),
    "bn": _replace(r"\bbillion\b", "bn"),
    "percent": _replace(r"(\d)%", r"\1 percent"),
}


async def _check(names: list[str], show: str | None) -> None:
    labelled = load_labelled(DEV)
    with tempfile.TemporaryDirectory() as folder:
        async with await Engine.open(Path(folder) / "factbot.sqlite3") as engine:
            before = {item.question: engine.ask(item.question).fact_id for item in labelled}
            for name in names:
                asked = changed = lost = 0
                for item in labelled:
                    form = FORMS[name](item.question)
                    if form is None or form == item.question:
                        continue
                    asked += 1
                    got = engine.ask(form).fact_id
                    was = before[item.question]
                    if got == was:
                        continue
                    changed += 1
                    lost += was == item.expected
                    if name == show:
                        print(f"  {item.question!r} -> {was} | {form!r} -> {got}")
                print(f"{name}: {changed} of {asked} answers changed ({lost} were right)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated forms to check (default: all)")
    parser.add_argument("--misses", metavar="NAME", help="list the changed answers of a form")
    args = parser.parse_args()
    names = args.only.split(",") if args.only else list(FORMS)
    if args.misses and args.misses not in names:
        names.append(args.misses)
    unknown = [name for name in names if name not in FORMS]
    if unknown:
        parser.error(f"unknown forms: {', '.join(unknown)}; known: {', '.join(FORMS)}")
    asyncio.run(_check(names, args.misses))


if __name__ == "__main__":
    main()
