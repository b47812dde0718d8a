"""Moderators curate facts from Discord; nothing they do is lost or leaks across guilds."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest.mock import AsyncMock, MagicMock
from urllib.parse import urlparse
from urllib.request import url2pathname

import discord
import discord.ext.test as dpytest
import pytest
from discord.ext import commands

from bot import engine as engine_module
from bot.answering import Explanation
from bot.models import GLOBAL
from tests.conftest import DiscordHarness

if TYPE_CHECKING:
    from bot.discord_bot import FactBot

S7 = "Notably, OpenAI had previously opted to diversify its vendor partnerships away from Scale AI"


async def _ask(bot: DiscordHarness, question: str, guild: int = 0) -> str:
    (reply,) = await bot.say(f"!ask {question}", guild=guild)
    return reply.text


async def _mod(bot: DiscordHarness, command: str, guild: int = 0) -> str:
    replies = await bot.say(command, guild=guild, role="moderator")
    assert len(replies) == 1, [r.text for r in replies]
    return replies[0].text


async def test_add_alias_edit_remove_restore_round_trip(discord_bot: DiscordHarness) -> None:
    """Each change reaches answers at once, without a restart."""
    bot = discord_bot
    opening = await _ask(bot, "what did openai's cfo say about scale?")
    assert opening.startswith("OpenAI had already")

    added = await _mod(
        bot,
        "!fact add question: does the article name openai's cfo? "
        "answer: No, the article does not name OpenAI's CFO. cite: s7 id: openai-cfo-name",
    )
    assert added == (
        "Added `openai-cfo-name` citing scale-meta-article:s7: "
        "No, the article does not name OpenAI's CFO."
    )
    assert "does not name OpenAI's CFO" in await _ask(bot, "does the article name openai's cfo")
    assert S7 in await _ask(bot, "does the article name openai's cfo")

    await _mod(bot, "!fact alias id: openai-cfo-name question: who is the finance chief at openai")
    assert "does not name" in await _ask(bot, "who is the finance chief at openai?")

    edited = await _mod(
        bot, "!fact edit id: openai-cfo-name answer: The article leaves OpenAI's CFO unnamed."
    )
    assert edited == "Updated `openai-cfo-name`: The article leaves OpenAI's CFO unnamed."
    assert "leaves OpenAI's CFO unnamed" in await _ask(bot, "who is the finance chief at openai?")

    removed = await _mod(bot, "!fact remove id: openai-cfo-name")
    assert removed.startswith("Removed `openai-cfo-name`.")
    assert "unnamed" not in await _ask(bot, "who is the finance chief at openai?")

    await _mod(bot, "!fact restore id: openai-cfo-name")
    assert "unnamed" in await _ask(bot, "who is the finance chief at openai?")


async def test_history_records_who_did_what(discord_bot: DiscordHarness) -> None:
    bot = discord_bot
    await _mod(bot, "!fact edit id: read-more answer: Follow TechCrunch for updates.")
    await _mod(bot, "!fact remove id: read-more")
    await _mod(bot, "!fact restore id: read-more")
    history = await _mod(bot, "!fact history id: read-more")
    lines = history.splitlines()
    assert lines[0] == "History of `read-more`:"
    assert lines[1].startswith("#1 ")
    assert "**seed** by knowledge base" in lines[1]
    assert lines[2].startswith("#2 ")
    assert "**edit** by moderator" in lines[2]
    assert 'answer: "The article points readers to TechCrunch' in lines[2]
    assert '"Follow TechCrunch for updates."' in lines[2]
    assert "**remove** by moderator" in lines[3]
    assert "**restore** by moderator" in lines[4]


async def test_revert_undoes_a_change_and_is_undone_in_turn(
    discord_bot: DiscordHarness,
) -> None:
    """`fact revert` puts a fact back as it was before its latest change, or after change
    #N of its history; a revert is a change of its own, so nothing is lost either way."""
    bot = discord_bot
    assert await _mod(bot, "!fact revert id: read-more") == (
        "`read-more` has not changed since it was added."
    )
    await _mod(bot, "!fact edit id: read-more answer: Follow TechCrunch for updates.")
    await _mod(bot, "!fact alias id: read-more question: where is the follow-up coverage")
    assert await _mod(bot, "!fact revert id: read-more") == (
        "`read-more` is as it was after change #2: Follow TechCrunch for updates."
    )
    assert "where is the follow-up coverage" not in await _mod(bot, "!fact show id: read-more")
    assert await _mod(bot, "!fact revert id: read-more to: #1") == (
        "`read-more` is as it was after change #1: The article points readers to TechCrunch"
        " for ongoing updates on AI investment and partnerships."
    )
    assert "Follow TechCrunch" not in await _ask(bot, "where can I read more")
    assert await _mod(bot, "!fact revert id: read-more to: 3") == (
        "`read-more` is as it was after change #3: Follow TechCrunch for updates."
    )
    assert "Follow TechCrunch for updates." in await _ask(bot, "where is the follow-up coverage")
    history = (await _mod(bot, "!fact history id: read-more")).splitlines()
    assert [line.split()[0] for line in history[1:-1]] == ["#1", "#2", "#3", "#4", "#5", "#6"]
    assert history[-1] == "Go back with `!fact revert id: read-more to: N`."
    assert "**revert** by moderator" in history[6]
    assert await _mod(bot, "!fact revert id: read-more to: 9") == (
        "`read-more` has changes #1 to #6: `fact history id: read-more` lists them."
    )
    assert await _mod(bot, "!fact revert id: read-more to: latest") == (
        "`to:` is a change's number in `fact history`, like `to: 3`."
    )
    await _mod(bot, "!fact remove id: read-more")
    assert await _mod(bot, "!fact revert id: read-more") == (
        "`read-more` is as it was after change #6: Follow TechCrunch for updates."
    )
    assert await _mod(bot, "!fact revert id: read-more to: 7") == (
        "`read-more` is as it was after change #7: removed. "
        "Bring it back with `!fact restore id: read-more`."
    )


