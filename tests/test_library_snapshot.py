"""A large library is kept in the cache folder when the engine closes and taken back at the
next start, unless the database it was read from is no longer where the snapshot left it."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from bot import library_snapshot
from bot.engine import Engine
from bot.store import Store
from bot.store.sqlite import copy_database

GUILD = 5
HANDBOOK = "Bikes go in the rack by the door. Lunch is at noon. Visitors park behind the annex."
FACTS = {
    "bike-rack": ("where do bikes go", "Bikes go in the rack by the door.", "handbook:s1"),
    "lunch": ("when is lunch", "Lunch is at noon.", "handbook:s2"),
    "visitor-parking": ("where do visitors park", "Behind the annex.", "handbook:s3"),
}


@pytest.fixture(autouse=True)
def small_libraries_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped pack's 25 facts are far below the size worth keeping."""
    monkeypatch.setattr(library_snapshot, "KEEP_FROM", 1)


@pytest.fixture
def full_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry per start that read every fact row from the store."""
    reads: list[int] = []
    read = Store.facts

    async def counted(self: Store, guild_id: int | None = None) -> list:  # type: ignore[type-arg]
        if guild_id is None:
            reads.append(1)
        return await read(self, guild_id)

    monkeypatch.setattr(Store, "facts", counted)
    return reads


async def _with_engine(db: Path, cache: Path, *fact_ids: str, source: bool = False) -> None:
    """A process that writes to the database and ends."""
    async with await Engine.open(db, cache_dir=cache, shipped_pack=False) as engine:
        if source:
            await engine.curator.add_source(GUILD, title="Handbook", text=HANDBOOK, actor="t")
        for fact_id in fact_ids:
            question, answer, cite = FACTS[fact_id]
            await engine.curator.add_fact(
                GUILD, question=question, answer=answer, cite=cite, actor="t", fact_id=fact_id
            )


async def _visible(db: Path, cache: Path) -> list[str]:
    async with await Engine.open(db, cache_dir=cache, shipped_pack=False) as engine:
        return [f.id for f in engine.library.visible(GUILD)]


async def test_the_next_start_takes_the_snapshot_and_what_was_written_after_it(
    tmp_path: Path, full_reads: list[int]
) -> None:
    db, cache = tmp_path / "factbot.sqlite3", tmp_path / "cache"
    await _with_engine(db, cache, "bike-rack", source=True)
    assert full_reads == [1]
    # Another process, with a cache folder of its own, writes after the snapshot.
    await _with_engine(db, tmp_path / "elsewhere", "lunch")

    assert await _visible(db, cache) == ["bike-rack", "lunch"]
    assert full_reads == [1, 1]  # the other process's start; ours took the snapshot


async def test_a_change_taken_in_while_the_engine_closes_is_kept(tmp_path: Path) -> None:
    """Closing, the engine takes in what another process wrote before it keeps its
    library, after its matchers have stopped: nothing is learned or encoded for it then."""
    db, cache = tmp_path / "factbot.sqlite3", tmp_path / "cache"
    engine = await Engine.open(db, cache_dir=cache, shipped_pack=False)
    try:
        await engine.curator.add_source(GUILD, title="Handbook", text=HANDBOOK, actor="t")
        question, answer, cite = FACTS["bike-rack"]
        await engine.curator.add_fact(
            GUILD, question=question, answer=answer, cite=cite, actor="t", fact_id="bike-rack"
        )
        await engine.ready(GUILD)  # the server's own matcher, which new phrasings go to
        await _with_engine(db, tmp_path / "elsewhere", "lunch")
    finally:
        await engine.close()

    assert await _visible(db, cache) == ["bike-rack", "lunch"]


async def test_too_many_changes_after_the_snapshot_read_every_row(
    tmp_path: Path, full_reads: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, cache = tmp_path / "factbot.sqlite3", tmp_path / "cache"
    await _with_engine(db, cache, "bike-rack", source=True)
    await _with_engine(db, tmp_path / "elsewhere", "lunch")
    monkeypatch.setattr(library_snapshot, "REREAD_AFTER", 0)

    assert await _visible(db, cache) == ["bike-rack", "lunch"]
    assert full_reads == [1, 1, 1]


@pytest.mark.parametrize(
    "put_back", [shutil.copyfile, copy_database], ids=["copied by hand", "factbot restore"]
)
async def test_a_database_put_back_from_a_backup_is_read_again(
    tmp_path: Path, full_reads: list[int], put_back: Callable[[Path, Path], object]
) -> None:
    """The snapshot holds a fact the database put back has never seen, at a change number
    it has reached again by other writes."""
    db, cache, backup = tmp_path / "factbot.sqlite3", tmp_path / "cache", tmp_path / "b.sqlite3"
    await _with_engine(db, tmp_path / "elsewhere", source=True)
    shutil.copyfile(db, backup)
    await _with_engine(db, cache, "bike-rack")
    kept_at = await _last_change(db)

    put_back(backup, db)
    await _with_engine(db, tmp_path / "elsewhere", "lunch")
    assert await _last_change(db) == kept_at

    reads = len(full_reads)
    assert await _visible(db, cache) == ["lunch"]
    assert len(full_reads) == reads + 1


async def test_a_damaged_snapshot_is_read_past(tmp_path: Path, full_reads: list[int]) -> None:
    db, cache = tmp_path / "factbot.sqlite3", tmp_path / "cache"
    await _with_engine(db, cache, "bike-rack", source=True)
    (kept,) = cache.glob(f"{library_snapshot.FORMAT}-*")
    kept.write_bytes(kept.read_bytes()[:100])

    assert await _visible(db, cache) == ["bike-rack"]
    assert full_reads == [1, 1]


async def test_a_copy_of_a_database_has_an_identity_of_its_own(tmp_path: Path) -> None:
    db, copy = tmp_path / "factbot.sqlite3", tmp_path / "copy.sqlite3"
    await _with_engine(db, tmp_path / "cache")
    copy_database(db, copy)
    identities = []
    for path in (db, db, copy):
        store = await Store.open(path)
        identities.append(await store.identity())
        await store.close()
    assert identities[0] == identities[1] != identities[2]


async def _last_change(db: Path) -> int:
    store = await Store.open(db)
    try:
        return await store.last_change()
    finally:
        await store.close()


async def test_facts_taken_from_the_snapshot_share_what_pydantic_keeps_per_model(
    tmp_path: Path,
) -> None:
    """Facts added by moderators (validated, each with its own set of the fields set) and
    kept in a snapshot come back sharing one such set: one each was over a third of a
    large library's memory."""
    db, cache = tmp_path / "factbot.sqlite3", tmp_path / "cache"
    await _with_engine(db, cache, *FACTS, source=True)
    async with await Engine.open(db, cache_dir=cache, shipped_pack=False) as engine:
        facts = engine.library.visible(GUILD)
        assert [f.id for f in facts] == sorted(FACTS)
        refs = [ref for fact in facts for ref in fact.cites]
        assert len({id(f.model_fields_set) for f in facts}) == 1
        assert len({id(r.model_fields_set) for r in refs}) == 1
        assert {"id", "answer", "questions", "cites"} <= facts[0].model_fields_set
