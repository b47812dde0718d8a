"""Several processes on one database: a change based on an old version is refused instead
of undoing another's work, and each process takes in the others' changes."""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.errors import BadInput, ChangedMeanwhile, FactNotFound
from bot.server_choices import ServerChoices
from tests.conftest import discord_settings, running_bot

GUILD = 7
WIFI = "The guest wifi password is on the card at reception."


async def _wifi_fact(engine: Engine) -> None:
    await engine.curator.add_source(GUILD, title="Office handbook", text=WIFI, actor="al")
    await engine.curator.add_fact(
        GUILD,
        question="what is the wifi password",
        answer=WIFI,
        cite="office-handbook:s1",
        actor="al",
        fact_id="wifi",
    )


@pytest.fixture
async def two_engines(database: Path | str) -> AsyncIterator[tuple[Engine, Engine]]:
    """Two engines on one database, each with its own connections: as two processes."""
    async with await Engine.open(database) as first, await Engine.open(database) as second:
        yield first, second


async def test_a_source_removed_in_one_process_is_not_cited_in_another(
    two_engines: tuple[Engine, Engine],
) -> None:
    """And removing one that a fact cites, which another process added and this one has
    not yet seen, is refused."""
    al, bea = two_engines
    await al.curator.add_source(GUILD, title="Office handbook", text=WIFI, actor="al")
    await bea.sync()
    await al.curator.add_fact(
        GUILD, question="what is the wifi password", answer=WIFI, cite="office-handbook:s1",
        actor="al", fact_id="wifi",
    )  # fmt: skip
    with pytest.raises(BadInput, match="is cited by `wifi`"):
        await bea.curator.remove_source(GUILD, "office-handbook", "bea")  # not seen the fact
    await al.curator.remove_fact(GUILD, "wifi", "al")
    await bea.curator.remove_source(GUILD, "office-handbook", "bea")
    await al.sync()
    assert "office-handbook" not in [s.id for s in al.sources(GUILD)]
    with pytest.raises(BadInput, match="which was removed"):
        await al.curator.restore_fact(GUILD, "wifi", "al")


async def test_a_fact_citing_a_source_another_process_removed_is_refused(
    two_engines: tuple[Engine, Engine],
) -> None:
    """The process adding the fact has not seen the removal: the store refuses it, and
    nothing is written."""
    al, bea = two_engines
    await al.curator.add_source(GUILD, title="Office handbook", text=WIFI, actor="al")
    await bea.sync()
    await al.curator.remove_source(GUILD, "office-handbook", "al")
    with pytest.raises(BadInput, match=r"`office-handbook` was removed meanwhile.*source restore"):
        await bea.curator.add_fact(
            GUILD, question="what is the wifi password", answer=WIFI,
            cite="office-handbook:s1", actor="bea", fact_id="wifi",
        )  # fmt: skip
    assert "office-handbook" not in [s.id for s in bea.sources(GUILD)]  # bea knows now
    await al.sync()
    assert al.library.visible_fact(GUILD, "wifi") is None
    assert await al.store.fact(GUILD, "wifi") is None


async def test_an_edit_based_on_a_removed_fact_is_refused(
    two_engines: tuple[Engine, Engine],
) -> None:
    al, bea = two_engines
    await _wifi_fact(al)
    await bea.sync()
    await bea.curator.remove_fact(GUILD, "wifi", "bea")

    with pytest.raises(ChangedMeanwhile) as refused:
        await al.curator.edit_fact(GUILD, "wifi", actor="al", answer="Ask at reception.")
    assert str(refused.value) == (
        "`wifi` was changed meanwhile, so I saved nothing; it is removed now "
        "(`fact restore` brings it back). Try again."
    )
    assert [e.action for e in await al.store.history(GUILD, "wifi")] == ["add", "remove"]
    # The refusal told al's process what is current: trying again finds no such fact.
    with pytest.raises(FactNotFound):
        await al.curator.edit_fact(GUILD, "wifi", actor="al", answer="Ask at reception.")