async def test_revert_keeps_words_with_the_fact_that_has_them(
    discord_bot: DiscordHarness,
) -> None:
    """Going back to a phrasing another fact has taken since is refused; one marked out of
    scope since is answered again."""
    bot = discord_bot
    await _mod(bot, "!fact alias id: read-more question: where is the follow-up coverage")
    await _mod(bot, "!fact unalias id: read-more question: where is the follow-up coverage")
    await _mod(bot, "!fact alias id: meta-investment question: where is the follow-up coverage")
    assert await _mod(bot, "!fact revert id: read-more") == (
        "`meta-investment` answers “where is the follow-up coverage” now, a phrasing of "
        "`read-more`: take it off there first (`fact unalias id: meta-investment question: …`)."
    )
    await _mod(bot, "!fact unalias id: meta-investment question: where is the follow-up coverage")
    await _mod(bot, "!fact ignore question: where is the follow-up coverage")
    await _mod(bot, "!fact revert id: read-more")
    assert "where is the follow-up coverage" in await _mod(bot, "!fact show id: read-more")
    assert await _mod(bot, "!fact unignore question: where is the follow-up coverage") == (
        "That question is not marked out of scope."
    )


async def test_a_phrasing_copied_with_a_mention_in_it_names_no_one(
    discord_bot: DiscordHarness,
) -> None:
    """A moderator copies a member's "@FactBot where…" or "@everyone where…": the mention is
    not part of the question, nor of the fact's id."""
    bot = discord_bot
    await _mod(bot, "!source add title: Office text: Staff park in lot B.")
    added = await _mod(
        bot, "!fact add question: <@123> where do staff park? answer: Lot B. cite: office:s1"
    )
    assert added.startswith("Added `where-do-staff-park` citing office:s1")
    aliased = await _mod(bot, "!fact alias id: where-do-staff-park question: @everyone parking?")
    assert aliased == "`where-do-staff-park` now also answers “parking?”."
    shown = await _mod(bot, "!fact show id: where-do-staff-park")
    assert "where do staff park?" in shown
    assert "parking?" in shown
    assert "<@123>" not in shown
    assert "@everyone" not in shown


