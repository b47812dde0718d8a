"""Add a batch of newly labelled questions to the shipped pack's knowledge/questions.yaml
(what its matcher learns from; called dev.yaml below, its old name).

    python scripts/add_labelled.py BATCH.yaml --drop-known   # 1. leave out repeats
    factbot eval BATCH.yaml                                  # 2. the first reading
    python scripts/add_labelled.py BATCH.yaml                # 3. into questions.yaml
    git commit -am "Batch N: …"                              # 4. one commit per batch

BATCH.yaml is a labelled question file (see `factbot eval --help`). The first reading is
the honest figure: the bot has not seen these questions yet (the README's batch table).
A question already labelled in dev.yaml or test.yaml, however it is cased, spaced or
punctuated, would be counted twice, or tuned on where it must only be measured, so step 3
refuses a batch with one; step 1 takes them out of the batch file. Each label's questions
go after that label's last question in dev.yaml (a label dev.yaml lacks goes at the end),
so that `git blame` names one commit per batch. The matcher learns the batch the next
time the pack's matcher is fitted (its cache is keyed by the file's contents).
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from pathlib import Path

import yaml

from bot.errors import BadInput
from bot.evaluation import Labelled, check_labels, load_labelled, same_question
from bot.knowledge import load_knowledge
from bot.matcher import NONE

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = ROOT / "tests" / "questions"
DEV = ROOT / "knowledge" / "questions.yaml"


def _new(batch: list[Labelled], dev: Path) -> tuple[list[Labelled], list[Labelled]]:
    """The batch's questions not labelled before (nor earlier in the batch), and the rest."""
    labelled = [*load_labelled(dev), *load_labelled(QUESTIONS / "test.yaml")]
    seen = {same_question(item.question) for item in labelled}
    new, known = [], []
    for item in batch:
        (known if same_question(item.question) in seen else new).append(item)
        seen.add(same_question(item.question))
    return new, known


def _as_file(items: list[Labelled]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for item in items:
        grouped[item.expected or NONE].append(item.question)
    return dict(grouped)


def _line(question: str) -> str:
    """A question as a YAML list item, quoted where YAML needs it ("a: b", "#tag")."""
    return yaml.safe_dump([question], allow_unicode=True, width=10_000).strip()


def _added(dev: str, batch: dict[str, list[str]]) -> str:
    """dev.yaml's text with the batch's questions after each label's last one."""
    lines = dev.rstrip("\n").split("\n")
    ends: dict[str, int] = {}
    label = None
    for i, line in enumerate(lines):
        if line and not line.startswith(("-", " ", "#")):
            label = line.removesuffix(":")
        elif label and line.startswith("-"):
            ends[label] = i + 1
    after: dict[int, list[str]] = defaultdict(list)
    tail: list[str] = []
    for label, questions in batch.items():
        if label in ends:
            after[ends[label]] += [_line(q) for q in questions]
        else:
            tail += [f"{label}:", *(_line(q) for q in questions)]
    out = []
    for i, line in enumerate(lines, start=1):
        out.append(line)
        out += after.get(i, [])
    return "\n".join([*out, *tail]) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("batch", type=Path, help="a labelled question file")
    parser.add_argument(
        "--into", type=Path, default=DEV, help="the labelled file to add to (dev.yaml)"
    )
    parser.add_argument(
        "--drop-known",
        action="store_true",
        help="rewrite BATCH without the questions labelled before, and add nothing",
    )
    args = parser.parse_args(argv)
    try:
        batch = load_labelled(args.batch)
        check_labels(batch, {fact.id for fact in load_knowledge().facts})
    except BadInput as error:
        print(f"add_labelled: {error}", file=sys.stderr)
        return 2
    new, known = _new(batch, args.into)
    if args.drop_known:
        args.batch.write_text(
            yaml.safe_dump(_as_file(new), allow_unicode=True, width=10_000, sort_keys=False),
            encoding="utf-8",
        )
        print(f"{args.batch}: {len(new)} new questions kept, {len(known)} labelled before left out")
        return 0
    if known:
        print(
            f"add_labelled: {len(known)} questions are labelled already (first: "
            f"{known[0].question!r}); run with --drop-known first",
            file=sys.stderr,
        )
        return 2
    into: Path = args.into
    into.write_text(_added(into.read_text(encoding="utf-8"), _as_file(new)), encoding="utf-8")
    traps = sum(item.expected is None for item in new)
    print(f"added {len(new)} questions ({traps} not answerable) to {into}")
    print("commit them as one batch")
    return 0


if __name__ == "__main__":
    sys.exit(main())
