"""In a direct message the bot answers from the global facts only, and curation is
refused with one line."""

from __future__ import annotations

import contextlib

import discord.ext.test as dpytest
from discord.ext import commands

from tests.conftest import DiscordHarness


async def _dm(bot: DiscordHarness, content: str) -> list[str]:
    member = bot.member(0, "moderator")
    channel = await member.create_dm()
    with contextlib.suppress(commands.CommandError):
        await dpytest.message(content, channel=channel, member=member)
    return [sent.text for sent in bot.sent()]


async def test_a_direct_message_is_answered_from_the_global_facts(
    discord_bot: DiscordHarness,
) -> None:
    bot = discord_bot
    await bot.say("!source add title: Office text: Lunch is at noon.", role="moderator")
    await bot.say(
        "!fact add question: when is lunch answer: Lunch is at noon. cite: office:s1",
        role="moderator",
    )
    (meta,) = await _dm(bot, "!ask how much did meta pay")
    assert "$14.3 billion" in meta
    (lunch,) = await _dm(bot, "!ask when is lunch")
    assert "Lunch is at noon" not in lunch  # a server's own fact stays in that server


async def test_curation_in_a_direct_message_is_refused_in_one_line(
    discord_bot: DiscordHarness,
) -> None:
    (refused,) = await _dm(discord_bot, "!fact remove id: meta-investment")
    assert len(refused.splitlines()) == 1
    assert "server" in refused.lower()
    (still,) = await _dm(discord_bot, "!ask how much did meta pay")
    assert "$14.3 billion" in still