async def test_a_sentence_may_end_in_a_single_letter(discord_bot: DiscordHarness) -> None:
    """ "lot B." ends a sentence, so a fact about parking cites parking alone; "J. Smith" is
    a name."""
    registered = await _mod(
        discord_bot,
        "!source add title: Office text: Staff park in lot B. The wifi password is on the "
        "fridge. Ask J. Smith for a key. Take vitamin C. It helps. Board at gate C. Visitors "
        "wait in hall A. Read section G. General Conditions.",
    )
    assert registered.split("\n")[1:] == [
        "`s1` Staff park in lot B.",
        "`s2` The wifi password is on the fridge.",
        "`s3` Ask J. Smith for a key.",
        "`s4` Take vitamin C.",
        "`s5` It helps.",
        "`s6` Board at gate C.",
        "`s7` Visitors wait in hall A.",
        "`s8` Read section G. General Conditions.",
    ]


async def test_source_add_then_a_fact_citing_it(discord_bot: DiscordHarness) -> None:
    """A new document is split into sentences; a fact may cite them by id or by quote."""
    bot = discord_bot
    registered = await _mod(
        bot,
        "!source add title: Team handbook url: https://example.com/handbook "
        "text: FactBot answers questions in #help. Moderators keep the facts right.",
    )
    assert registered.startswith(
        "Registered `team-handbook` with 2 sentences (s1–s2). Cite them as `team-handbook:s1`."
    )
    await _mod(
        bot,
        "!fact add question: where does factbot answer questions? "
        "answer: In the #help channel. cite: team-handbook:s1",
    )
    reply = await _ask(bot, "where does factbot answer questions")
    assert "In the #help channel." in reply
    assert "> FactBot answers questions in #help." in reply
    assert "https://example.com/handbook" in reply

    await _mod(
        bot,
        "!fact add question: who keeps the facts right? answer: The moderators. "
        'cite: "moderators keep the facts right"',
    )
    assert "> Moderators keep the facts right." in await _ask(bot, "who keeps the facts right")

    # The same document again (a command sent twice): refused, so `s1` stays one sentence.
    again = "text: FactBot answers questions in #help.  Moderators keep the facts right."
    assert await _mod(bot, f"!source add title: Handbook {again}") == (
        "That document is registered already: cite it as `team-handbook:s1`."
    )
    sources = await _mod(bot, "!source list")
    assert "`team-handbook`" in sources
    assert "`handbook`" not in sources


async def test_a_wrong_source_is_removed_and_a_cited_one_stays(
    discord_bot: DiscordHarness,
) -> None:
    """A moderator registered a document with a mistake, then the right one: the wrong one
    goes, so it is neither listed nor cited; one a fact cites stays until that fact goes."""
    bot = discord_bot
    await _mod(
        bot,
        "!source add title: Handbook "
        "text: Staff park behind the office. Visitors park at teh annex.",
    )
    await _mod(
        bot,
        "!source add title: Handbook "
        "text: Staff park behind the office. Visitors park at the annex.",
    )
    assert await _mod(bot, "!source remove id: handbook") == (
        "Removed source `handbook`: facts here can no longer cite it. "
        "Bring it back with `!source restore id: handbook`."
    )
    listed = await _mod(bot, "!source list")
    assert "`handbook-2`" in listed
    assert "`handbook`" not in listed
    assert "removed: `!source restore id: handbook`" in await _mod(bot, "!source show id: handbook")
    added = await _mod(
        bot,
        "!fact add question: where do staff park? answer: Behind the office. "
        'cite: "Staff park behind the office"',
    )
    assert added == "Added `where-do-staff-park` citing handbook-2:s1: Behind the office."

    assert await _mod(bot, "!source remove id: handbook-2") == (
        "`handbook-2` is cited by `where-do-staff-park`: edit or remove those facts first."
    )
    assert await _mod(bot, "!source remove id: scale-meta-article") == (
        "`scale-meta-article` is every server's: only a server's own sources go."
    )
    assert await _mod(bot, "!source remove id: handbook-2", guild=1) == (
        "There is no source `handbook-2`."
    )
    await _mod(bot, "!fact remove id: where-do-staff-park")
    await _mod(bot, "!source remove id: handbook-2")
    assert await _mod(bot, "!fact restore id: where-do-staff-park") == (
        "`where-do-staff-park` cites `handbook-2`, which was removed: "
        "`source restore id: handbook-2` first."
    )
    assert await _mod(bot, "!source restore id: handbook-2") == (
        "Restored source `handbook-2`: facts here can cite it again."
    )
    await _mod(bot, "!fact restore id: where-do-staff-park")
    assert "Behind the office." in await _ask(bot, "where do staff park?")


