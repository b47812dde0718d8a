"""The loop moderators grow a server's knowledge with: what went unanswered is attached
to the fact that answers it, or marked as not to be answered; the shipped pack is
switched on or off per server."""

from __future__ import annotations

import re

import discord
import pytest
from discord.ext.test import backend

from bot import replies
from bot.engine import Engine
from bot.errors import BadInput
from tests.conftest import DiscordHarness
from tests.test_discord_curating import _ask, _mod

RACK = "Bikes go in the rack behind building B."


async def test_an_unanswered_question_is_attached_to_a_new_fact(
    discord_bot: DiscordHarness,
) -> None:
    bot = discord_bot
    assert "I don't know" in await _ask(bot, "is there a bike rack")
    listed = await _mod(bot, "!unanswered")
    assert "#1 1× is there a bike rack" in listed
    assert "!fact attach id: … question: #1" in listed

    await _mod(bot, f"!source add title: Office handbook text: {RACK}")
    await _mod(
        bot,
        f"!fact add question: where do I park my bike answer: {RACK} "
        "cite: office-handbook:s1 id: bike-rack",
    )
    attached = await _mod(bot, "!fact attach id: bike-rack question: #1")
    assert attached == "`bike-rack` now also answers “is there a bike rack”."
    assert RACK in await _ask(bot, "is there a bike rack?")
    assert await _mod(bot, "!unanswered") == "Every question asked here got an answer."
    assert await _mod(bot, "!fact attach id: bike-rack question: #1") == (
        "Every question here got an answer, so there is no #1."
    )
    # Only this server learned it.
    assert RACK not in await _ask(bot, "is there a bike rack?", guild=1)


async def test_one_question_asked_three_ways_is_counted_once(engine: Engine) -> None:
    """However members capitalise or end it, it is one question asked three times: the
    moderator sees what was asked most."""
    for asked in ("What time is lunch?", "what time is lunch", "WHAT TIME IS LUNCH??", "hi?"):
        await engine.record(engine.ask(asked, 7), guild_id=7)
    rows = await engine.unanswered(7)
    assert [(r.question, r.times) for r in rows][:1] == [("what time is lunch", 3)]
    assert await engine.which_question(7, "#1") == "what time is lunch"


async def test_ignored_questions_leave_the_unanswered_list(discord_bot: DiscordHarness) -> None:
    bot = discord_bot
    await _ask(bot, "what did tim cook say about scale")
    ignored = await _mod(bot, "!fact ignore question: #1")
    assert ignored == "I'll leave questions like “what did tim cook say about scale” unanswered."
    assert await _mod(bot, "!unanswered") == "Every question asked here got an answer."
    assert "I don't know" in await _ask(bot, "what did tim cook say about scale")
    assert "again" in await _mod(bot, "!fact unignore question: what did tim cook say about scale")


async def test_a_moderator_switches_the_shipped_pack_off_and_on(
    discord_bot: DiscordHarness,
) -> None:
    bot = discord_bot
    assert "$14.3 billion" in await _ask(bot, "how much did meta pay")
    refused = await bot.say("!pack off", role="member")
    assert "moderator" in refused[0].text.lower()

    assert "off here" in await _mod(bot, "!pack off")
    assert "I don't know" in await _ask(bot, "how much did meta pay")
    assert "$14.3 billion" in await _ask(bot, "how much did meta pay", guild=1)

    assert "on here again" in await _mod(bot, "!pack on")
    assert "$14.3 billion" in await _ask(bot, "how much did meta pay")


async def test_a_moderator_replies_to_an_answer_to_teach_what_it_should_have_said(
    discord_bot: DiscordHarness,
) -> None:
    """Through Discord: `!fact attach` in reply to the bot's answer attaches the question
    that answer was for, as the member last worded it; `!fact ignore` in reply leaves it
    unanswered from then on."""
    bot = discord_bot
    (reply,) = await bot.say("!ask is scale's founder still its CEO")
    assert bot.said is not None
    await bot.edit(bot.said, "!ask is scale's founder still running it")
    (attached,) = await bot.say(
        "!fact attach id: scale-ceo-joins-meta", role="moderator", reply_to=reply.message
    )
    assert attached.text == (
        "`scale-ceo-joins-meta` now also answers “is scale's founder still running it”."
    )
    assert "Alexandr Wang" in await _ask(bot, "is scale's founder still running it")

    (unsure,) = await bot.say("!ask what did meta pay for the llama team")
    (ignored,) = await bot.say("!fact ignore", role="moderator", reply_to=unsure.message)
    assert ignored.text == (
        "I'll leave questions like “what did meta pay for the llama team” unanswered."
    )
    assert "I don't know" in await _ask(bot, "what did meta pay for the llama team")


