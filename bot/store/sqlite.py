"""The SQLite backend (aiosqlite): one file, one connection for the life of the process.

Other processes on the same file are seen through ``PRAGMA data_version``; SQLite's write
lock (``BEGIN IMMEDIATE``) serializes writers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import sqlite3
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Literal

import aiosqlite

from bot.errors import StorageError
from bot.store.backend import Row
from bot.store.schema import MIGRATIONS

log = logging.getLogger(__name__)

APPLICATION_ID = 0x46414354
"""``PRAGMA application_id`` of a FactBot database ("FACT"): how it tells its own files."""


class SQLiteDatabase:
    def __init__(self, db: aiosqlite.Connection, path: Path | str) -> None:
        self._db = db
        self.path = path
        self.where = str(path)

    @classmethod
    async def open(cls, path: Path | str) -> SQLiteDatabase:
        """Open FactBot's database at ``path``, creating it if there is none. A file that
        is another program's database, or one written by a newer FactBot, is refused
        (:class:`StorageError`) before anything is written to it."""
        if str(path) != ":memory:":
            _make_room(Path(path))
        try:
            db = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as error:
            raise storage_error(path, error) from None
        db.row_factory = aiosqlite.Row
        try:
            await _claim(db, path)
            await db.execute("PRAGMA journal_mode = WAL")
            # FULL: a change is on disk when a moderator sees it acknowledged, even if the
            # machine loses power the next moment (NORMAL would only survive a crash of
            # the process). Writes are few and small; the cost does not show.
            await db.execute("PRAGMA synchronous = FULL")
            await db.execute("PRAGMA foreign_keys = ON")
            await db.execute("PRAGMA busy_timeout = 5000")
            await _migrate(db)
        except sqlite3.Error as error:
            await db.close()
            raise storage_error(path, error) from None
        except BaseException:
            await db.close()
            raise
        return cls(db, path)

    async def close(self) -> None:
        await self._db.close()

    @contextmanager
    def _reported(self) -> Iterator[None]:
        """A fault of the database as one :class:`StorageError` line."""
        try:
            yield
        except sqlite3.Error as error:
            raise storage_error(self.path, error) from None

    async def fetch(self, sql: str, args: Sequence[object] = ()) -> list[Row]:
        # One trip to the connection's thread, not three (execute, fetch, close a cursor):
        # opening the engine reads a dozen tables, and each trip costs 0.1-0.2 ms.
        with self._reported():
            return list(await self._db.execute_fetchall(sql, args))

    async def fetchone(self, sql: str, args: Sequence[object] = ()) -> Row | None:
        with self._reported():
            async with self._db.execute(sql, args) as cursor:
                return await cursor.fetchone()

    async def execute(self, sql: str, args: Sequence[object] = ()) -> int:
        with self._reported():
            return (await self._db.execute(sql, args)).rowcount

    async def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        with self._reported():
            await self._db.executemany(sql, rows)

    @asynccontextmanager
    async def transaction(self, *, exclusive: bool = True) -> AsyncIterator[None]:
        """``BEGIN IMMEDIATE`` takes the write lock at once: no other process writes
        between this transaction's reads and its writes. (SQLite has one writer at a time
        whatever ``exclusive`` says.)"""
        with self._reported():
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
                await self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    await self._db.execute("ROLLBACK")
                raise

    async def data_version(self) -> int:
        return await _pragma(self._db, "data_version")

    async def wait_for_news(self, at_most: float) -> None:
        await asyncio.sleep(at_most)  # SQLite announces nothing: look again after a while


async def _migrate(db: aiosqlite.Connection) -> None:
    version = await _pragma(db, "user_version")
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        log.info("migrating database to version %d", number)
        await db.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")


def copy_database(source: Path, target: Path) -> None:
    """Copy a database with SQLite's online backup: consistent even while a bot writes to
    ``source``, and safe into a ``target`` other processes have open."""
    with (
        contextlib.closing(sqlite3.connect(source)) as reading,
        contextlib.closing(sqlite3.connect(target)) as writing,
    ):
        reading.backup(writing)
        # A copy goes its own way from here: it must not share what is kept for the
        # original under its identity (Store.identity).
        with writing:
            writing.execute("DELETE FROM meta WHERE key = 'identity'")


def _make_room(path: Path) -> None:
    if path.is_dir():
        raise StorageError(f"{path} is a folder: give --db (or FACTBOT_DB) a file path.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StorageError(f"cannot create the folder for {path}: {error.strerror}.") from None


async def _pragma(db: aiosqlite.Connection, name: str) -> int:
    rows = list(await db.execute_fetchall(f"PRAGMA {name}"))
    return int(rows[0][0]) if rows else 0


async def _claim(db: aiosqlite.Connection, path: Path | str) -> None:
    """Make sure the file is FactBot's (marking a new one as such), and not newer than
    this code, before anything is written to it."""
    application_id = await _pragma(db, "application_id")
    version = await _pragma(db, "user_version")
    listed = await db.execute_fetchall("SELECT name FROM sqlite_master WHERE type = 'table'")
    tables = {row[0] for row in listed}
    if _whose(application_id, version, tables) == "another program's":
        raise StorageError(
            f"{path} is another program's database: give --db (or FACTBOT_DB) another file."
        )
    if version > len(MIGRATIONS):
        raise StorageError(_newer(path, version, "use it"))
    if application_id != APPLICATION_ID:
        await db.execute(f"PRAGMA application_id = {APPLICATION_ID}")


def check_backup(path: Path) -> None:
    """Refuse a file that is not a backup this FactBot can restore, reading it only.

    Opening it as the database would not do: SQLite takes an empty file for an empty
    database, which FactBot would fill with its tables, and restoring that would leave
    nothing of what moderators added."""
    try:
        whose, version = _look(path)
    except sqlite3.Error as error:
        reason = "not a SQLite database" if "not a database" in str(error) else str(error)
        raise StorageError(f"{path}: {reason}; restore a file `factbot backup` wrote.") from None
    if whose != "FactBot's":
        raise StorageError(f"{path} is {whose} database; restore a file `factbot backup` wrote.")
    if version > len(MIGRATIONS):
        raise StorageError(_newer(path, version, "restore it"))


def keep_aside(database: Path, copy: Path) -> bool:
    """Copy the database a restore is about to replace to ``copy``, unless it holds
    nothing (False). A damaged one, which SQLite cannot read to copy, is copied byte for
    byte with its write-ahead log; a file that is not FactBot's database is refused
    (:class:`StorageError`), not replaced."""
    try:
        whose, _ = _look(database)
    except sqlite3.DatabaseError as error:
        if "malformed" not in str(error):
            raise storage_error(database, error) from None
        for suffix in ("", "-wal"):
            if (part := database.with_name(database.name + suffix)).is_file():
                shutil.copyfile(part, copy.with_name(copy.name + suffix))
        return True
    if whose == "another program's":
        raise StorageError(
            f"{database} is another program's database: give --db (or FACTBOT_DB) FactBot's."
        )
    if whose == "an empty":
        return False
    copy_database(database, copy)
    return True


Whose = Literal["FactBot's", "another program's", "an empty"]


def _look(path: Path) -> tuple[Whose, int]:
    """Whose database the file is (:func:`_whose`) and its schema version, read-only."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    with contextlib.closing(sqlite3.connect(uri, uri=True)) as db:
        application_id, version = (
            db.execute(f"PRAGMA {name}").fetchone()[0]
            for name in ("application_id", "user_version")
        )
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    return _whose(application_id, version, tables), version