async def test_a_fact_without_a_real_citation_is_refused(discord_bot: DiscordHarness) -> None:
    bot = discord_bot
    before = await bot.bot.engine.store.count("facts")
    refusals = [
        await _mod(bot, "!fact add question: q one answer: a cite: s99"),
        await _mod(bot, "!fact add question: q two answer: a cite: Meta bought Google yesterday."),
        await _mod(bot, "!fact add question: q three answer: a cite: nope:s1"),
    ]
    assert refusals == [
        "No registered source has a sentence `s99`.",
        "That quote is not a sentence of any registered source.",
        "There is no source `nope`.",
    ]
    assert await bot.bot.engine.store.count("facts") == before


async def test_members_cannot_curate_and_nothing_changes(discord_bot: DiscordHarness) -> None:
    bot = discord_bot
    history = await bot.bot.engine.store.count("fact_history")
    for command in [
        "!fact add question: q answer: a cite: s1",
        "!fact remove id: meta-investment",
        "!fact list",
        "!source add title: t text: Some text.",
        "!unanswered",
    ]:
        (reply,) = await bot.say(command)
        assert reply.text.startswith("Only moderators can change facts"), command
    assert await bot.bot.engine.store.count("fact_history") == history
    assert "$14.3 billion" in await _ask(bot, "how much did meta pay")


async def test_guilds_never_see_each_others_facts(discord_bot: DiscordHarness) -> None:
    """A guild's added fact and its override of a shipped fact stay in that guild."""
    bot = discord_bot
    await _mod(
        bot, "!fact add question: what is our team motto? answer: Cite everything. cite: s24"
    )
    await _mod(bot, "!fact edit id: meta-investment answer: Meta bought 49% for $14.3B.")

    assert "Cite everything." in await _ask(bot, "what is our team motto", guild=0)
    assert "Cite everything." not in await _ask(bot, "what is our team motto", guild=1)
    assert "Meta bought 49% for $14.3B." in await _ask(bot, "how much did meta pay", guild=0)
    assert "Meta paid $14.3 billion" in await _ask(bot, "how much did meta pay", guild=1)

    assert (
        "no fact `what-is-our-team-motto`"
        in (await _mod(bot, "!fact show id: what-is-our-team-motto", guild=1)).lower()
    )
    await _mod(bot, "!fact remove id: meta-investment", guild=1)
    assert "Meta bought 49%" in await _ask(bot, "how much did meta pay", guild=0)


async def test_words_another_fact_answers_are_not_given_to_a_second(
    discord_bot: DiscordHarness,
) -> None:
    """Said to both, the bot could only ask which: the moderator is told where they are."""
    bot = discord_bot
    assert await _mod(bot, "!fact alias id: read-more question: How much did Meta pay?") == (
        "`meta-investment` already answers “How much did Meta pay?”: take it off there first "
        "(`fact unalias id: meta-investment question: …`)."
    )
    assert await _mod(
        bot, "!fact add question: how much did meta pay answer: A lot. cite: s4 id: meta-paid"
    ) == ("`meta-investment` already answers that: use `fact alias` or `fact edit`.")
    assert "How much did Meta pay?" not in await _mod(bot, "!fact show id: read-more")
    assert "no fact `meta-paid`" in await _mod(bot, "!fact show id: meta-paid")
    # Taken while its fact was removed, the words stay with the fact that took them.
    await _mod(bot, "!fact remove id: meta-investment")
    await _mod(bot, "!fact alias id: read-more question: How much did Meta pay?")
    assert await _mod(bot, "!fact restore id: meta-investment") == (
        "`read-more` answers “how much did meta pay” now, a phrasing of `meta-investment`: "
        "take it off there first (`fact unalias id: read-more question: …`)."
    )


