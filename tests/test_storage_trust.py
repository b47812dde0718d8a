"""FactBot uses only its own database, and says in one line when it cannot."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

from tests.conftest import CommandRunner


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _contents(path: Path) -> tuple[int, list[str]]:
    """What a database holds, whatever its write-ahead log did to the bytes."""
    with sqlite3.connect(path) as connection:
        (version,) = connection.execute("PRAGMA user_version").fetchone()
        return version, list(connection.iterdump())


def _refused(result: object, says: str) -> None:
    assert result.returncode == 2  # type: ignore[attr-defined]
    stderr = result.stderr.strip()  # type: ignore[attr-defined]
    assert len(stderr.splitlines()) == 1, stderr
    assert says in stderr
    assert "Traceback" not in stderr


def test_another_programs_database_is_refused_untouched(
    factbot: CommandRunner, tmp_path: Path
) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE t (x)")
    before = _digest(other)
    _refused(factbot("ask", "--db", str(other), "how much did meta pay"), "another program's")
    assert _digest(other) == before


def test_a_database_from_a_newer_factbot_is_refused(factbot: CommandRunner, db_path: Path) -> None:
    assert factbot("ask", "how much did meta pay").returncode == 0
    with sqlite3.connect(db_path) as connection:
        connection.execute("PRAGMA user_version = 999")
    before = _contents(db_path)
    _refused(factbot("ask", "how much did meta pay"), "newer FactBot")
    assert _contents(db_path) == before


def test_a_folder_or_a_file_that_is_not_a_database_is_refused(
    factbot: CommandRunner, tmp_path: Path
) -> None:
    _refused(factbot("ask", "--db", str(tmp_path), "hi there"), "is a folder")
    text = tmp_path / "notes.db"
    text.write_text("these are my notes, not a database\n" * 100)
    before = _digest(text)
    _refused(factbot("ask", "--db", str(text), "hi there"), "not a SQLite database")
    assert _digest(text) == before


def test_its_own_database_is_marked_as_factbots(factbot: CommandRunner, db_path: Path) -> None:
    assert factbot("ask", "how much did meta pay").returncode == 0
    with sqlite3.connect(db_path) as connection:
        (application_id,) = connection.execute("PRAGMA application_id").fetchone()
    assert application_id == 0x46414354
    assert factbot("ask", "how much did meta pay").returncode == 0


def test_backup_and_restore_bring_back_exactly_what_was_there(
    factbot: CommandRunner, tmp_path: Path
) -> None:
    first = tmp_path / "first.csv"
    first.write_text("fact_id,question,answer\nlunch,when is lunch,Lunch is at noon.\n")
    later = tmp_path / "later.csv"
    later.write_text("fact_id,question,answer\nparking,where do I park,Park in lot B.\n")
    assert factbot("import", str(first), "--guild", "9").returncode == 0
    backup = tmp_path / "backup.sqlite3"
    result = factbot("backup", str(backup))
    assert result.returncode == 0, result.stderr
    _refused(factbot("backup", str(backup)), "exists")
    _refused(factbot("backup", str(tmp_path / "gone" / "b.sqlite3")), "no such folder")
    assert factbot("import", str(later), "--guild", "9").returncode == 0

    restored = factbot("restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    ask = factbot(
        "ask", "--json", "--batch", "--guild", "9", stdin="when is lunch\nwhere do I park\n"
    )
    lunch, parking = (json.loads(line) for line in ask.stdout.splitlines())
    assert lunch["fact_id"] == "lunch"
    assert parking["fact_id"] != "parking"
    # What was added after the backup is kept aside, not lost.
    (kept,) = tmp_path.glob("factbot.sqlite3.before-restore-*")
    assert f"kept in {kept}" in restored.stdout
    again = factbot("ask", "--json", "--db", str(kept), "--guild", "9", "where do I park")
    assert json.loads(again.stdout)["fact_id"] == "parking"
    _refused(factbot("restore", str(first)), "not a SQLite database")


def test_restore_refuses_what_is_not_a_backup_and_touches_neither_file(
    factbot: CommandRunner, tmp_path: Path, db_path: Path
) -> None:
    """An empty file is an empty database to SQLite: restoring one used to replace the
    database with a fresh FactBot database, losing everything moderators had added."""
    faq = tmp_path / "faq.csv"
    faq.write_text("fact_id,question,answer\nlunch,when is lunch,Lunch is at noon.\n")
    assert factbot("import", str(faq), "--guild", "9").returncode == 0
    before = _contents(db_path)
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE t (x)")
    newer = tmp_path / "newer.sqlite3"
    assert factbot("backup", str(newer)).returncode == 0
    with sqlite3.connect(newer) as connection:
        connection.execute("PRAGMA user_version = 999")
    for path, says in [
        (empty, "is an empty database"),
        (other, "is another program's database"),
        (newer, "newer FactBot"),
    ]:
        kept = _digest(path)
        _refused(factbot("restore", str(path)), says)
        assert _digest(path) == kept
    assert _contents(db_path) == before
    ask = factbot("ask", "--json", "--guild", "9", "when is lunch")
    assert json.loads(ask.stdout)["fact_id"] == "lunch"


def test_restore_mends_a_damaged_database_and_keeps_the_damaged_one(
    factbot: CommandRunner, tmp_path: Path, db_path: Path
) -> None:
    """A damaged database is what a backup is for: restore replaces it (keeping its bytes
    aside), where every other command refuses it."""
    faq = tmp_path / "faq.csv"
    faq.write_text("fact_id,question,answer\nlunch,when is lunch,Lunch is at noon.\n")
    assert factbot("import", str(faq), "--guild", "9").returncode == 0
    backup = tmp_path / "backup.sqlite3"
    assert factbot("backup", str(backup)).returncode == 0
    with sqlite3.connect(db_path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        (page_size,) = connection.execute("PRAGMA page_size").fetchone()
    damaged = bytearray(db_path.read_bytes())
    damaged[100:page_size] = b"\xab" * (page_size - 100)  # the table of tables, garbled
    db_path.write_bytes(damaged)
    _refused(factbot("ask", "when is lunch"), "it is damaged")

    assert factbot("restore", str(backup)).returncode == 0
    ask = factbot("ask", "--json", "--guild", "9", "when is lunch")
    assert json.loads(ask.stdout)["fact_id"] == "lunch"
    (kept,) = tmp_path.glob("factbot.sqlite3.before-restore-*[0-9Z]")
    assert kept.read_bytes()[:page_size] == damaged[:page_size]


def test_restore_replaces_only_factbots_database(factbot: CommandRunner, tmp_path: Path) -> None:
    assert factbot("ask", "hello").returncode == 0
    backup = tmp_path / "backup.sqlite3"
    assert factbot("backup", str(backup)).returncode == 0
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE t (x)")
    notes = tmp_path / "notes.db"
    notes.write_text("these are my notes, not a database\n" * 100)
    for target, says in [(other, "another program's"), (notes, "not a SQLite database")]:
        before = _digest(target)
        _refused(factbot("restore", "--db", str(target), str(backup)), says)
        assert _digest(target) == before
        assert not list(tmp_path.glob(f"{target.name}.before-restore-*"))
    empty = tmp_path / "empty.db"  # nothing in it to keep
    empty.touch()
    assert factbot("restore", "--db", str(empty), str(backup)).returncode == 0
    assert not list(tmp_path.glob("empty.db.before-restore-*"))
    assert factbot("ask", "--db", str(empty), "how much did meta pay").returncode == 0