async def test_a_fact_s_own_phrasing_is_not_ignored_while_it_answers_it(
    discord_bot: DiscordHarness,
) -> None:
    """The bot would still answer it word for word: it says so instead of promising to
    leave it unanswered. Once the phrasing is off its fact, it is ignored; attached to a
    fact again, it is answered again."""
    bot = discord_bot
    (answer,) = await bot.say("!ask how much did meta pay")
    (refused,) = await bot.say("!fact ignore", role="moderator", reply_to=answer.message)
    assert refused.text == (
        "“how much did meta pay” is a phrasing of `meta-investment`: take it off there first "
        "(`fact unalias id: meta-investment question: how much did meta pay`)."
    )
    await _mod(bot, "!fact unalias id: meta-investment question: how much did meta pay")
    (ignored,) = await bot.say("!fact ignore", role="moderator", reply_to=answer.message)
    assert ignored.text.startswith("I'll leave questions like “how much did meta pay”")
    assert "I don't know" in await _ask(bot, "how much did meta pay")
    await _mod(bot, "!fact alias id: meta-investment question: how much did meta pay")
    assert "$14.3 billion" in await _ask(bot, "how much did meta pay")
    assert await _mod(bot, "!fact unignore question: how much did meta pay") == (
        "That question is not marked out of scope."
    )


async def test_answers_members_dislike_are_listed_with_a_link_until_dealt_with(
    discord_bot: DiscordHarness,
) -> None:
    """A 👎 is a member saying the answer was wrong: `disliked` lists those answers, each
    linking to the reply, where a moderator replies to teach (`fact attach` or `ignore`)."""
    bot = discord_bot
    assert await _mod(bot, "!disliked") == "No answer here has a 👎 left to deal with."
    (answer,) = await bot.say("!ask what did meta pay for its stake")
    await bot.react(answer.message, "👎", guild=0, role="member")
    await bot.react(answer.message, "👎", guild=0, role="someone")
    (other,) = await bot.say("!ask who is scale's ceo", guild=1)
    await bot.react(other.message, "👎", guild=1, role="member")
    listed = await _mod(bot, "!disliked")
    channel = bot.channel(0)
    assert listed.splitlines()[1] == (
        "#1 2× 👎 “what did meta pay for its stake” → `meta-investment` "
        f"https://discord.com/channels/{channel.guild.id}/{channel.id}/{answer.message.id}"
    )
    assert "scale's ceo" not in listed  # another server's
    (ignored,) = await bot.say("!fact ignore", role="moderator", reply_to=answer.message)
    assert "unanswered" in ignored.text
    assert await _mod(bot, "!disliked") == "No answer here has a 👎 left to deal with."


async def test_the_answers_given_least_surely_are_listed_until_a_moderator_checks_them(
    discord_bot: DiscordHarness,
) -> None:
    """`unsure` lists the answers given at the lowest chance, each linking to the reply,
    so that moderators find a wrong one before a member does. Replying to it with `fact
    attach` (to the same fact: it was right) or `fact ignore` takes it off the list. An
    answer to a fact's own phrasing, word for word, is never listed."""
    bot = discord_bot
    assert await _mod(bot, "!unsure") == "No answer here is left to check."
    (stake,) = await bot.say("!ask what did meta pay for its stake")
    (deal,) = await bot.say("!ask is the deal good for meta")
    await bot.say("!ask where did scale's ceo go")  # one of its fact's own phrasings
    await bot.say("!ask is the deal good for meta", guild=1)  # another server's
    listed = (await _mod(bot, "!unsure")).splitlines()
    channel = bot.channel(0)
    link = f"https://discord.com/channels/{channel.guild.id}/{channel.id}"
    assert listed[0] == "Answers I was least sure of:"
    shown = [re.fullmatch(r"#(\d) (\d+)% “(.+)” → `(.+)` (\S+)", line) for line in listed[1:3]]
    assert all(shown), listed
    assert [(m[1], m[3], m[4], m[5]) for m in shown if m] == [
        ("1", "what did meta pay for its stake", "meta-investment", f"{link}/{stake.message.id}"),
        ("2", "is the deal good for meta", "double-edged-sword", f"{link}/{deal.message.id}"),
    ]
    least, next_least = (int(m[2]) for m in shown if m)
    assert 50 <= least <= next_least < 100
    assert listed[3].startswith("Reply to one with `!fact attach id: …`")
    await bot.say("!fact attach id: meta-investment", role="moderator", reply_to=stake.message)
    (ignored,) = await bot.say("!fact ignore", role="moderator", reply_to=deal.message)
    assert "unanswered" in ignored.text
    assert await _mod(bot, "!unsure") == "No answer here is left to check."
    assert await _mod(bot, "!unsure", guild=1) != "No answer here is left to check."