async def test_unknown_fact_id_suggests_the_closest(discord_bot: DiscordHarness) -> None:
    assert await _mod(discord_bot, "!fact show id: meta-investmnt") == (
        "There is no fact `meta-investmnt`. Did you mean `meta-investment`?"
    )
    # Half of a long id, as a moderator remembers it.
    assert await _mod(discord_bot, "!fact show id: ceo-joins") == (
        "There is no fact `ceo-joins`. Did you mean `scale-ceo-joins-meta`?"
    )


async def test_bad_or_missing_flags_get_the_usage(discord_bot: DiscordHarness) -> None:
    reply = await _mod(discord_bot, "!fact add question: how? answer: like this")
    assert reply.startswith("`cite:` is missing. Usage: `!fact add")
    assert await _mod(discord_bot, "!fact edit id: meta-investment") == (
        "Nothing to change: give a new `answer:`, `cite:`, or both."
    )
    assert (await _mod(discord_bot, "!fact frobnicate")).startswith("Fact commands:")
    # Nothing at all after the command: the flag a moderator must give, not discord.py's
    # name for the converter.
    assert await _mod(discord_bot, "!fact remove") == (
        "`id:` is missing. Usage: `!fact remove id: …`"
    )


async def test_help_spells_out_a_command_the_way_it_is_typed(discord_bot: DiscordHarness) -> None:
    helped = await _mod(discord_bot, "!help fact add")
    assert "!fact add question: … answer: … cite: … [id: …]" in helped
    assert "flags" not in helped
    assert "!ask <question>" in await _mod(discord_bot, "!help ask")
    assert "Apps → Ask FactBot" in await _mod(discord_bot, "!help")


async def test_show_list_and_search(discord_bot: DiscordHarness) -> None:
    bot = discord_bot
    (shown,) = await bot.say("!fact show id: google-planned-spend", role="moderator")
    assert shown.embed is not None
    assert shown.embed.title == "google-planned-spend"
    assert "earmarked $200 million" in shown.text
    assert "shipped with FactBot" in shown.text
    (listed,) = await bot.say("!fact list", role="moderator")
    assert listed.embed is not None
    assert listed.embed.title == "25 facts"
    assert listed.embed.description is not None
    *first, foot = listed.embed.description.splitlines()
    assert len(first) == 15
    assert foot == "Page 1 of 2. Next: `!fact list page: 2`"
    (second,) = await bot.say("!fact list page: 2", role="moderator")
    assert second.embed is not None
    assert second.embed.description is not None
    *rest, foot = second.embed.description.splitlines()
    assert foot == "Page 2 of 2."
    assert len({*first, *rest}) == 25
    assert await _mod(bot, "!fact list page: 3") == "`page:` goes from 1 to 2."
    found = await _mod(bot, "!fact search query: openai cfo")
    assert found.splitlines()[0].startswith("`openai-diversified`"), found
    # Found by what it says, too: only its answer has "collaboration".
    found = await _mod(bot, "!fact search query: collaboration")
    assert found.splitlines()[0].startswith("`openai-diversified`"), found