async def test_a_revert_based_on_an_old_version_is_refused(
    two_engines: tuple[Engine, Engine],
) -> None:
    """Reverting "the latest change" means the latest one stored: a process that has not
    seen another's edit cannot undo the wrong change."""
    al, bea = two_engines
    await _wifi_fact(al)
    await al.curator.edit_fact(GUILD, "wifi", actor="al", answer="Ask at reception.")
    await bea.sync()
    await bea.curator.edit_fact(GUILD, "wifi", actor="bea", answer="It is printed on a card.")

    with pytest.raises(ChangedMeanwhile, match="it now says: It is printed on a card"):
        await al.curator.revert_fact(GUILD, "wifi", "al")
    fact, to = await al.curator.revert_fact(GUILD, "wifi", "al")  # now based on bea's edit
    assert (to, fact.answer) == (2, "Ask at reception.")
    assert [e.action for e in await bea.store.history(GUILD, "wifi")] == [
        "add", "edit", "edit", "revert",
    ]  # fmt: skip


async def test_of_two_edits_from_one_version_the_second_is_refused(
    two_engines: tuple[Engine, Engine],
) -> None:
    al, bea = two_engines
    await _wifi_fact(al)
    await bea.sync()
    await bea.curator.edit_fact(GUILD, "wifi", actor="bea", answer="It is printed at reception.")
    with pytest.raises(ChangedMeanwhile, match="it now says: It is printed at reception"):
        await al.curator.edit_fact(GUILD, "wifi", actor="al", answer="Ask the front desk.")
    # Based on the current version now, al's edit goes through, and the history is a chain.
    await al.curator.edit_fact(GUILD, "wifi", actor="al", answer="Ask the front desk.")
    history = await al.store.history(GUILD, "wifi")
    assert [e.action for e in history] == ["add", "edit", "edit"]
    assert all(old.after == new.before for old, new in itertools.pairwise(history))


async def test_a_second_add_of_the_same_id_is_refused(two_engines: tuple[Engine, Engine]) -> None:
    al, bea = two_engines
    await _wifi_fact(al)
    await bea.curator.add_source(GUILD, title="Notes", text="Ask at the desk.", actor="bea")
    with pytest.raises(ChangedMeanwhile, match=f"it now says: {WIFI}"):
        await bea.curator.add_fact(
            GUILD, question="wifi?", answer="Ask.", cite="notes:s1", actor="bea", fact_id="wifi"
        )
    assert [e.action for e in await al.store.history(GUILD, "wifi")] == ["add"]


async def test_a_source_added_meanwhile_under_the_same_title_keeps_its_id(
    two_engines: tuple[Engine, Engine],
) -> None:
    al, bea = two_engines
    await _wifi_fact(al)
    theirs = await bea.curator.add_source(
        GUILD, title="Office handbook", text="Lunch is at one.", actor="bea"
    )
    assert theirs.id == "office-handbook-2"
    await bea.sync()
    assert bea.library.source("office-handbook").sentences[0].text == WIFI  # not overwritten


async def test_a_process_takes_in_the_changes_of_another(
    two_engines: tuple[Engine, Engine],
) -> None:
    al, bea = two_engines
    assert not bea.ask("what is the wifi password", GUILD).answered
    await _wifi_fact(al)
    await al.curator.mark_out_of_scope(GUILD, "what is for lunch today", "al")

    assert await bea.sync() > 0
    await bea.ready(GUILD)
    answer = bea.ask("what is the wifi password?", GUILD)
    assert answer.answered
    assert answer.answer == WIFI
    assert bea.library.out_of_scope(GUILD) == ["what is for lunch today"]
    assert await bea.sync() == 0  # nothing new since

    await al.curator.remove_fact(GUILD, "wifi", "al")
    await al.curator.switch_shipped_pack(GUILD, False, "al")
    await bea.sync()
    await bea.ready(GUILD)
    assert not bea.ask("what is the wifi password?", GUILD).answered
    assert not bea.library.sees_shipped(GUILD)


async def test_a_process_does_not_take_in_its_own_changes_twice(engine: Engine) -> None:
    await _wifi_fact(engine)
    assert await engine.sync() == 0


# -- two real processes --------------------------------------------------------------------


class _Chat:
    """`factbot chat` running in a process of its own, talked to line by line."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process

    async def say(self, line: str) -> str:
        """The first line of the bot's reply."""
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(line.encode() + b"\n")
        await self.process.stdin.drain()
        while True:
            out = await asyncio.wait_for(self.process.stdout.readline(), timeout=120)
            assert out, "the chat process ended"
            if b"bot> " in out:
                return out.decode().split("bot> ", 1)[1].strip()


