"""The PostgreSQL backend (asyncpg): one database that several processes, on several
machines, share (shards of one bot, `factbot chat`, imports).

- A small pool serves the process's reads and writes; a transaction keeps its connection
  for the task that opened it (a context variable), so reads inside it see its writes.
- Writes that change facts, sources or settings take one advisory lock until they commit
  (the triggers take it too): compare-and-set needs no other writer between its read and
  its write, and the change feed's numbers then follow the commit order, so a reader
  that has seen change N has seen every change before it.
- The triggers announce each commit with NOTIFY; a listening connection hears it, and
  :meth:`PostgresDatabase.wait_for_news` returns at once, so a running bot takes in
  another process's change within milliseconds.

The tables live in the connection's schema (``search_path``), so several bots can share one
PostgreSQL database, each in a schema of its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from functools import lru_cache
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from bot.errors import StorageError
from bot.store.backend import Row
from bot.store.schema import POSTGRES_SCHEMA, POSTGRES_SCHEMA_VERSION, POSTGRES_UPGRADES

log = logging.getLogger(__name__)

CHANNEL = "factbot_changes"
WRITE_LOCK = 0x46414354
"""The advisory lock every change-producing write holds until it commits ("FACT")."""

_in_transaction: ContextVar[asyncpg.Connection | None] = ContextVar(
    "factbot_pg_transaction", default=None
)


class PostgresDatabase:
    def __init__(self, pool: asyncpg.Pool, listener: asyncpg.Connection, url: str) -> None:
        self._pool = pool
        self._listener = listener
        self._url = url
        self._news = asyncio.Event()
        self.where = shown(url)

    @classmethod
    async def open(cls, url: str) -> PostgresDatabase:
        """Connect, create or check the tables (refusing a newer FactBot's, or another
        program's), and start listening for other processes' changes."""
        where = shown(url)
        with _reported(where, ValueError):  # ValueError: a URL asyncpg cannot read
            pool = await asyncpg.create_pool(url, min_size=1, max_size=4)
        try:
            with _reported(where):
                async with pool.acquire() as connection, connection.transaction():
                    await connection.execute("SELECT pg_advisory_xact_lock($1)", WRITE_LOCK)
                    await _migrate(connection, where)
                listener = await asyncpg.connect(url)
        except BaseException:
            await pool.close()
            raise
        database = cls(pool, listener, url)
        await listener.add_listener(CHANNEL, database._hear)
        return database

    def _hear(self, *_: object) -> None:
        self._news.set()

    async def close(self) -> None:
        if not self._listener.is_closed():
            await self._listener.close()
        await self._pool.close()

    def _connection(self) -> asyncpg.Connection | asyncpg.Pool:
        """The task's transaction's connection, or the pool (a statement of its own)."""
        connection = _in_transaction.get()
        return self._pool if connection is None else connection

    async def fetch(self, sql: str, args: Sequence[object] = ()) -> list[Row]:
        with _reported(self.where):
            return list(await self._connection().fetch(numbered(sql), *args))

    async def fetchone(self, sql: str, args: Sequence[object] = ()) -> Row | None:
        rows = await self.fetch(sql, args)
        return rows[0] if rows else None

    async def execute(self, sql: str, args: Sequence[object] = ()) -> int:
        with _reported(self.where):
            status = await self._connection().execute(numbered(sql), *args)
        # "INSERT 0 1", "UPDATE 3", "DELETE 0": the count is the last word.
        last = status.rsplit(" ", 1)[-1]
        return int(last) if last.isdigit() else 0

    async def executemany(self, sql: str, rows: Iterable[Sequence[object]]) -> None:
        if rows := list(rows):
            with _reported(self.where):
                await self._connection().executemany(numbered(sql), rows)

    @asynccontextmanager
    async def transaction(self, *, exclusive: bool = True) -> AsyncIterator[None]:
        with _reported(self.where):
            async with self._pool.acquire() as connection, connection.transaction():
                if exclusive:
                    await connection.execute("SELECT pg_advisory_xact_lock($1)", WRITE_LOCK)
                token = _in_transaction.set(connection)
                try:
                    yield
                finally:
                    _in_transaction.reset(token)

    async def data_version(self) -> int:
        # The feed's newest number: one index lookup, and never behind a commit that has
        # returned (a notification may still be on its way).
        row = await self.fetchone("SELECT coalesce(max(seq), 0) FROM changes")
        return int(row[0]) if row else 0

    async def wait_for_news(self, at_most: float) -> None:
        if self._listener.is_closed():
            # The connection dropped (a server restart): listen again. What was announced
            # meanwhile went unheard, so look now.
            with _reported(self.where):
                self._listener = await asyncpg.connect(self._url)
                await self._listener.add_listener(CHANNEL, self._hear)
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._news.wait(), at_most)
        self._news.clear()


async def _migrate(connection: asyncpg.Connection, where: str) -> None:
    """Create the tables in an empty schema, or upgrade an earlier FactBot's; refuse a
    schema that holds another program's tables or a newer FactBot's."""
    if await connection.fetchval("SELECT to_regclass('meta') IS NULL"):
        clash = await connection.fetchval(
            "SELECT to_regclass('facts') IS NOT NULL OR to_regclass('sources') IS NOT NULL"
        )
        if clash:
            raise _not_ours(where)
        log.info("creating FactBot's tables in %s", where)
        await connection.execute(POSTGRES_SCHEMA)
        await connection.execute("INSERT INTO meta (key, value) VALUES ('schema', '1')")
    version = await connection.fetchval("SELECT value FROM meta WHERE key = 'schema'")
    if version is None:
        raise _not_ours(where)
    if int(version) > POSTGRES_SCHEMA_VERSION:
        raise StorageError(
            f"{where} was written by a newer FactBot (schema {version}; this one knows "
            f"{POSTGRES_SCHEMA_VERSION}): upgrade FactBot to use it."
        )
    # Run under the caller's transaction and write lock: one process upgrades, the
    # others wait and then find the upgrade done.
    for number in range(int(version) + 1, POSTGRES_SCHEMA_VERSION + 1):
        log.info("upgrading %s to schema %d", where, number)
        await connection.execute(POSTGRES_UPGRADES[number])
        await connection.execute("UPDATE meta SET value = $1 WHERE key = 'schema'", str(number))


def _not_ours(where: str) -> StorageError:
    return StorageError(
        f"{where} holds another program's tables: give FactBot a database or schema of its own."
    )


@lru_cache(maxsize=256)
def numbered(sql: str) -> str:
    """``?`` placeholders as PostgreSQL's ``$1, $2, …`` (the store's SQL has no ``?``
    inside string literals)."""
    parts = sql.split("?")
    return "".join(
        part + (f"${i}" if i < len(parts) else "") for i, part in enumerate(parts, start=1)
    )


def shown(url: str) -> str:
    """The URL without its password: it goes into messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[-1]
    user = f"{parts.username}@" if parts.username else ""
    return urlunsplit(parts._replace(netloc=user + netloc))