async def test_a_vote_stays_with_the_answer_it_judged_when_the_question_is_edited(
    discord_bot: DiscordHarness,
) -> None:
    """A member 👎s an answer, then rewords the question and the bot answers anew: the
    👎 was about the first answer, not the second. The new answer comes in a new reply,
    since the old one's 👎 would show under it (a reply nobody voted on is edited)."""
    bot = discord_bot
    (reply,) = await bot.say("!ask what did meta pay")
    assert "$14.3 billion" in reply.text
    await bot.react(reply.message, "👎", guild=0, role="member")
    assert bot.said is not None
    (now,) = await bot.edit(bot.said, "!ask where did scale's ceo go")
    assert await bot.now_reads(reply) is None  # the judged answer went with its votes
    assert now.embed is not None
    assert now.embed.footer.text is not None
    assert now.embed.footer.text.startswith("scale-ceo-joins-meta ·")
    assert [r.emoji for r in now.message.reactions] == ["👍", "👎"]
    assert [r.count for r in now.message.reactions] == [1, 1]  # the bot's own, to click
    listed = await _mod(bot, "!disliked")
    assert "#1 1× 👎 “what did meta pay” → `meta-investment`" in listed.splitlines()
    shown = await bot.say("!fact show id: meta-investment", role="moderator")
    assert "👍 0 · 👎 1" in shown[0].text
    await bot.react(now.message, "👍", guild=0, role="member")  # about the new answer
    assert "👎 1" in (await bot.say("!fact show id: meta-investment", role="moderator"))[0].text
    shown = await bot.say("!fact show id: scale-ceo-joins-meta", role="moderator")
    assert "👍 1 · 👎 0" in shown[0].text
    # Reworded again to ask the same as now: nobody voted against it, so it is edited.
    assert await bot.edit(bot.said, "!ask what happened to scale's ceo") == []


async def test_a_reply_to_an_answer_names_the_question_it_answered(engine: Engine) -> None:
    """In Discord, a moderator replies to the bot's wrong answer with `!fact attach id: …`
    or `!fact ignore`: the question is the one that answer was for, in that server only."""
    answer = engine.ask("who is in charge of scale now", 7)
    await engine.record(answer, guild_id=7, reply_id=1234)
    assert await engine.which_question(7, None, 1234) == "who is in charge of scale now"
    with pytest.raises(BadInput, match="Which question"):
        await engine.which_question(8, None, 1234)
    with pytest.raises(BadInput, match="no #3"):
        await engine.which_question(7, "#3")


async def test_a_server_admin_names_the_roles_that_curate(discord_bot: DiscordHarness) -> None:
    """A team's Helpers curate without Manage Messages, once someone who manages the
    server names their role; naming it is for server managers only."""
    bot = discord_bot
    guild = bot.guilds[0]
    helpers = backend.make_role("Helpers", guild, permissions=0)
    managers = backend.make_role(
        "Managers", guild, permissions=discord.Permissions(manage_guild=True).value
    )
    for name, role in (("helen", helpers), ("ada", managers)):
        bot.members[(0, name)] = backend.update_member(bot.member(0, name=name), roles=[role])
    add = "!fact add question: who waters the plants answer: Helen does. cite: s1 id: plants"

    async def said(command: str, name: str) -> str:
        (reply,) = await bot.say(command, name=name)
        return reply.text

    assert await said(add, "helen") == replies.NOT_MODERATOR
    refused = await _mod(bot, f"!moderators add <@&{helpers.id}>")
    assert "Manage Server" in refused
    assert "@everyone" in await said("!moderators add @everyone", "ada")  # anyone could edit
    named = await said(f"!moderators add <@&{helpers.id}>", "ada")
    assert named == f"<@&{helpers.id}> may curate facts here now (`fact add`, `fact edit`, …)."
    assert (await said(add, "helen")).startswith("Added `plants`")
    listed = await _mod(bot, "!moderators")  # moderators may see who else curates
    assert listed.startswith(f"Curating facts here: <@&{helpers.id}>;")
    await said(f"!moderators remove <@&{helpers.id}>", "ada")
    assert await said("!fact remove id: plants", "helen") == replies.NOT_MODERATOR
