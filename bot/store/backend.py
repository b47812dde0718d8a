"""What the store needs of a database, whichever it is: SQLite (one machine) or PostgreSQL
(several). The store writes its SQL once, with ``?`` placeholders; each backend runs it.

Inside ``async with database.transaction():`` every call of that task runs in the
transaction (reads included), and all of it is stored or none. Writes that produce
changes are serialized across processes, so the change feed's order is the commit order.
Every fault of the database comes out as one :class:`~bot.errors.StorageError` line.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any, Protocol

Row = Any
"""A result row: ``row["column"]`` and ``row[0]`` both work (aiosqlite.Row, asyncpg.Record)."""

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(location: Path | str) -> bool:
    return isinstance(location, str) and location.startswith(POSTGRES_SCHEMES)


class Database(Protocol):
    where: str
    """How messages name it: a file path, or a PostgreSQL URL without its password."""

    async def fetch(self, sql: str, args: Sequence[object] = ()) -> list[Row]: ...

    async def fetchone(self, sql: str, args: Sequence[object] = ()) -> Row | None: ...

    async def execute(self, sql: str, args: Sequence[object] = ()) -> int:
        """Run one statement; the number of rows it changed. Outside a transaction it is
        committed on its own."""
        ...

    async def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None: ...

    def transaction(self, *, exclusive: bool = True) -> AbstractAsyncContextManager[None]:
        """Statements that commit together. ``exclusive``: no other process writes
        between its reads and its writes (compare-and-set, the change feed's order); a
        write that needs neither (the question log) leaves it out, not to queue behind
        every shard's fact writes."""
        ...

    async def data_version(self) -> int:
        """A number that changes when another process commits a change: a cheap "anything
        new?" before reading the change feed."""
        ...

    async def wait_for_news(self, at_most: float) -> None:
        """Return when another process may have written something, or after ``at_most``
        seconds, whichever is first."""
        ...

    async def close(self) -> None: ...


async def open_database(location: Path | str) -> Database:
    """The database at ``location``: a ``postgresql://`` URL or a SQLite file path."""
    if is_postgres(location):
        from bot.store.postgres import PostgresDatabase  # asyncpg only when it is used

        return await PostgresDatabase.open(str(location))
    from bot.store.sqlite import SQLiteDatabase

    return await SQLiteDatabase.open(location)
