"""How long `factbot ask "How much did Meta pay?"` takes, start to end, on a warm machine
(its database seeded and its matcher cached by a first run), beside `python -c pass`.

    python benchmarks/startup.py [--runs 10]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUESTION = "How much did Meta pay?"


def wall(command: list[str], env: dict[str, str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=env, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="factbot-startup-") as folder:
        env = {
            **os.environ,
            "FACTBOT_DB": str(Path(folder) / "factbot.sqlite3"),
            "FACTBOT_CACHE": str(Path(folder) / "cache"),
        }
        ask = [sys.executable, "-m", "bot", "ask", QUESTION]
        wall(ask, env, 1)  # seeds the database and caches the matcher
        rows = [
            ("python -c pass", wall([sys.executable, "-c", "pass"], env, args.runs)),
            (
                "python -c 'import bot.cli'",
                wall([sys.executable, "-c", "import bot.cli"], env, args.runs),
            ),
            (f'factbot ask "{QUESTION}"', wall(ask, env, args.runs)),
        ]
    print("| command | median | best |")
    print("|---|---|---|")
    for name, times in rows:
        print(f"| `{name}` | {statistics.median(times):.2f} s | {min(times):.2f} s |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