def _advice(error: BaseException) -> str:
    match error:
        case asyncpg.InvalidPasswordError() | asyncpg.InvalidAuthorizationSpecificationError():
            return "the server refused the user or password: check FACTBOT_DB"
        case asyncpg.InvalidCatalogNameError():
            return "there is no such database on the server: create it (createdb) first"
        case asyncpg.InvalidSchemaNameError():
            return "the URL's search_path names no schema there: create it (CREATE SCHEMA) first"
        case asyncpg.DiskFullError():
            return "the server's disk is full: free some space and try again"
        case asyncpg.ReadOnlySQLTransactionError():
            return "the server is read-only (a standby?): point FACTBOT_DB at the primary"
        case asyncpg.InsufficientPrivilegeError():
            return f"the user may not do this: {error}"
        case ConnectionRefusedError() | TimeoutError():
            return "the server does not answer: is PostgreSQL running there?"
        case OSError() | asyncpg.InterfaceError() | asyncpg.PostgresConnectionError():
            return f"the connection failed ({error}): is PostgreSQL running there?"
        case ValueError():
            return f"the URL is not one PostgreSQL understands ({error})"
    return f"PostgreSQL says: {error}"


_FAULTS = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError)
"""What asyncpg raises when the server or the connection fails a statement."""


@contextmanager
def _reported(where: str, *also: type[Exception]) -> Iterator[None]:
    """A fault of the database as one :class:`StorageError` line."""
    try:
        yield
    except (*_FAULTS, *also) as error:
        raise storage_error(where, error) from None


def storage_error(where: str, error: BaseException) -> StorageError:
    """One line on what went wrong with the database and what to do about it."""
    advice = _advice(error)
    return StorageError(
        f"cannot use the database {where}: {advice}{'' if advice.endswith('?') else '.'}"
    )