async def test_search_ranks_a_doubted_fact_by_the_words_it_shares(
    discord_bot: DiscordHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fact the matcher gives a low chance, but whose phrasings share the query's words
    as much as another fact's do, must not be listed below that other fact."""
    engine = discord_bot.bot.engine
    explain = engine.explain

    def doubtful(question: str, guild_id: int = GLOBAL) -> Explanation:
        explained = explain(question, guild_id)
        doubted = [replace(j, chance=0.3) for j in explained.candidates]
        return replace(explained, candidates=tuple(doubted))

    monkeypatch.setattr(engine, "explain", doubtful)
    found = await _mod(discord_bot, "!fact search query: what is openai doing")
    assert found.splitlines()[0].startswith("`openai-diversified`"), found


async def test_members_are_answered_while_a_moderator_searches(
    discord_bot: DiscordHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`fact search` compares every fact (0.4 s at 100,000): it must not hold up the
    answers of every server the bot is in meanwhile."""
    comparing, go_on = threading.Event(), threading.Event()
    compare = engine_module._closest

    def slow_closest(*args: Any) -> Any:
        comparing.set()
        go_on.wait(30)
        return compare(*args)

    monkeypatch.setattr(engine_module, "_closest", slow_closest)
    searching = asyncio.create_task(_mod(discord_bot, "!fact search query: openai cfo"))
    try:
        await asyncio.to_thread(comparing.wait, 30)
        answer = discord_bot.bot.engine.ask("how much did meta pay?", discord_bot.guilds[1].id)
        assert answer.fact_id == "meta-investment"
        assert not searching.done()
    finally:
        go_on.set()
    assert (await searching).startswith("`openai-diversified`")


async def test_where_embeds_are_not_allowed_show_and_list_come_as_text(
    discord_bot: DiscordHarness,
) -> None:
    """An embed in a channel that denies Embed Links shows nothing at all."""
    bot = discord_bot
    channel = bot.channel(0)
    await dpytest.set_permission_overrides(channel.guild.default_role, channel, embed_links=False)
    (shown,) = await bot.say("!fact show id: google-planned-spend", role="moderator")
    assert shown.embed is None
    lines = shown.message.content.splitlines()
    assert lines[0] == "**google-planned-spend**"
    assert "**Asked as**" in lines
    assert "earmarked $200 million" in shown.text
    assert lines[-1] == "shipped with FactBot"
    (listed,) = await bot.say("!fact list", role="moderator")
    assert listed.embed is None
    assert listed.message.content.startswith("**25 facts**\n`")
    assert "\nPage 1 of 2. Next: `!fact list page: 2`\n" in listed.message.content


async def test_unanswered_lists_what_went_unanswered_most_asked_first(
    discord_bot: DiscordHarness,
) -> None:
    bot = discord_bot
    for question in ["what is scale's revenue", "what is scale's revenue", "who founded scale"]:
        await _ask(bot, question)
    await _ask(bot, "how much did meta pay")
    assert await _mod(bot, "!unanswered") == (
        "Unanswered questions:\n#1 2× what is scale's revenue\n#2 1× who founded scale\n"
        "Teach me one with `!fact attach id: … question: #1`, or tell me to leave it "
        "with `!fact ignore question: #1`."
    )
    assert await _mod(bot, "!unanswered", guild=1) == "Every question asked here got an answer."


async def test_source_add_reads_an_attached_text_file(discord_bot: DiscordHarness) -> None:
    """`source add` with a .txt attachment instead of `text:` registers that file."""
    document = b"Answers must cite a source.\nModerators review new facts weekly.\n"
    (reply,) = await discord_bot.say(
        "!source add title: Review policy", role="moderator", files={"policy.txt": document}
    )
    assert reply.text.startswith("Registered `review-policy` with 2 sentences (s1–s2).")
    assert "`s2` Moderators review new facts weekly." in reply.text
    # As Windows Notepad saves "Unicode": UTF-16 with a byte-order mark, CRLF lines.
    notepad = "Visitors sign in at the desk.\r\nBadges go back by six.\r\n".encode("utf-16")
    (reply,) = await discord_bot.say(
        "!source add title: Visitors", role="moderator", files={"visitors.txt": notepad}
    )
    assert "`s1` Visitors sign in at the desk." in reply.text
    assert "`s2` Badges go back by six." in reply.text
    latin = "Caf\xe9 opens at eight.".encode("latin-1")
    (reply,) = await discord_bot.say(
        "!source add title: Cafe", role="moderator", files={"cafe.txt": latin}
    )
    assert reply.text == "cafe.txt: not UTF-8 text (byte 3)."


HANDBOOK_MD = b"""---
title: Office handbook
---
# Parking

Staff park in **lot B**, behind the
[main building](https://example.com/map).

- Bikes go in the shed.
- Visitors use the *front* lot.

| day | lunch |
|-----|-------|
| Mon | soup  |
"""


async def test_a_markdown_document_is_registered_as_it_reads(
    discord_bot: DiscordHarness,
) -> None:
    """A handbook kept as Markdown: its sentences are what the page says, without markup,
    so quotes and citations read as the page does."""
    bot = discord_bot
    (reply,) = await bot.say(
        "!source add title: Office handbook", role="moderator", files={"handbook.md": HANDBOOK_MD}
    )
    assert reply.text.startswith("Registered `office-handbook` with 6 sentences (s1–s6).")
    for sentence in (
        "`s1` Parking",
        "`s2` Staff park in lot B, behind the main building.",
        "`s3` Bikes go in the shed.",
        "`s4` Visitors use the front lot.",
        "`s5` day | lunch",
        "`s6` Mon | soup",
    ):
        assert sentence in reply.text
    assert "title:" not in reply.text
    assert "**" not in reply.text
    added = await _mod(
        bot,
        "!fact add question: where do staff park answer: Lot B. cite: staff park in lot B",
    )
    assert added.startswith("Added `where-do-staff-park` citing office-handbook:s2"), added
    assert "> Staff park in lot B, behind the main building." in await _ask(
        bot, "where do staff park"
    )
    (reply,) = await bot.say(
        "!source add title: Logo", role="moderator", files={"logo.png": b"\x89PNG"}
    )
    assert reply.text == "logo.png: give the document as a .txt or .md file."


async def test_a_quote_is_found_whatever_markup_its_sentence_was_pasted_with(
    discord_bot: DiscordHarness,
) -> None:
    bot = discord_bot
    await _mod(
        bot, "!source add title: Notes text: Staff park in **lot B**. Vans park in lot B too."
    )
    assert await _mod(bot, "!fact add question: q answer: a cite: park in lot B") == (
        "Several sentences say that (`notes:s1`, `notes:s2`): quote more, or cite by id."
    )
    assert (
        await _mod(
            bot, "!fact add question: where do staff park answer: B. cite: Staff park in lot B"
        )
    ).startswith("Added `where-do-staff-park` citing notes:s1")


FAQ = """fact_id,question,answer
parking,Where can staff park?,Staff park in the basement garage on level B2.
parking,Is there parking at the office?,
lunch,Is lunch provided?,Lunch is catered on Tuesdays and Thursdays.
none,What's the weather like today?,
"""


def _sent_file(attachment: discord.Attachment) -> bytes:
    """A file the bot sent: dpytest keeps it where the attachment's url points."""
    return Path(url2pathname(urlparse(attachment.url).path)).read_bytes()


async def _import(bot: DiscordHarness, files: dict[str, str]) -> str:
    """`fact import` as a moderator with each file attached."""
    attached = {name: text.encode() for name, text in files.items()}
    (reply,) = await bot.say("!fact import", role="moderator", files=attached)
    return reply.text


async def test_fact_import_adds_an_attached_faq_once(discord_bot: DiscordHarness) -> None:
    """A team brings its FAQ from Discord: members get its answers, and importing it again
    changes nothing."""
    bot = discord_bot
    assert await _import(bot, {"faq.csv": FAQ}) == (
        "faq.csv: 2 facts added, 0 changed, 0 unchanged; 3 phrasings and "
        "1 out-of-scope question added."
    )
    assert "basement garage on level B2" in await _ask(bot, "where can staff park?")
    assert "Tuesdays and Thursdays" in await _ask(bot, "is lunch provided")
    assert "basement garage" not in await _ask(bot, "where can staff park?", guild=1)
    assert await _import(bot, {"faq.csv": FAQ}) == (
        "faq.csv: 0 facts added, 0 changed, 2 unchanged; 0 phrasings and "
        "0 out-of-scope questions added."
    )


async def test_fact_export_sends_a_pack_that_fact_import_takes_back(
    discord_bot: DiscordHarness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A moderator keeps a copy of the server's knowledge, or moves it to another server."""
    monkeypatch.chdir(tmp_path)  # dpytest writes each file the bot sends to the working folder
    bot = discord_bot
    await _import(bot, {"faq.csv": FAQ})
    said: list[str | None] = []
    send = commands.Context.send

    async def spy(self: commands.Context[FactBot], content: str | None = None, **kw: Any) -> Any:
        said.append(content)  # dpytest drops the text of a message that carries a file
        return await send(self, content, **kw)

    monkeypatch.setattr(commands.Context, "send", spy)
    (exported,) = await bot.say("!fact export", role="moderator")
    assert said == ["2 facts, 1 source, 1 out-of-scope question."]
    (attachment,) = exported.message.attachments
    assert attachment.filename.endswith("-facts.zip")
    pack = _sent_file(attachment)
    (imported,) = await bot.say(
        "!fact import", guild=1, role="moderator", files={"office.zip": pack}
    )
    assert imported.text == (
        "office.zip: 2 facts added, 0 changed, 0 unchanged; 3 phrasings and "
        "1 out-of-scope question added."
    )
    assert "basement garage on level B2" in await _ask(bot, "where can staff park?", guild=1)
    (nothing,) = await bot.say("!fact export", guild=1, role="member")
    assert nothing.text.startswith("Only moderators")


async def test_fact_export_larger_than_the_server_takes_says_so(
    discord_bot: DiscordHarness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Discord refuses an upload past the server's limit (10 MiB, more with boosts)."""
    monkeypatch.chdir(tmp_path)  # where dpytest would write a file the bot sent
    await _import(discord_bot, {"faq.csv": FAQ})
    monkeypatch.setattr(discord.Guild, "filesize_limit", 100)
    (refused,) = await discord_bot.say("!fact export", role="moderator")
    assert refused.message.attachments == []
    assert refused.text.startswith("The pack is 0.0 MiB, more than this server takes (0 MiB)")


async def test_fact_import_refuses_a_bad_row_and_stores_nothing(
    discord_bot: DiscordHarness,
) -> None:
    bot = discord_bot
    bad = FAQ + "Lunch Menu!,What is on the menu?,Soup.\n"
    reply = await _import(bot, {"faq.csv": bad})
    assert reply.startswith("faq.csv: row 6: fact_id 'lunch menu!' must be")
    assert "\n" not in reply
    assert "basement garage" not in await _ask(bot, "where can staff park?")
    assert await _import(bot, {"notes.txt": FAQ}) == (
        "Attach a .csv file with the header fact_id,question,answer, or a .zip from `fact export`."
    )


async def test_slash_fact_add_callback_adds_the_fact(discord_bot: DiscordHarness) -> None:
    """dpytest cannot invoke /fact add; call its callback as the slash command would."""
    cog = discord_bot.bot.get_cog("Curating")
    assert cog is not None
    flags_type = type(cog).fact_add.clean_params["flags"].converter  # type: ignore[attr-defined]
    flags = flags_type.__new__(flags_type)  # discord.py fills the flags from the options
    flags.question, flags.answer, flags.cite, flags.id = (
        "what is the team motto?",
        "Cite everything.",
        "s24",
        "team-motto",
    )
    moderator = discord_bot.member(0, "moderator")
    ctx = MagicMock(guild=discord_bot.guilds[0], author=moderator, send=AsyncMock())
    await type(cog).fact_add.callback(cog, ctx, flags=flags)  # type: ignore[attr-defined]
    ctx.send.assert_awaited_once_with(
        "Added `team-motto` citing scale-meta-article:s24: Cite everything."
    )
    assert "Cite everything." in await _ask(discord_bot, "what is the team motto?")