async def _start_chat(database: Path | str, tmp_path: Path) -> _Chat:
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    env |= {"FACTBOT_DB": str(database), "PYTHONUNBUFFERED": "1"}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        *("-m", "bot", "chat", "--guild", str(GUILD)),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        cwd=tmp_path,
        env=env,
    )
    return _Chat(process)


async def test_a_fact_added_by_one_process_answers_in_another(
    tmp_path: Path, database: Path | str
) -> None:
    """`factbot chat` keeps running while `factbot import` (another process) adds a fact,
    and while a second `factbot chat` removes it."""
    chat = await _start_chat(database, tmp_path)
    try:
        assert "I don't know" in await chat.say("what is the wifi password")
        faq = tmp_path / "faq.csv"
        faq.write_text(f'fact_id,question,answer\nwifi,what is the wifi password,"{WIFI}"\n')
        imported = await asyncio.create_subprocess_exec(
            *(sys.executable, "-m", "bot", "import", str(faq), "--guild", str(GUILD)),
            cwd=tmp_path,
            env={**os.environ, "FACTBOT_DB": str(database)},
            stdout=asyncio.subprocess.DEVNULL,
        )
        assert await imported.wait() == 0

        assert await chat.say("what is the wifi password?") == WIFI

        other = await _start_chat(database, tmp_path)
        try:
            assert (await other.say("!fact remove id: wifi")).startswith("Removed `wifi`")
        finally:
            assert other.process.stdin is not None
            other.process.stdin.close()
            await other.process.wait()
        assert "I don't know" in await chat.say("what is the wifi password?")
    finally:
        assert chat.process.stdin is not None
        chat.process.stdin.close()
        await asyncio.wait_for(chat.process.wait(), timeout=60)


async def test_the_running_bot_follows_a_change_made_by_another_process(
    database: Path | str,
) -> None:
    """The Discord bot watches the database: a fact `factbot import` (here, a second
    engine) adds in its server answers there without a restart, and stops when removed."""
    async with running_bot(discord_settings(database)) as discord_bot:
        guild = discord_bot.guilds[0].id

        async def asked() -> str:
            (reply,) = await discord_bot.say("!ask what is the wifi password?")
            return reply.text

        async def until(predicate: Callable[[str], bool]) -> str:
            for _ in range(100):  # the bot looks twice a second; give it ample time
                if predicate(text := await asked()):
                    return text
                await asyncio.sleep(0.1)
            return text

        async with await Engine.open(database, answering=False) as other:
            await other.curator.add_source(guild, title="Office handbook", text=WIFI, actor="al")
            await other.curator.add_fact(
                guild, question="what is the wifi password", answer=WIFI, cite=WIFI, actor="al"
            )
            assert WIFI in await until(lambda text: WIFI in text)
            await other.curator.remove_fact(guild, "what-is-the-wifi-password", "al")
            assert WIFI not in await until(lambda text: WIFI not in text)


@pytest.mark.parametrize("kind", ["answer_channels", "moderator_roles"])
async def test_a_servers_choice_made_in_one_process_holds_in_the_other(
    two_engines: tuple[Engine, Engine], database: Path | str, kind: str
) -> None:
    """Two shards of one bot: a moderator's `answers on` (or an admin's `moderators add`)
    in one holds in both, and after a restart."""
    al, bea = two_engines

    def chosen(engine: Engine) -> ServerChoices:
        return getattr(engine, kind)  # type: ignore[no-any-return]

    assert await chosen(al).switch(GUILD, 42, True, "al")
    assert not await chosen(al).switch(GUILD, 42, True, "al")  # already so
    assert await bea.sync() == 1
    assert chosen(bea).of(GUILD) == {42}
    async with await Engine.open(database) as restarted:
        assert chosen(restarted).of(GUILD) == {42}
    assert await chosen(bea).switch(GUILD, 42, False, "bea")
    await al.sync()
    assert chosen(al).of(GUILD) == frozenset()
    assert chosen(al).of(GUILD + 1) == frozenset()
