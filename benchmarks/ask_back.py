"""Questions that only name things ("what about acme?"), cross-validated on a pack's own
labelled questions: how many the bot answers right, answers wrongly, or asks back when
the learned model's chance decides (answer at the cut-off, ask back below it), against
asking all of them back.

    python benchmarks/ask_back.py [--knowledge DIR] [--folds 5]

Each fold's questions are taken out of the pack's ``questions.yaml`` and the matcher is
fitted on the rest, so every question is judged by a model that never saw it. Only
questions that name nothing but what several facts involve are counted (the others are
answered as before). About 20 minutes on two cores: one full fit per fold.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
from collections import Counter
from pathlib import Path

import yaml

from bot.engine import Engine
from bot.knowledge import default_root
from bot.matcher import NONE
from bot.models import GLOBAL


async def fold_outcomes(root: Path, held_out: dict[str, list[str]], work: Path) -> Counter[str]:
    """How each held-out question that only names things fares in a pack without them."""
    engine = await Engine.open(work / "factbot.sqlite3", knowledge_root=root, cache_dir=work)
    outcomes: Counter[str] = Counter()
    try:
        await engine.ready(GLOBAL)
        answerer = engine.answerer
        for label, questions in held_out.items():
            for question in questions:
                explained = engine.explain(question, GLOBAL)
                if explained.parts or not answerer.only_names(
                    explained.read_as, GLOBAL, explained.candidates
                ):
                    continue
                answer = explained.answer
                if answer.ambiguous or not answer.answered:
                    outcomes[f"{'trap' if label == NONE else 'answerable'}, asked back"] += 1
                elif label == NONE:
                    outcomes["trap, answered"] += 1
                else:
                    right = answer.fact_id == label
                    outcomes[f"answerable, answered {'right' if right else 'wrongly'}"] += 1
    finally:
        await engine.close()
    return outcomes


async def run(knowledge: Path, folds: int) -> Counter[str]:
    labelled = yaml.safe_load((knowledge / "questions.yaml").read_text(encoding="utf-8"))
    total: Counter[str] = Counter()
    for fold in range(folds):
        kept: dict[str, list[str]] = {}
        held_out: dict[str, list[str]] = {}
        for label, questions in labelled.items():
            for i, question in enumerate(questions or ()):
                side = held_out if "+" not in label and i % folds == fold else kept
                side.setdefault(label, []).append(question)
        with tempfile.TemporaryDirectory(prefix="factbot-ask-back-") as folder:
            root = Path(folder) / "knowledge"
            shutil.copytree(knowledge, root, ignore=shutil.ignore_patterns("__pycache__"))
            kept_text = yaml.safe_dump(kept, allow_unicode=True, sort_keys=False)
            (root / "questions.yaml").write_text(kept_text, encoding="utf-8")
            outcomes = await fold_outcomes(root, held_out, Path(folder))
        print(f"fold {fold + 1}/{folds}: {dict(outcomes)}", file=sys.stderr)
        total += outcomes
    return total


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--knowledge", type=Path, default=default_root())
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    total = asyncio.run(run(args.knowledge, args.folds))
    print("| held-out question that only names things | count |")
    print("|---|---|")
    for outcome, count in sorted(total.items()):
        print(f"| {outcome} | {count} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
