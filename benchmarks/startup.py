"""How long `factbot ask "How much did Meta pay?"` takes, start to end, on a warm machine
(its database seeded and its matcher cached by a first run), beside `python -c pass`.

    python benchmarks/startup.py [--runs 10]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUESTION = "How much did Meta pay?"


LIBRARIES = "import asyncio, aiosqlite, numpy, pydantic_settings, rapidfuzz"
"""What answering one question cannot do without: the floor under `factbot ask`."""


def walls(commands: list[list[str]], env: dict[str, str], runs: int) -> list[list[float]]:
    """Each command's wall times, the commands taking turns so that a busier minute on the
    machine falls on all of them alike."""
    times: list[list[float]] = [[] for _ in commands]
    for _ in range(runs):
        for command, taken in zip(commands, times, strict=True):
            started = time.perf_counter()
            subprocess.run(command, env=env, check=True, capture_output=True)
            taken.append(time.perf_counter() - started)
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
        # Warm means compiled too, as `pip install` leaves a package: with this set (some
        # sandboxes and containers do), every run compiled the modules changed since the
        # last compile again, 40 ms of what was measured.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        ask = [sys.executable, "-m", "bot", "ask", QUESTION]
        walls([ask], env, 1)  # seeds the database and caches the matcher
        named = {
            "python -c pass": [sys.executable, "-c", "pass"],
            f"python -c '{LIBRARIES}'": [sys.executable, "-c", LIBRARIES],
            "python -c 'import bot.cli'": [sys.executable, "-c", "import bot.cli"],
            f'factbot ask "{QUESTION}"': ask,
        }
        measured = walls(list(named.values()), env, args.runs)
    # How the interpreter was built moves every figure by a fifth (docs/scale.md, "Which
    # Python measures it"): say which one this was.
    print(f"Python {platform.python_version()}, {os.path.realpath(sys.executable)}\n")
    print("| command | median | best |")
    print("|---|---|---|")
    for name, times in zip(named, measured, strict=True):
        print(f"| `{name}` | {statistics.median(times):.3f} s | {min(times):.3f} s |")
    # The libraries' time moves with the machine's hour (0.21-0.30 s on the development
    # machine); what FactBot adds to them moves much less. Each run's pair, taken in turn.
    _, libraries, _, asked = measured
    own = [a - b for a, b in zip(asked, libraries, strict=True)]
    print(
        f"| FactBot's own share (ask less the libraries, run by run) "
        f"| {1000 * statistics.median(own):.0f} ms | – |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
