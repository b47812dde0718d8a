"""What only the PostgreSQL backend does: it hears other processes' commits at once, keeps
to its own schema, and says in one line (without the password) what is wrong with a URL.
The store and engine tests run on it too (the `database` fixture)."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import asyncpg
import pytest

from bot.engine import Engine
from bot.errors import StorageError
from bot.store import FactStats, Store
from bot.store.schema import POSTGRES_SCHEMA, POSTGRES_SCHEMA_VERSION
from tests.conftest import CommandRunner


async def test_a_commit_is_announced_to_the_other_processes(postgres: str) -> None:
    async with (
        await Engine.open(postgres, answering=False) as al,
        await Engine.open(postgres, answering=False) as bea,
    ):
        await bea.sync()
        # Far longer than a notification takes: returning early is the announcement.
        waiting = asyncio.create_task(bea.store.wait_for_news(at_most=60))
        await asyncio.sleep(0.1)
        await al.curator.mark_out_of_scope(7, "what is for lunch", "al")
        await asyncio.wait_for(waiting, timeout=20)
        assert await bea.sync() == 1
        assert bea.library.out_of_scope(7) == ["what is for lunch"]


async def _execute(url: str, sql: str) -> None:
    """One statement behind FactBot's back, as another program (or a newer FactBot)."""
    connection = await asyncpg.connect(url)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


async def test_another_programs_tables_are_left_alone(postgres: str) -> None:
    await _execute(postgres, "CREATE TABLE facts (id INTEGER)")
    with pytest.raises(StorageError, match="another program's tables"):
        await Store.open(postgres)


async def test_a_newer_factbots_schema_is_refused(postgres: str) -> None:
    await (await Store.open(postgres)).close()
    await _execute(postgres, "UPDATE meta SET value = '99' WHERE key = 'schema'")
    with pytest.raises(StorageError, match="newer FactBot"):
        await Store.open(postgres)


def _with_password(url: str, password: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return parts._replace(netloc=f"{parts.username or 'factbot'}:{password}@{host}").geturl()


def test_a_wrong_password_gets_one_line_without_it(postgres: str, factbot: CommandRunner) -> None:
    done = factbot("ask", "--db", _with_password(postgres, "not-the-s3cret"), "hi")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "refused the user or password" in done.stderr
    assert "not-the-s3cret" not in done.stderr


def test_no_server_there_gets_one_line(factbot: CommandRunner) -> None:
    done = factbot("ask", "--db", "postgresql://bot:s3cret@127.0.0.1:9/factbot", "hi")
    assert done.returncode == 2
    assert done.stderr.startswith("factbot: cannot use the database postgresql://bot@127.0.0.1:9")
    assert "is PostgreSQL running there?" in done.stderr
    assert "s3cret" not in done.stderr


def test_backup_points_to_pg_dump(postgres: str, factbot: CommandRunner) -> None:
    done = factbot("backup", "--db", postgres, "backup.sqlite3")
    assert done.returncode == 2
    assert "pg_dump" in done.stderr


def test_a_schema_that_does_not_exist_gets_one_line(postgres: str, factbot: CommandRunner) -> None:
    missing = postgres.replace("search_path=", "search_path=no_such_")
    done = factbot("ask", "--db", missing, "hi")
    assert done.returncode == 2
    assert "names no schema there: create it (CREATE SCHEMA) first" in done.stderr


async def test_an_earlier_factbots_schema_is_upgraded_in_place(postgres: str) -> None:
    """Schema 1 (before answer channels): opened, it gains what is new, keeps its rows."""
    await _execute(postgres, POSTGRES_SCHEMA)
    await _execute(postgres, "INSERT INTO meta (key, value) VALUES ('schema', '1')")
    await _execute(
        postgres,
        "INSERT INTO guild_settings (guild_id, shipped_pack, updated_by, updated_at)"
        " VALUES (7, 0, 'al', '2026-01-01')",
    )
    await _execute(
        postgres,
        "INSERT INTO questions (guild_id, question, fact_id, answered, confidence, reply_id,"
        " asked_at) VALUES (7, 'pay?', 'pay', 1, 90, 9, '2026-01-01');"
        " INSERT INTO feedback (reply_id, user_id, vote, at) VALUES (9, 3, -1, '2026-01-01')",
    )
    store = await Store.open(postgres)
    try:
        assert await store.shipped_pack_off() == {7}
        assert await store.fact_stats(7, "pay") == FactStats(asked=1, helpful=0, unhelpful=1)
        assert await store.choose("answer_channels", 7, 42, True, "al")
        assert await store.chosen("answer_channels") == {7: {42}}
    finally:
        await store.close()
    connection = await asyncpg.connect(postgres)
    try:
        version = await connection.fetchval("SELECT value FROM meta WHERE key = 'schema'")
        assert version == str(POSTGRES_SCHEMA_VERSION)
    finally:
        await connection.close()


async def test_logging_a_question_does_not_queue_behind_the_write_lock(postgres: str) -> None:
    """An import in one shard holds the write lock; another shard's answers are still
    logged meanwhile (the log is no fact and no change-feed entry)."""
    importing, answering = await Store.open(postgres), await Store.open(postgres)
    held, done = asyncio.Event(), asyncio.Event()

    async def hold_the_lock() -> None:
        async with importing._db.transaction():
            held.set()
            await done.wait()

    holder = asyncio.create_task(hold_the_lock())
    try:
        await held.wait()
        logged = answering.log_question(
            guild_id=1,
            channel_id=2,
            question="pay?",
            fact_id="pay",
            answered=True,
            confidence=90.0,
            reply_id=3,
        )
        await asyncio.wait_for(logged, timeout=30)  # waiting for the lock would never end
    finally:
        done.set()
        await holder
        await importing.close()
        await answering.close()
    store = await Store.open(postgres)
    try:
        assert await store.count("questions") == 1
    finally:
        await store.close()
