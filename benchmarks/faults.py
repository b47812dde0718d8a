"""FactBot's storage under faults: a reviewer's rerunnable check, and CI's smoke test.

    python benchmarks/faults.py --kills 100 --edits 200

1. **Killed writers.** A writer process makes mixed changes (add, phrase, edit, remove,
   restore, mark out of scope) through the engine and prints each change the moment it
   is acknowledged; it is SIGKILLed at a random moment, ``--kills`` times. After each
   kill: the database passes ``integrity_check`` and ``foreign_key_check``, every
   acknowledged change is there, and every fact's history is a chain (each entry's
   *before* is the previous entry's *after*, the last *after* is the fact as stored).
2. **Racing editors.** Two processes edit one fact ``--edits`` times each; a refused
   edit (changed meanwhile) is tried again on the current version. Every acknowledged
   edit must be in the history exactly once, in one chain: 0 lost updates.
3. **A hostile batch.** ``factbot ask --json --batch`` on 1,000 lines of questions,
   random bytes and NULs, with one 1 MB line: every good line answered, every bad one
   flagged with an ``error``, in order.
4. **Read-only and full disk.** On a small tmpfs, remounted read-only or filled up:
   ``factbot import`` must exit 2 with one line and leave the database intact. Mounting
   needs root (CAP_SYS_ADMIN); elsewhere these are skipped, saying so.

Exit status 0 when every check holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bot.engine import Engine
from bot.errors import BadInput, ChangedMeanwhile

GUILD = 7
HANDBOOK = (
    "Desks are booked a day ahead. The kitchen closes at six. Visitors sign in at the "
    "front desk. Bikes go in the rack behind building B. Parcels wait in the mail room."
)


# -- the processes under test ---------------------------------------------------------------


def _ack(**change: object) -> None:
    """Tell the parent a change is acknowledged: printed only after the store returned."""
    print(json.dumps(change), flush=True)


async def _writer(db: Path, seed: int) -> None:
    """Mixed changes, forever (until killed)."""
    rng = random.Random(seed)
    async with await Engine.open(db, answering=False) as engine:
        curator = engine.curator
        if engine.library.source("handbook") is None:
            await curator.add_source(GUILD, title="Handbook", text=HANDBOOK, actor="writer")
        n = 0
        while True:
            own = [f for f in engine.library.own(GUILD) if not f.removed]
            removed = [f for f in engine.library.own(GUILD) if f.removed]
            op = rng.choice(["add", "add", "alias", "edit", "remove", "restore", "ignore"])
            n += 1
            word = f"{seed}-{n}-{rng.randrange(10**6)}"
            try:
                if op == "add" or not own:
                    fact = await curator.add_fact(
                        GUILD,
                        question=f"question {word}",
                        answer=f"answer {word}",
                        cite=f"handbook:s{rng.randint(1, 5)}",
                        actor="writer",
                        fact_id=f"f-{word}",
                    )
                elif op == "alias":
                    fact, _ = await curator.add_phrasing(
                        GUILD, rng.choice(own).id, f"also {word}", "writer"
                    )
                elif op == "edit":
                    fact = await curator.edit_fact(
                        GUILD, rng.choice(own).id, actor="writer", answer=f"edited {word}"
                    )
                elif op == "remove":
                    fact = await curator.remove_fact(GUILD, rng.choice(own).id, "writer")
                elif op == "restore" and removed:
                    fact = await curator.restore_fact(GUILD, rng.choice(removed).id, "writer")
                else:
                    question = await curator.mark_out_of_scope(GUILD, f"never {word}", "writer")
                    _ack(question=question)
                    continue
            except BadInput as error:
                print(json.dumps({"refused": str(error)}), file=sys.stderr, flush=True)
                continue
            _ack(fact=fact.id, revision=fact.revision, content=fact.content())


async def _racer(db: Path, name: str, edits: int, start_at: float) -> None:
    """Edit one fact ``edits`` times from ``start_at`` on (both racers at once); a refused
    edit is tried again on the current version."""
    async with await Engine.open(db, answering=False) as engine:
        await asyncio.sleep(max(0.0, start_at - time.time()))
        pause = random.Random(name)
        for i in range(edits):
            # Without a pause, SQLite's lock lets one racer write in long bursts.
            await asyncio.sleep(pause.uniform(0, 0.004))
            refused = 0
            while True:
                try:
                    fact = await engine.curator.edit_fact(
                        GUILD, "contested", actor=name, answer=f"{name} {i}"
                    )
                    break
                except ChangedMeanwhile:
                    refused += 1  # the refusal told this process the current version
            _ack(answer=fact.answer, revision=fact.revision, refused=refused)


# -- checks ---------------------------------------------------------------------------------


@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)

    def check(self, ok: bool, problem: str) -> None:
        if not ok:
            self.problems.append(problem)


def _connect(db: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(db)
    connection.row_factory = sqlite3.Row
    return connection


def _stored_content(connection: sqlite3.Connection, fact_id: str) -> dict[str, object] | None:
    row = connection.execute(
        "SELECT * FROM facts WHERE guild_id = ? AND id = ?", (GUILD, fact_id)
    ).fetchone()
    if row is None:
        return None
    key = (GUILD, fact_id)
    questions = connection.execute(
        "SELECT text FROM phrasings WHERE guild_id = ? AND fact_id = ? ORDER BY position", key
    ).fetchall()
    cites = connection.execute(
        "SELECT source_id, sentence_id FROM citations WHERE guild_id = ? AND fact_id = ?"
        " ORDER BY position",
        key,
    ).fetchall()
    return {
        "answer": row["answer"],
        "questions": [q[0] for q in questions],
        "cites": [f"{c[0]}:{c[1]}" for c in cites],
        "keywords": json.loads(row["keywords"]),
        "removed": bool(row["removed"]),
    }


def _history(connection: sqlite3.Connection, fact_id: str) -> list[tuple[object, object]]:
    rows = connection.execute(
        "SELECT before, after FROM fact_history WHERE guild_id = ? AND fact_id = ? ORDER BY id",
        (GUILD, fact_id),
    ).fetchall()
    return [(json.loads(r[0]) if r[0] else None, json.loads(r[1]) if r[1] else None) for r in rows]


def check_database(db: Path, acks: list[dict[str, object]], findings: Findings) -> None:
    """Integrity, every acknowledged change present, every history a chain."""
    with contextlib.closing(_connect(db)) as connection:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        findings.check(integrity == "ok", f"integrity_check: {integrity}")
        broken = connection.execute("PRAGMA foreign_key_check").fetchall()
        findings.check(not broken, f"foreign_key_check: {len(broken)} rows")
        for ack in acks:
            if "question" in ack:
                marked = connection.execute(
                    "SELECT 1 FROM out_of_scope WHERE guild_id = ? AND question = ?"
                    " AND removed = 0",
                    (GUILD, ack["question"]),
                ).fetchone()
                findings.check(marked is not None, f"acknowledged mark missing: {ack}")
                continue
            history = _history(connection, str(ack["fact"]))
            revision = int(str(ack["revision"]))
            findings.check(
                len(history) >= revision and history[revision - 1][1] == ack["content"],
                f"acknowledged change missing: {ack['fact']} revision {revision}",
            )
        fact_ids = [
            r[0] for r in connection.execute("SELECT id FROM facts WHERE guild_id = ?", (GUILD,))
        ]
        for fact_id in fact_ids:
            history = _history(connection, fact_id)
            chained = all(a[1] == b[0] for a, b in itertools.pairwise(history))
            findings.check(chained, f"history of {fact_id} is not a chain")
            findings.check(
                bool(history) and history[-1][1] == _stored_content(connection, fact_id),
                f"{fact_id} as stored is not its history's last entry",
            )


# -- the scenarios ----------------------------------------------------------------------------


def _spawn(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, __file__, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _acks(output: str) -> list[dict[str, object]]:
    """Complete lines only: a line cut short by the kill was never acknowledged."""
    return [json.loads(line) for line in output.splitlines(keepends=True) if line.endswith("\n")]


async def _prepare(db: Path) -> None:
    async with await Engine.open(db, answering=False):
        pass


def killed_writers(db: Path, kills: int, rng: random.Random) -> tuple[Findings, int]:
    asyncio.run(_prepare(db))
    findings, acknowledged = Findings(), []
    for round_ in range(kills):
        writer = _spawn("writer", str(db), str(round_))
        assert writer.stdout is not None
        first = writer.stdout.readline()  # running: its engine is open and writing
        time.sleep(rng.uniform(0.0, 0.6))
        writer.send_signal(signal.SIGKILL)
        rest, _ = writer.communicate()
        findings.check(
            writer.returncode == -signal.SIGKILL,
            f"a writer stopped before it was killed (exit {writer.returncode}): "
            "rerun it with stderr shown",
        )
        acknowledged += _acks(first + rest)
        check_database(db, acknowledged, findings)
    return findings, len(acknowledged)


async def _contested(db: Path) -> None:
    async with await Engine.open(db, answering=False) as engine:
        await engine.curator.add_source(GUILD, title="Handbook", text=HANDBOOK, actor="setup")
        await engine.curator.add_fact(
            GUILD,
            question="where do bikes go",
            answer="In the rack.",
            cite="handbook:s4",
            actor="setup",
            fact_id="contested",
        )


def racing_editors(db: Path, edits: int) -> tuple[Findings, int, int]:
    asyncio.run(_contested(db))
    start_at = str(time.time() + 5)  # both engines are open by then
    racers = [_spawn("racer", str(db), name, str(edits), start_at) for name in ("al", "bea")]
    acks = [a for racer in racers for a in _acks(racer.communicate()[0])]
    findings = Findings()
    findings.check(
        all(r.returncode == 0 for r in racers), "a racer failed: rerun with stderr shown"
    )
    check_database(db, [], findings)
    with contextlib.closing(_connect(db)) as connection:
        answers = [after["answer"] for _, after in _history(connection, "contested")[1:]]
    lost = [a["answer"] for a in acks if answers.count(a["answer"]) != 1]
    findings.check(not lost, f"{len(lost)} lost updates, e.g. {lost[:3]}")
    findings.check(len(acks) == 2 * edits, f"{len(acks)} of {2 * edits} edits acknowledged")
    return findings, len(acks), sum(int(str(a["refused"])) for a in acks)


@contextlib.contextmanager
def _small_disk(size: str) -> Iterator[Path | str]:
    """A tmpfs of ``size`` mounted for the test, or the reason there cannot be one."""
    if os.name != "posix" or os.geteuid() != 0:
        yield "mounting a small disk needs root (CAP_SYS_ADMIN)"
        return
    folder = Path(tempfile.mkdtemp(prefix="factbot-disk-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        folder.rmdir()
        yield f"cannot mount a tmpfs here: {mounted.stderr.strip()}"
        return
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)
        folder.rmdir()


def _factbot_import(db: Path, faq: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "import", str(faq), "--guild", str(GUILD)],
        capture_output=True,
        text=True,
        env={**os.environ, "FACTBOT_DB": str(db)},
        timeout=120,
    )


def _refused_in_one_line(
    done: subprocess.CompletedProcess[str], words: str, findings: Findings
) -> None:
    lines = done.stderr.strip().splitlines()
    findings.check(done.returncode == 2, f"exit {done.returncode}, not 2: {done.stderr[-300:]}")
    findings.check(
        len(lines) == 1 and words in lines[0], f"not one line about {words!r}: {lines[-3:]}"
    )


def storage_faults(work: Path) -> tuple[Findings, list[str]]:
    """``factbot import`` on a full disk, then on a read-only one."""
    findings, skipped = Findings(), []
    faq = work / "faq.csv"
    rows = [
        f"f{i},how do I do thing {i},Thing {i} is done like this {'x' * 200}." for i in range(400)
    ]
    faq.write_text("fact_id,question,answer\n" + "\n".join(rows) + "\n")
    with _small_disk("2m") as disk:
        if isinstance(disk, str):
            return findings, [f"full disk: {disk}", f"read-only disk: {disk}"]
        db = disk / "factbot.sqlite3"
        asyncio.run(_prepare(db))
        filler = disk / "filler"
        with contextlib.suppress(OSError), filler.open("wb") as f:
            while True:
                f.write(b"\0" * 4096)
                f.flush()
        _refused_in_one_line(_factbot_import(db, faq), "free some space", findings)
        filler.unlink()
        check_database(db, [], findings)
        with contextlib.closing(_connect(db)) as connection:
            count = connection.execute("SELECT count(*) FROM facts WHERE guild_id = ?", (GUILD,))
            findings.check(count.fetchone()[0] == 0, "a refused import left facts behind")

        remounted = subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=False)
        if remounted.returncode != 0:
            skipped.append("read-only disk: cannot remount the tmpfs read-only")
        else:
            _refused_in_one_line(_factbot_import(db, faq), "read-only", findings)
    return findings, skipped


def hostile_batch(work: Path, rng: random.Random) -> tuple[Findings, int, float]:
    """``factbot ask --json --batch`` on 1,000 lines: questions, random bytes, NULs and
    one 1 MB line. Every good line is answered, every bad one flagged, in order."""
    good = [b"how much did meta pay", b"who is the ceo", b"what is the weather like"]
    lines: list[bytes] = []
    for _ in range(999):
        kind = rng.choice(["good", "good", "bytes", "nul"])
        if kind == "good":
            lines.append(rng.choice(good))
        elif kind == "nul":
            lines.append(b"\x00" * rng.randint(1, 5))
        else:
            lines.append(bytes(rng.randrange(256) for _ in range(rng.randint(1, 40))))
    lines.insert(rng.randrange(len(lines)), b"x" * 1_000_000)
    lines = [line.replace(b"\n", b" ").replace(b"\r", b" ") for line in lines]
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--json", "--batch"],
        input=b"\n".join(lines) + b"\n",
        capture_output=True,
        env={**os.environ, "FACTBOT_DB": str(work / "batch.sqlite3")},
        timeout=600,
    )
    seconds = time.perf_counter() - started
    findings = Findings()
    findings.check(done.returncode == 0, f"exit {done.returncode}: {done.stderr[-300:]!r}")
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    findings.check(len(answers) == len(lines), f"{len(answers)} answers to {len(lines)} lines")
    for line, answer in zip(lines, answers, strict=False):
        if line in good:
            findings.check("error" not in answer, f"a good line was flagged: {answer}")
        elif line.strip(b"\x00") == b"" or len(line) > 500:
            findings.check("error" in answer, f"a bad line was not flagged: {line[:40]!r}")
    return findings, len(lines), seconds


# -- the command line -------------------------------------------------------------------------


def main() -> int:
    if sys.argv[1:2] == ["writer"]:
        asyncio.run(_writer(Path(sys.argv[2]), int(sys.argv[3])))
        return 0
    if sys.argv[1:2] == ["racer"]:
        asyncio.run(_racer(Path(sys.argv[2]), sys.argv[3], int(sys.argv[4]), float(sys.argv[5])))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=100, help="writers to SIGKILL")
    parser.add_argument("--edits", type=int, default=200, help="edits per racing process")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    failed = False
    with tempfile.TemporaryDirectory(prefix="factbot-faults-") as folder:
        work = Path(folder)
        started = time.perf_counter()
        found, acks = killed_writers(work / "killed.sqlite3", args.kills, random.Random(args.seed))
        print(
            f"killed writers: {args.kills} SIGKILLs, {acks} acknowledged changes, "
            f"{len(found.problems)} problems ({time.perf_counter() - started:.0f} s)"
        )
        failed |= _report(found)
        started = time.perf_counter()
        found, acks, refused = racing_editors(work / "racing.sqlite3", args.edits)
        print(
            f"racing editors: 2 processes, {acks} acknowledged edits, {refused} refused as "
            "changed meanwhile and tried again, "
            f"{len(found.problems)} problems ({time.perf_counter() - started:.0f} s)"
        )
        failed |= _report(found)
        found, lines, seconds = hostile_batch(work, random.Random(args.seed))
        print(
            f"hostile batch: {lines} lines (random bytes, NULs, one 1 MB line) in "
            f"{seconds:.1f} s, {len(found.problems)} problems"
        )
        failed |= _report(found)
        found, skipped = storage_faults(work)
        print(f"full and read-only disk: {len(found.problems)} problems")
        for reason in skipped:
            print(f"  skipped {reason}")
        failed |= _report(found)
    print("FAILED" if failed else "all checks hold")
    return 1 if failed else 0


def _report(findings: Findings) -> bool:
    for problem in findings.problems[:20]:
        print(f"  {problem}")
    return bool(findings.problems)


if __name__ == "__main__":
    sys.exit(main())
