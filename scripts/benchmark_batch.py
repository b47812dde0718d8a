"""Times `factbot ask --json --batch` on 1,000 chat questions, start-up included.

    python scripts/benchmark_batch.py [--questions 1000] [--runs 3]

The questions cycle through knowledge/questions.yaml. The database is created and seeded
by a warm-up run first, so the figure is for an everyday run, not the very first one
(which the script also reports).
"""

from __future__ import annotations

import argparse
import itertools
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bot.evaluation import load_labelled

DEV = Path(__file__).parents[1] / "knowledge/questions.yaml"


def _batch(db: Path, stdin: str) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", "--batch", "--db", str(db)],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - started
    assert len(result.stdout.splitlines()) == stdin.count("\n")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    questions = [item.question for item in load_labelled(DEV)]
    stdin = "\n".join(itertools.islice(itertools.cycle(questions), args.questions)) + "\n"
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "bench.sqlite3"
        first = _batch(db, stdin)
        runs = [_batch(db, stdin) for _ in range(args.runs)]
    print(f"{args.questions} questions, first run (creates and seeds the db): {first:.2f} s")
    print(f"{args.questions} questions, best of {args.runs}: {min(runs):.2f} s")


if __name__ == "__main__":
    main()
