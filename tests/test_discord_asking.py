"""Members ask the real bot (under dpytest) and get cited answers, or an honest no."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path
from typing import Any
from unittest.mock import AsyncMock, MagicMock

import discord
import discord.ext.test as dpytest
import pytest
from discord.ext.test import backend

from bot import replies
from bot.discord_bot import FactBot, create_bot
from bot.discord_bot.client import run_bot, stopping_on_sigterm
from bot.discord_bot.cogs.asking import RecentReplies
from bot.discord_bot.embeds import as_written
from bot.engine import Engine
from bot.errors import BadInput
from bot.models import Answer, Suggestion
from tests.conftest import DiscordHarness, Sent, discord_settings, start_bot

S4 = "However, following Meta’s significant investment of $14.3 billion for a 49% stake"


async def test_prefix_ask_gets_an_embed_quoting_the_source(discord_bot: DiscordHarness) -> None:
    """`!ask` answers in an embed: answer line, quoted sentence with its source, footer."""
    (reply,) = await discord_bot.say("!ask how much did meta pay?")
    embed = reply.embed
    assert embed is not None
    assert embed.description == "Meta paid $14.3 billion for a 49% stake in Scale AI."
    (field,) = embed.fields
    assert field.name is not None
    assert field.name.endswith("· s4")
    assert field.value is not None
    assert field.value.startswith("> " + S4)
    assert embed.footer.text is not None
    assert embed.footer.text.startswith("meta-investment ·")


async def test_a_quote_shows_as_written_whatever_markdown_is_in_it(
    discord_bot: DiscordHarness,
) -> None:
    """A cited sentence with "__init__" or "5*3 … 4*2" in it would show underlined or in
    italics: Discord gets it escaped, in the embed and in the answer as text alike."""
    text = "Run __init__.py first; a build costs 5*3 credits and a test 4*2."
    await discord_bot.say(f"!source add title: Build notes text: {text}", role="moderator")
    await discord_bot.say(
        "!fact add question: how much does a build cost answer: 15 credits. cite: build-notes:s1",
        role="moderator",
    )
    escaped = r"> Run \_\_init\_\_.py first; a build costs 5\*3 credits and a test 4\*2."
    (reply,) = await discord_bot.say("!ask how much does a build cost?")
    assert reply.embed is not None
    assert [f.value for f in reply.embed.fields] == [escaped]
    channel = discord_bot.channel(0)
    await dpytest.set_permission_overrides(channel.guild.default_role, channel, embed_links=False)
    (reply,) = await discord_bot.say("!ask how much does a build cost?")
    assert escaped in reply.message.content.splitlines()


async def test_questions_offered_and_listed_show_as_written(discord_bot: DiscordHarness) -> None:
    """A fact asked as "what does __init__ do" was offered and listed underlined."""
    await discord_bot.say("!source add title: Code text: It sets things up.", role="moderator")
    await discord_bot.say(
        "!fact add question: what does __init__ do? answer: It sets things up. cite: code:s1",
        role="moderator",
    )
    shown = r"what does \_\_init\_\_ do?"
    (listed,) = await discord_bot.say("!fact list page: 2", role="moderator")
    assert shown in listed.text
    (found,) = await discord_bot.say("!fact search query: init", role="moderator")
    assert shown in found.text
    # Offered when the bot is unsure (which a matcher that learned one phrasing seldom is).
    offer = Suggestion(fact_id="what-does-init-do", question="what does __init__ do?")
    unsure = Answer(question="init?", answered=False, confidence=0, suggestions=(offer,))
    offered = replies.not_answered(unsure, "!", as_written)
    assert f"• {shown} (`!ask what does __init__ do?`)" in offered  # a code span as typed


async def test_where_embeds_are_not_allowed_the_answer_comes_as_text(
    discord_bot: DiscordHarness,
) -> None:
    """A server may deny Embed Links in a channel, where an embed would show nothing."""
    channel = discord_bot.channel(0)
    # On @everyone: dpytest does not apply a member's own overwrites.
    await dpytest.set_permission_overrides(channel.guild.default_role, channel, embed_links=False)
    (reply,) = await discord_bot.say("!ask how much did meta pay?")
    assert reply.embed is None
    answer, quote, where, footer = reply.message.content.splitlines()
    assert answer == "Meta paid $14.3 billion for a 49% stake in Scale AI."
    assert quote.startswith("> " + S4)
    assert where == "— Meta's $14.3B bet on Scale AI and how its largest customers reacted · s4"
    assert footer.startswith("meta-investment · confidence")
    (other,) = await discord_bot.say("!ask how much did meta pay?", guild=1)
    assert other.embed is not None


async def test_where_history_cannot_be_read_the_answer_is_not_a_reply(
    discord_bot: DiscordHarness,
) -> None:
    """Discord refuses a reply from a bot that may not read the channel's history
    (error 160002): there the answer comes as a message of its own."""
    channel = discord_bot.channel(0)
    await dpytest.set_permission_overrides(
        channel.guild.default_role, channel, read_message_history=False
    )
    (answer,) = await discord_bot.say("!ask how much did meta pay?")
    assert answer.embed is not None
    assert "$14.3 billion" in (answer.embed.description or "")
    (refusal,) = await discord_bot.say("@FactBot 🤖🤖")
    assert refusal.text.startswith("Ask me a question in words")


async def test_mentioning_the_bot_with_a_question_answers_it(discord_bot: DiscordHarness) -> None:
    (reply,) = await discord_bot.say(f"<@{discord_bot.bot.user.id}> who's scale's ceo?")
    assert "Alexandr Wang" in reply.text


async def test_thanks_and_greetings_said_to_the_bot_get_a_reply_in_kind(
    discord_bot: DiscordHarness,
) -> None:
    """ "@FactBot hi" used to get "I don't know that one": a greeting (or "what can you
    do?") gets how to ask, with a question the bot answers; thanks gets "You're welcome"."""
    (thanks,) = await discord_bot.say("@FactBot thanks!!")
    assert thanks.text == "You're welcome!"
    for said in ("@FactBot hi there 👋", "!ask what can you do?"):
        (hello,) = await discord_bot.say(said)
        assert hello.text.startswith("Hi! I answer questions from this server's facts")
    example = hello.text.split("for example: ", 1)[1].splitlines()[0]
    (answer,) = await discord_bot.say(f"!ask {example}")
    assert answer.embed is not None  # the example is answered, with its citation
    (unknown,) = await discord_bot.say("@FactBot who won the match?")
    assert unknown.text == "I don't know that one."


async def test_a_server_with_its_own_facts_is_offered_one_of_them_as_an_example(
    discord_bot: DiscordHarness,
) -> None:
    await discord_bot.say(
        "!source add title: Desk text: The help desk is on floor 2.", role="moderator"
    )
    await discord_bot.say(
        "!fact add question: where is the help desk? answer: On floor 2. cite: desk:s1",
        role="moderator",
    )
    (hello,) = await discord_bot.say("@FactBot hello")
    assert "for example: where is the help desk?" in hello.text
    (elsewhere,) = await discord_bot.say("@FactBot hello", guild=1)
    assert "help desk" not in elsewhere.text
    await discord_bot.say("!fact alias id: where-is-the-help-desk question: help", role="moderator")
    (answer,) = await discord_bot.say("!ask help")  # a fact worded so answers it
    assert answer.embed is not None
    assert answer.embed.description == "On floor 2."


async def test_questions_on_separate_lines_get_one_answer_citing_both(
    discord_bot: DiscordHarness,
) -> None:
    (reply,) = await discord_bot.say("!ask\n- how much did meta pay?\n- where did wang go?")
    embed = reply.embed
    assert embed is not None
    assert embed.description is not None
    assert "$14.3 billion" in embed.description
    assert "joined Meta" in embed.description
    assert embed.footer.text is not None
    assert embed.footer.text.startswith("meta-investment+scale-ceo-joins-meta ·")


async def test_unknown_question_gets_a_plain_no(discord_bot: DiscordHarness) -> None:
    """No embed and no citation: the bot says it does not know (and what it does know)."""
    (reply,) = await discord_bot.say("!ask what's the weather in paris?")
    assert reply.embed is None
    assert reply.text == "I don't know that one."
    (trap,) = await discord_bot.say("!ask how much did amazon pay for scale?")
    assert trap.embed is None
    assert trap.text.startswith("I don't know that one.")


async def test_vague_question_is_asked_back_with_suggestions(discord_bot: DiscordHarness) -> None:
    (reply,) = await discord_bot.say("!ask what about meta?")
    assert reply.text.startswith("I'm not sure which you mean.\nDid you mean:")
    assert "\n• How much did Meta pay for its stake in Scale AI?\n" in f"{reply.text}\n"
    assert "`!ask" not in reply.text  # a button asks it
    assert reply.embed is None


async def test_plain_questions_only_in_answer_channels_and_only_when_sure(
    discord_bot: DiscordHarness,
) -> None:
    """In an answer channel a confident question is answered and chatter is ignored."""
    assert await discord_bot.say("how much did meta pay?") == []  # not an answer channel
    discord_bot.bot.settings.answer_channel_ids = [discord_bot.channel(0).id]
    (reply,) = await discord_bot.say("how much did meta pay?")
    assert "$14.3 billion" in reply.text
    assert await discord_bot.say("anyone up for lunch?") == []
    assert await discord_bot.say("what about meta?") == []  # unsure: stays quiet


async def test_moderators_choose_the_answer_channels_of_their_server(
    discord_bot: DiscordHarness,
) -> None:
    """`answers on` in a channel: plain questions there are answered when the bot is sure;
    `answers off` stops it. One server's choice is not another's."""
    channel = discord_bot.channel(0)
    assert await discord_bot.say("how much did meta pay?") == []
    (refused,) = await discord_bot.say("!answers on")
    assert "moderator" in refused.text.lower()
    (listed,) = await discord_bot.say("!answers", role="moderator")
    assert listed.text.startswith("I answer plain questions nowhere here")

    (on,) = await discord_bot.say("!answers on", role="moderator")
    assert on.text.startswith(f"I'll answer plain questions in <#{channel.id}> and its threads")
    (reply,) = await discord_bot.say("how much did meta pay?")
    assert "$14.3 billion" in reply.text
    assert await discord_bot.say("anyone up for lunch?") == []
    assert await discord_bot.say("how much did meta pay?", guild=1) == []
    (listed,) = await discord_bot.say("!answers", role="moderator")
    assert listed.text == (
        f"I answer plain questions in <#{channel.id}> (and their threads) when 75% sure."
    )

    (again,) = await discord_bot.say("!answers on", role="moderator")
    assert again.text == f"<#{channel.id}> is an answer channel already."
    (off,) = await discord_bot.say("!answers off", role="moderator")
    assert off.text.startswith(f"In <#{channel.id}> I'll answer only when asked")
    assert await discord_bot.say("how much did meta pay?") == []


async def test_answer_channels_the_bot_was_started_with_stay_so(
    discord_bot: DiscordHarness,
) -> None:
    channel = discord_bot.channel(0)
    discord_bot.bot.settings.answer_channel_ids = [channel.id]
    (listed,) = await discord_bot.say("!answers", role="moderator")
    assert f"<#{channel.id}>" in listed.text
    (refused,) = await discord_bot.say("!answers off", role="moderator")
    assert "ANSWER_CHANNEL_IDS" in refused.text
    (reply,) = await discord_bot.say("how much did meta pay?")
    assert "$14.3 billion" in reply.text


async def test_answers_on_in_a_forum_post_switches_the_forum(
    discord_bot: DiscordHarness,
) -> None:
    forum = discord_bot.forum(0)
    post = discord_bot.thread(forum, "Setting up")
    (on,) = await discord_bot.say("!answers on", role="moderator", channel=post)
    assert f"<#{forum.id}>" in on.text
    (reply,) = await discord_bot.post(forum, "How much did Meta pay for Scale?", "Curious.")
    assert "$14.3 billion" in reply.text


async def test_a_follow_up_in_reply_to_the_bot_is_answered_when_it_is_sure(
    discord_bot: DiscordHarness,
) -> None:
    """Members follow up by replying to the bot's answer, without a mention or `!ask`."""
    (answer,) = await discord_bot.say("!ask how much did meta pay?")
    (follow_up,) = await discord_bot.say(
        "and is google pulling back from scale?", reply_to=answer.message
    )
    assert "Google's strategy is shifting" in follow_up.text
    assert await discord_bot.say("thanks, that's what I needed!", reply_to=answer.message) == []
    assert await discord_bot.say("what about meta?", reply_to=answer.message) == []  # unsure
    question = discord_bot.said
    assert question is not None
    assert await discord_bot.say("and is google pulling back from scale?", reply_to=question) == []


async def test_threads_of_an_answer_channel_are_answered_in_too(
    discord_bot: DiscordHarness,
) -> None:
    channel = discord_bot.channel(0)
    discord_bot.bot.settings.answer_channel_ids = [channel.id]
    thread = discord_bot.thread(channel, "scale news")
    (reply,) = await discord_bot.say("how much did meta pay?", channel=thread)
    assert "$14.3 billion" in reply.text
    assert reply.message.channel == thread
    assert await discord_bot.say("anyone up for lunch?", channel=thread) == []
    discord_bot.bot.settings.answer_channel_ids = []
    assert await discord_bot.say("how much did meta pay?", channel=thread) == []


async def test_a_forum_post_is_read_with_its_title(discord_bot: DiscordHarness) -> None:
    """A help forum as answer channel: a post is answered in it, its title read as part
    of the question; the talk that follows in the post is left to people."""
    forum = discord_bot.forum(0)
    title, body = "How much did Meta pay for Scale?", "Saw it in the news this morning."
    assert await discord_bot.post(forum, title, body) == []  # not an answer channel yet
    discord_bot.bot.settings.answer_channel_ids = [forum.id]
    (reply,) = await discord_bot.post(forum, title, body)
    assert "$14.3 billion" in reply.text
    post = reply.message.channel
    assert isinstance(post, discord.Thread)
    assert post.parent_id == forum.id
    assert await discord_bot.say(body, channel=post) == []  # the body alone asks nothing
    assert await discord_bot.say("thanks, that's what I needed!", channel=post) == []
    # A title that only says what the post is about: the message asks the question.
    (reply,) = await discord_bot.post(forum, "Google and Scale", "Are they still working together?")
    assert "Google's strategy is shifting" in reply.text


async def test_a_forum_post_retitled_is_answered_again(discord_bot: DiscordHarness) -> None:
    forum = discord_bot.forum(0)
    discord_bot.bot.settings.answer_channel_ids = [forum.id]
    (reply,) = await discord_bot.post(forum, "How much did Meta pay for Scale?", "Anyone?")
    assert "$14.3 billion" in reply.text
    post = reply.message.channel
    assert isinstance(post, discord.Thread)
    assert await discord_bot.retitle(post, "Where did Scale's CEO go?") == []
    now = await discord_bot.now_reads(reply)
    assert now is not None
    assert now.text.startswith("Scale's CEO, Alexandr Wang, joined Meta")
    await discord_bot.retitle(post, "Lunch plans")  # asks nothing any more: the reply goes
    assert await discord_bot.now_reads(reply) is None


async def test_bad_questions_get_one_clear_line_and_are_not_logged(
    discord_bot: DiscordHarness,
) -> None:
    """Empty, emoji-only, invisible and huge questions are refused without a crash."""
    in_words = "Ask me a question in words, for example: how many vacation days do I get?"
    cases = {
        "!ask": "`question` is missing. Usage: `!ask <question>`",
        "!ask 🤖🤖🤖": in_words,
        "!ask \u200b\u200b": in_words,
        "!ask "
        + "why " * 1000: "That question is 3,999 characters long; please keep it under 500.",
        f"<@{discord_bot.bot.user.id}>": in_words,
    }
    for message, expected in cases.items():
        replies = await discord_bot.say(message)
        assert [r.text for r in replies] == [expected], message
    assert await discord_bot.bot.engine.store.count("questions") == 0


async def test_markdown_and_everyone_in_a_question_are_harmless(
    discord_bot: DiscordHarness, db_path: Path
) -> None:
    """The question is understood; nothing the bot sends can ping (allowed_mentions)."""
    (reply,) = await discord_bot.say("!ask @everyone **how much** did _meta_ pay??")
    assert "$14.3 billion" in reply.text
    # dpytest swaps the bot's connection state, so look at a freshly built bot.
    mentions = create_bot(discord_settings(db_path)).allowed_mentions
    assert mentions is not None
    assert (mentions.everyone, mentions.users, mentions.roles, mentions.replied_user) == (
        False,
        False,
        False,
        False,
    )


async def test_cooldown_slows_down_one_member_with_a_friendly_line(db_path: Path) -> None:
    harness = await start_bot(discord_settings(db_path, ask_cooldown_rate=2))
    try:
        await harness.say("!ask meta stake?")
        await harness.say("!ask meta stake?")
        (reply,) = await harness.say("!ask meta stake?")
        assert reply.text.startswith("Easy there: you can ask again in")
        (other,) = await harness.say("!ask meta stake?", role="moderator")
        assert "$14.3 billion" in other.text  # someone else is not slowed down
    finally:
        await dpytest.empty_queue()
        await harness.bot.engine.close()


async def test_reactions_on_an_answer_are_recorded_as_feedback(
    discord_bot: DiscordHarness,
) -> None:
    """The bot puts 👍 and 👎 under an answer for members to click; theirs count for its
    fact (the bot's own do not), and `fact show` reports them."""
    (answer,) = await discord_bot.say("!ask how much did meta pay")
    assert [str(r.emoji) for r in answer.message.reactions if r.me] == ["👍", "👎"]
    await discord_bot.react(answer.message, "👍", guild=0, role="member")
    await discord_bot.react(answer.message, "👎", guild=0, role="moderator")
    await discord_bot.react(answer.message, "🎉", guild=0, role="member")
    (shown,) = await discord_bot.say("!fact show id: meta-investment", role="moderator")
    fields = {f.name: f.value for f in shown.embed.fields} if shown.embed else {}
    assert fields["Asked"] == "1 times"
    assert fields["Feedback"] == "👍 1 · 👎 1"


async def test_no_votes_are_invited_under_a_no_nor_where_reactions_are_denied(
    discord_bot: DiscordHarness,
) -> None:
    (unsure,) = await discord_bot.say("!ask what is on the lunch menu?")
    assert unsure.message.reactions == []
    channel = discord_bot.channel(0)
    await dpytest.set_permission_overrides(channel.guild.default_role, channel, add_reactions=False)
    (answer,) = await discord_bot.say("!ask how much did meta pay")
    assert "$14.3 billion" in answer.text
    assert answer.message.reactions == []


async def test_slash_ask_callback_answers_with_the_same_embed(
    discord_bot: DiscordHarness,
) -> None:
    """dpytest cannot invoke slash commands, so call /ask's callback with a context."""
    cog = discord_bot.bot.get_cog("Asking")
    assert cog is not None
    message = await dpytest.message(
        "/ask", channel=discord_bot.channel(0), member=discord_bot.member(0)
    )
    ctx = MagicMock(message=message, send=AsyncMock(return_value=message))
    await type(cog).ask.callback(cog, ctx, question="how much did meta pay")  # type: ignore[attr-defined]
    embed = ctx.send.await_args.kwargs["embed"]
    assert isinstance(embed, discord.Embed)
    assert embed.description == "Meta paid $14.3 billion for a 49% stake in Scale AI."


async def test_slash_commands_are_registered_with_their_options(
    discord_bot: DiscordHarness,
) -> None:
    tree = discord_bot.bot.tree
    ask = tree.get_command("ask")
    assert ask is not None
    assert [p.name for p in ask.parameters] == ["question"]  # type: ignore[union-attr]
    fact = tree.get_command("fact")
    assert isinstance(fact, discord.app_commands.Group)
    add = fact.get_command("add")
    assert add is not None
    assert [p.name for p in add.parameters] == ["question", "answer", "cite", "id"]  # type: ignore[union-attr]
    assert {c.name for c in fact.commands} >= {
        "add",
        "alias",
        "edit",
        "remove",
        "restore",
        "show",
        "list",
        "search",
        "history",
    }


def test_the_bot_shows_how_to_ask_it_under_its_name(db_path: Path) -> None:
    bot = create_bot(discord_settings(db_path))
    assert isinstance(bot.activity, discord.Activity)
    assert (bot.activity.type, bot.activity.name) == (discord.ActivityType.listening, "/ask")


def test_factory_reads_settings_from_the_environment(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """create_bot() with no settings takes FACTBOT_DB (and the rest) from the environment."""
    monkeypatch.setenv("FACTBOT_DB", str(tmp_path / "env.sqlite3"))
    monkeypatch.setenv("MODERATOR_ROLE_IDS", "11, 22")
    monkeypatch.setenv("DISCORD_TOKEN", "not-a-real-token")
    bot = create_bot()
    assert bot.settings.factbot_db == tmp_path / "env.sqlite3"
    assert bot.settings.moderator_role_ids == [11, 22]
    assert "not-a-real-token" not in repr(bot.settings)


def test_a_shard_of_several_connects_as_that_shard(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """SHARD_ID of SHARD_COUNT: each shard is a process of its own (README, "Shards")."""
    monkeypatch.setenv("FACTBOT_DB", "postgresql://bot:s3cret@db.internal/factbot")
    monkeypatch.setenv("SHARD_ID", "1")
    monkeypatch.setenv("SHARD_COUNT", "2")
    bot = create_bot()
    assert (bot.shard_id, bot.shard_count) == (1, 2)
    assert bot.settings.factbot_db == "postgresql://bot:s3cret@db.internal/factbot"


async def test_an_edited_question_is_answered_again_in_the_same_reply(
    discord_bot: DiscordHarness,
) -> None:
    """A member who fixes a question sees its reply change; nothing new is posted."""
    (reply,) = await discord_bot.say("@FactBot what is on the lunch menu?")
    assert reply.embed is None
    assert "don't know" in reply.text.lower()
    question = discord_bot.said
    assert question is not None

    assert await discord_bot.edit(question, "@FactBot how much did meta pay?") == []
    now = await discord_bot.now_reads(reply)
    assert now is not None
    assert now.embed is not None
    assert now.embed.description == "Meta paid $14.3 billion for a 49% stake in Scale AI."
    assert not now.message.content  # the "don't know" line went

    assert await discord_bot.edit(question, "@FactBot what is on the lunch menu today?") == []
    now = await discord_bot.now_reads(reply)
    assert now is not None
    assert now.embed is None
    assert "don't know" in now.text.lower()


async def test_an_edit_reaches_the_reply_after_discord_py_forgot_the_question(
    discord_bot: DiscordHarness,
) -> None:
    """discord.py keeps the last 1,000 messages of every server the bot is in; in busy
    servers a question leaves that cache within minutes, and its edit comes raw."""
    (reply,) = await discord_bot.say("@FactBot what is on the lunch menu?")
    question = discord_bot.said
    assert question is not None
    discord_bot.bot._connection._messages.remove(question)  # type: ignore[union-attr]
    assert await discord_bot.edit(question, "@FactBot how much did meta pay?") == []
    now = await discord_bot.now_reads(reply)
    assert now is not None
    assert "$14.3 billion" in now.text


async def test_a_reply_follows_its_question_after_a_restart(
    discord_bot: DiscordHarness,
) -> None:
    """A restart forgets the replies held in memory; the question log still knows which
    message each reply answers, so an edit or a deletion after it still reaches it."""
    (reply,) = await discord_bot.say("@FactBot what is on the lunch menu?")
    question = discord_bot.said
    assert question is not None
    asking = discord_bot.bot.get_cog("Asking")
    await asyncio.sleep(0.01)  # the restart comes a moment later than the question
    asking._replies = RecentReplies()  # type: ignore[union-attr]  # as after a restart
    asked = await discord_bot.bot.engine.store.count("questions")
    assert await discord_bot.edit(question, question.content) == []  # a link's preview
    assert await discord_bot.bot.engine.store.count("questions") == asked
    assert await discord_bot.edit(question, "@FactBot how much did meta pay?") == []
    now = await discord_bot.now_reads(reply)
    assert now is not None
    assert "$14.3 billion" in now.text
    asking._replies = RecentReplies()  # type: ignore[union-attr]
    await discord_bot.delete(question)
    assert await discord_bot.now_reads(reply) is None


async def test_discord_adding_a_link_preview_asks_nothing_again(
    discord_bot: DiscordHarness,
) -> None:
    """Discord edits a message itself to add a link's preview: same words, no new answer."""
    (reply,) = await discord_bot.say("@FactBot how much did meta pay? https://example.com")
    assert discord_bot.said is not None
    asked = await discord_bot.bot.engine.store.count("questions")
    assert await discord_bot.edit(discord_bot.said, discord_bot.said.content) == []
    assert await discord_bot.bot.engine.store.count("questions") == asked
    assert await discord_bot.now_reads(reply) is not None


async def _edited(bot: DiscordHarness, first: str, then: str) -> tuple[Sent, Sent]:
    """Say ``first``, then edit it into ``then``: the bot's reply as first sent and as it
    reads now (nothing new may be posted)."""
    (reply,) = await bot.say(first)
    assert bot.said is not None
    assert await bot.edit(bot.said, then) == []
    now = await bot.now_reads(reply)
    assert now is not None
    return reply, now


async def test_an_edited_ask_command_is_answered_again(discord_bot: DiscordHarness) -> None:
    meta, ceo = "!ask how much did meta pay?", "!ask who's scale's ceo?"
    reply, now = await _edited(discord_bot, meta, ceo)
    assert now.embed is not None
    assert "Alexandr Wang" in (now.embed.description or "")
    # A 👎 on the reply now counts against the fact it shows.
    shown = (now.embed.footer.text or "").split(" ·")[0]
    await discord_bot.react(reply.message, "👎", guild=0, role="member")
    (listed,) = await discord_bot.say("!disliked", role="moderator")
    assert f"“who's scale's ceo?” → `{shown}`" in listed.text


async def test_a_refused_question_fixed_by_an_edit_gets_its_answer_in_place(
    discord_bot: DiscordHarness,
) -> None:
    refused, now = await _edited(discord_bot, "!ask 🤖🤖🤖", "!ask how much did meta pay?")
    assert refused.text.startswith("Ask me a question in words")
    assert now.embed is not None
    assert "$14.3 billion" in (now.embed.description or "")


async def test_a_question_edited_into_chat_or_deleted_takes_its_reply_with_it(
    discord_bot: DiscordHarness,
) -> None:
    (reply,) = await discord_bot.say("@FactBot how much did meta pay?")
    assert discord_bot.said is not None
    assert await discord_bot.edit(discord_bot.said, "never mind, found it") == []
    assert await discord_bot.now_reads(reply) is None

    (reply,) = await discord_bot.say("!ask how much did meta pay?")
    assert discord_bot.said is not None
    await discord_bot.delete(discord_bot.said)
    assert await discord_bot.now_reads(reply) is None

    # A reply someone deleted comes back when its question is edited.
    (reply,) = await discord_bot.say("!ask how much did meta pay?")
    assert discord_bot.said is not None
    await discord_bot.delete(reply.message)
    (again,) = await discord_bot.edit(discord_bot.said, "!ask who's scale's ceo?")
    assert again.embed is not None
    assert "Alexandr Wang" in (again.embed.description or "")

    # A moderator purges one member's messages: the bot's replies to them go too.
    said = []
    for question in ("!ask how much did meta pay?", "@FactBot who's scale's ceo?"):
        (reply,) = await discord_bot.say(question, name="spammer")
        said.append((discord_bot.said, reply))
    channel = discord_bot.channel(0)
    data = {"ids": [q.id for q, _ in said], "channel_id": channel.id, "guild_id": channel.guild.id}
    backend.get_state().parse_message_delete_bulk(data)  # type: ignore[arg-type]
    await dpytest.run_all_events()
    assert [await discord_bot.now_reads(r) for _, r in said] == [None, None]


async def test_in_an_answer_channel_an_edit_the_bot_is_unsure_of_takes_the_reply_back(
    discord_bot: DiscordHarness,
) -> None:
    discord_bot.bot.settings.answer_channel_ids = [discord_bot.channel(0).id]
    (reply,) = await discord_bot.say("how much did meta pay for scale ai?")
    assert "$14.3 billion" in reply.text
    assert discord_bot.said is not None
    assert await discord_bot.edit(discord_bot.said, "what's for lunch?") == []
    assert await discord_bot.now_reads(reply) is None


@pytest.fixture
def connecting(monkeypatch: pytest.MonkeyPatch) -> list[discord.Intents]:
    """The intents each `bot.start` asked Discord for (nothing connects): Discord refuses
    Message Content to an application that has not switched it on."""
    asked: list[discord.Intents] = []

    async def start(self: FactBot, token: str, *, reconnect: bool = True) -> None:
        asked.append(self.intents)
        if token != "good":
            raise discord.LoginFailure("Improper token has been passed.")
        if self.intents.message_content:
            raise discord.PrivilegedIntentsRequired(shard_id=None)

    monkeypatch.setattr(FactBot, "start", start)
    monkeypatch.setattr(discord.utils, "setup_logging", lambda: None)
    return asked


async def test_without_the_message_content_intent_the_bot_serves_what_it_can(
    connecting: list[discord.Intents], db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    await run_bot(discord_settings(db_path, discord_token="good"))
    assert [i.message_content for i in connecting] == [True, False]
    assert "Privileged Gateway Intents" in caplog.text


async def test_a_token_discord_refuses_is_one_line_without_the_token(
    connecting: list[discord.Intents], db_path: Path
) -> None:
    with pytest.raises(BadInput, match=r"^Discord refused DISCORD_TOKEN: copy") as refused:
        await run_bot(discord_settings(db_path, discord_token="s3cret-token"))
    assert "s3cret" not in str(refused.value)


async def test_sigterm_stops_the_bot_and_its_engine_cleanly(
    monkeypatch: pytest.MonkeyPatch, db_path: Path
) -> None:
    """A host stops a bot with SIGTERM on every deploy: `factbot run` returns as after
    Ctrl-C, its database closed, instead of dying mid-reply."""
    serving, leaving = asyncio.Event(), asyncio.Event()

    async def start(self: FactBot, token: str, *, reconnect: bool = True) -> None:
        await self.setup_hook()
        serving.set()
        await leaving.wait()  # discord.py's connection loop returns once the bot closes

    leave = FactBot.close

    async def close_bot(self: FactBot) -> None:
        leaving.set()
        await leave(self)

    closed: list[Engine] = []
    monkeypatch.setattr(FactBot, "start", start)
    monkeypatch.setattr(FactBot, "close", close_bot)
    monkeypatch.setattr(discord.utils, "setup_logging", lambda: None)
    close_engine = Engine.close

    async def close(self: Engine) -> None:
        await close_engine(self)
        closed.append(self)

    monkeypatch.setattr(Engine, "close", close)
    running = asyncio.create_task(run_bot(discord_settings(db_path, discord_token="good")))
    await asyncio.wait_for(serving.wait(), 30)
    os.kill(os.getpid(), signal.SIGTERM)
    await asyncio.wait_for(running, 30)
    assert len(closed) == 1
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # and no handler left behind


async def test_a_stopping_bot_sends_the_answer_it_is_writing_first(
    discord_bot: DiscordHarness,
) -> None:
    bot = discord_bot.bot
    http = bot._connection.http
    send = http.send_message
    sending, go_on = asyncio.Event(), asyncio.Event()
    sent: list[bool] = []

    async def slow_send(channel_id: int, *, params: Any) -> Any:
        sending.set()
        await go_on.wait()
        message = await send(channel_id, params=params)
        sent.append(True)
        return message

    closed_when: list[list[bool]] = []

    async def close() -> None:
        closed_when.append(list(sent))

    http.send_message = slow_send  # type: ignore[method-assign]
    bot.close = close  # type: ignore[method-assign]
    try:
        asking = asyncio.create_task(discord_bot.say("!ask how much did meta pay?"))
        await asyncio.wait_for(sending.wait(), 30)
        async with stopping_on_sigterm(bot):
            os.kill(os.getpid(), signal.SIGTERM)
            await asyncio.sleep(0.2)
            assert closed_when == []  # the answer is still being sent
            go_on.set()
            (reply,) = await asyncio.wait_for(asking, 30)
            for _ in range(100):
                if closed_when:
                    break
                await asyncio.sleep(0.01)
        assert "$14.3 billion" in reply.text
        assert closed_when == [[True]]
    finally:
        go_on.set()
        del bot.close  # the fixture closes the engine