def _whose(application_id: int, version: int, tables: set[str]) -> Whose:
    """Whose database a file is, by FactBot's mark and, for those from before the mark,
    by its tables and schema version."""
    if application_id == APPLICATION_ID or (
        application_id == 0 and version > 0 and {"meta", "facts", "fact_history"} <= tables
    ):
        return "FactBot's"
    return "another program's" if application_id or tables else "an empty"


def _newer(path: Path | str, version: int, to: str) -> str:
    return (
        f"{path} was written by a newer FactBot (schema {version}; this one knows "
        f"{len(MIGRATIONS)}): upgrade FactBot to {to}."
    )


_ADVICE = {
    "readonly": "it is read-only: give --db a file you can write, or fix its permissions",
    "unable to open": "it cannot be opened: check that its folder exists and is writable",
    "not a database": "it is not a SQLite database: give --db (or FACTBOT_DB) another file",
    "full": "the disk is full: free some space and try again",
    "disk i/o": "the disk refused a write (is it full?): free some space and try again",
    "locked": "another program holds it locked: try again when it is done",
    "malformed": "it is damaged: restore it from a backup",
}


def storage_error(path: Path | str, error: sqlite3.Error) -> StorageError:
    """One line on what went wrong with the database and what to do about it."""
    text = str(error).lower()
    advice = next((a for key, a in _ADVICE.items() if key in text), f"SQLite says: {error}")
    folder = Path(path).parent
    if ("unable to open" in text or "readonly" in text) and not os.access(folder, os.W_OK):
        # SQLite needs to write beside the file (its WAL and shared-memory files).
        advice = "its folder is read-only: give --db a file on a disk you can write"
    return StorageError(f"cannot use the database {path}: {advice}.")
