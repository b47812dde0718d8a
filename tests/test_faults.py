"""The fault suite (benchmarks/faults.py) at a size CI affords: killed writers, racing
editors, a hostile batch, and a full and a read-only disk where the machine lets the test
mount one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

FAULTS = Path(__file__).parents[1] / "benchmarks" / "faults.py"


def test_killed_writers_and_racing_editors_lose_nothing(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(FAULTS), "--kills", "3", "--edits", "15"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "killed writers: 3 SIGKILLs" in done.stdout
    assert "racing editors: 2 processes, 30 acknowledged edits" in done.stdout
    assert "hostile batch: 1000 lines" in done.stdout
    assert done.stdout.rstrip().endswith("all checks hold")
