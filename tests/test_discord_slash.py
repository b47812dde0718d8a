"""Slash commands, through discord.py's own machinery: an INTERACTION_CREATE event goes to
the connection state as the gateway would deliver it, the command tree finds the command,
runs its checks (the cog's moderator check among them), fills its flags from the options
and calls it. Only the last hop, the HTTP response to Discord, is captured here."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext.test import factories

from bot import replies
from tests.conftest import AS_SENT, DiscordHarness, within_discord_limits


class Responses(list[tuple[str | None, bool]]):
    """What the bot answered each interaction with, and whether only the caller saw it;
    and the reactions it added under its responses."""

    reactions: list[str]


@pytest.fixture
def responses(monkeypatch: pytest.MonkeyPatch) -> Responses:
    said = Responses()
    said.reactions = []

    async def send_message(
        self: discord.InteractionResponse, content: str | None = None, **kwargs: Any
    ) -> SimpleNamespace:
        embed = kwargs.get("embed")
        within_discord_limits(content, [embed] if embed else [])
        said.append((content or (embed.description if embed else None), kwargs.get("ephemeral")))
        return SimpleNamespace(resource=None)

    async def original_response(self: discord.Interaction) -> SimpleNamespace:
        async def add_reaction(emoji: str) -> None:
            said.reactions.append(emoji)

        # The response as a message: what the bot records and reacts under.
        return SimpleNamespace(
            id=factories.make_id(), channel=self.channel, reactions=[], add_reaction=add_reaction
        )

    monkeypatch.setattr(discord.InteractionResponse, "send_message", send_message)
    monkeypatch.setattr(discord.Interaction, "original_response", original_response)
    return said


def _user(user: discord.abc.User) -> dict[str, Any]:
    return {"id": str(user.id), "username": user.name, "discriminator": "0001", "avatar": None}


async def _slash(
    bot: DiscordHarness,
    command: str,
    options: dict[str, str],
    *,
    role: str = "member",
    direct: bool = False,
    files: dict[str, str] | None = None,
) -> None:
    """Deliver `/command option: value …` as Discord would, and wait until it has run;
    ``files`` attaches a file to an option (option -> file name)."""
    group, _, sub = command.partition(" ")
    files = files or {}
    ids = {option: str(factories.make_id()) for option in files}
    values = [{"type": 3, "name": k, "value": v} for k, v in options.items()]
    values += [{"type": 11, "name": option, "value": i} for option, i in ids.items()]
    data: dict[str, Any] = {"id": "1", "name": group, "type": 1, "options": values}
    if ids:
        attachment = {"size": 1, "proxy_url": ""}
        data["resolved"] = {
            "attachments": {
                i: attachment | {"id": i, "filename": files[o], "url": files[o]}
                for o, i in ids.items()
            }
        }
    if sub:
        data["options"] = [{"type": 1, "name": sub, "options": values}]
    await _interact(bot, data, role=role, direct=direct)


async def _typing(
    bot: DiscordHarness,
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    options: dict[str, str],
    *,
    role: str = "moderator",
) -> list[tuple[str, str]]:
    """A member types ``command``'s options, the last being typed still: what Discord
    offers them, as (shown, value) pairs."""
    offered: list[tuple[str, str]] = []

    async def autocomplete(
        self: discord.InteractionResponse, choices: list[app_commands.Choice[str]]
    ) -> None:
        assert len(choices) <= 25
        assert all(len(c.name) <= 100 and len(c.value) <= 100 for c in choices)
        offered.extend((c.name, c.value) for c in choices)

    monkeypatch.setattr(discord.InteractionResponse, "autocomplete", autocomplete)
    group, _, sub = command.partition(" ")
    values: list[dict[str, Any]] = [{"type": 3, "name": k, "value": v} for k, v in options.items()]
    values[-1]["focused"] = True
    data = {"id": "1", "name": group, "type": 1, "options": values}
    if sub:
        data["options"] = [{"type": 1, "name": sub, "options": values}]
    await _interact(bot, data, role=role, kind=4)
    return offered


async def _interact(
    bot: DiscordHarness,
    data: dict[str, Any],
    *,
    role: str,
    direct: bool = False,
    kind: int = 2,
    message: discord.Message | None = None,
) -> None:
    """Deliver an interaction as Discord would (``kind`` 2: a command, 3: a button clicked
    on ``message``, 4: options being typed), and wait until it has run."""
    member = bot.member(0, role)
    payload: dict[str, Any] = {
        "id": str(factories.make_id()),
        "application_id": str(bot.bot.user.id),  # type: ignore[union-attr]
        "type": kind,
        "token": "token",
        "version": 1,
        "attachment_size_limit": 8_000_000,
        "data": data,
    }
    if direct:
        channel = {"id": str(factories.make_id()), "type": 1, "recipients": [_user(member)]}
        payload |= {"user": _user(member), "channel": channel, "context": 1}
    else:
        guild = bot.guilds[0]
        payload |= {
            "guild_id": str(guild.id),
            "channel": {"id": str(bot.channel(0).id), "type": 0},
            "member": {
                "user": _user(member),
                "roles": [str(r.id) for r in member.roles if not r.is_default()],
                "joined_at": "2026-01-01T00:00:00+00:00",
                "deaf": False,
                "mute": False,
                "flags": 0,
            },
            "context": 0,
        }
    state = bot.bot._connection
    # discord.py links the tree to the connection state when it builds the tree; dpytest
    # swaps in its own state afterwards, so link it again, as discord.py did.
    state._command_tree = bot.bot.tree
    if message is not None:
        as_sent = {"components": [], **AS_SENT.get(message.id, {}), "flags": 0}
        payload["message"] = factories.dict_from_message(message) | as_sent
    state.parse_interaction_create(payload)  # type: ignore[arg-type]
    running = [
        t
        for t in asyncio.all_tasks()
        if t.get_name() == "CommandTree-invoker" or t.get_name().startswith("discord-ui-")
    ]
    await asyncio.gather(*running)


async def _click(bot: DiscordHarness, message: discord.Message, label: str, role: str) -> None:
    """A member clicks the button labelled ``label`` on the bot's message."""
    buttons = [b for row in AS_SENT[message.id]["components"] for b in row["components"]]
    (button,) = [b for b in buttons if b["label"] == label]
    data = {"custom_id": button["custom_id"], "component_type": 2}
    await _interact(bot, data, role=role, kind=3, message=message)


ADD = {"question": "what is the team motto", "answer": "Cite everything.", "cite": "s24"}


async def test_a_member_is_refused_slash_fact_add_by_the_moderator_check(
    discord_bot: DiscordHarness, responses: Responses
) -> None:
    history = await discord_bot.bot.engine.store.count("fact_history")
    await _slash(discord_bot, "fact add", ADD)
    assert responses == [(replies.NOT_MODERATOR, True)]
    assert await discord_bot.bot.engine.store.count("fact_history") == history


async def test_a_moderator_adds_a_fact_with_slash_fact_add(
    discord_bot: DiscordHarness, responses: Responses
) -> None:
    await _slash(discord_bot, "fact add", ADD | {"id": "team-motto"}, role="moderator")
    assert responses == [
        ("Added `team-motto` citing scale-meta-article:s24: Cite everything.", False)
    ]


async def test_slash_curation_in_a_direct_message_is_refused_in_one_line(
    discord_bot: DiscordHarness, responses: Responses
) -> None:
    history = await discord_bot.bot.engine.store.count("fact_history")
    await _slash(discord_bot, "fact add", ADD, role="moderator", direct=True)
    assert responses == [("That command works in a server, not in direct messages.", True)]
    assert await discord_bot.bot.engine.store.count("fact_history") == history


async def test_slash_unsure_is_for_moderators_and_lists_the_least_sure_answers(
    discord_bot: DiscordHarness, responses: Responses
) -> None:
    await _slash(discord_bot, "unsure", {})
    assert responses == [(replies.NOT_MODERATOR, True)]
    await discord_bot.say("!ask is the deal good for meta")
    await _slash(discord_bot, "unsure", {}, role="moderator")
    (text, ephemeral) = responses[-1]
    assert text is not None
    assert text.startswith("Answers I was least sure of:\n#1 ")
    assert "“is the deal good for meta” → `double-edged-sword` https://discord.com/" in text
    assert not ephemeral


async def test_a_member_asks_with_slash_ask(
    discord_bot: DiscordHarness, responses: Responses
) -> None:
    await _slash(discord_bot, "ask", {"question": "How much did Meta pay?"})
    ((text, ephemeral),) = responses
    assert text is not None
    assert "$14.3 billion" in text
    assert not ephemeral
    assert responses.reactions == ["👍", "👎"]


FAQ = """fact_id,question,answer
parking,Where can staff park?,Staff park in the basement garage on level B2.
"""


async def test_a_moderator_imports_a_faq_with_slash_fact_import(
    discord_bot: DiscordHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reply comes after a deferral: a large FAQ takes longer than Discord waits."""
    followed: list[str | None] = []

    async def defer(self: discord.InteractionResponse, **_: Any) -> None:
        self._response_type = discord.InteractionResponseType.deferred_channel_message

    async def follow_up(self: discord.Webhook, content: str | None = None, **_: Any) -> Any:
        followed.append(content)
        return SimpleNamespace(id=factories.make_id())

    async def read(self: discord.Attachment, **_: Any) -> bytes:
        assert self.filename == "faq.csv"
        return FAQ.encode()

    monkeypatch.setattr(discord.InteractionResponse, "defer", defer)
    monkeypatch.setattr(discord.Webhook, "send", follow_up)
    monkeypatch.setattr(discord.Attachment, "read", read)
    await _slash(discord_bot, "fact import", {}, role="moderator", files={"file": "faq.csv"})
    assert followed == [
        "faq.csv: 1 fact added, 0 changed, 0 unchanged; 1 phrasing and "
        "0 out-of-scope questions added."
    ]


async def test_a_moderator_registers_a_txt_file_with_slash_source_add(
    discord_bot: DiscordHarness, responses: Responses, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slash command has no message to attach to: the document is its `file` option."""
    group = discord_bot.bot.tree.get_command("source")
    assert isinstance(group, app_commands.Group)
    offered = {p.name: p.type for p in group.get_command("add").parameters}  # type: ignore[union-attr]
    assert offered["file"] == discord.AppCommandOptionType.attachment

    async def read(self: discord.Attachment, **_: Any) -> bytes:
        assert self.filename == "policy.txt"
        return b"Answers must cite a source.\nModerators review new facts weekly.\n"

    monkeypatch.setattr(discord.Attachment, "read", read)
    options = {"title": "Review policy"}
    await _slash(discord_bot, "source add", options, role="moderator", files={"file": "policy.txt"})
    ((text, ephemeral),) = responses
    assert text is not None
    assert text.startswith("Registered `review-policy` with 2 sentences (s1–s2).")
    assert not ephemeral


async def test_ask_factbot_on_a_message_answers_it_for_all_to_see(
    discord_bot: DiscordHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Apps → Ask FactBot on a member's question: a helper gets it answered without
    retyping it; what the bot does not know only the helper hears."""
    sent: list[dict[str, Any]] = []

    async def send_message(self: discord.InteractionResponse, **kwargs: Any) -> None:
        embed = kwargs.get("embed")
        within_discord_limits(kwargs.get("content"), [embed] if embed else [])
        sent.append(kwargs)

    async def original_response(self: discord.Interaction) -> SimpleNamespace:
        return SimpleNamespace(id=factories.make_id())

    monkeypatch.setattr(discord.InteractionResponse, "send_message", send_message)
    monkeypatch.setattr(discord.Interaction, "original_response", original_response)
    menu = discord_bot.bot.tree.get_command("Ask FactBot", type=discord.AppCommandType.message)
    assert menu is not None

    async def ask_about(text: str) -> dict[str, Any]:
        assert await discord_bot.say(text, name="newcomer") == []  # not an answer channel
        message = discord_bot.said
        assert message is not None
        target = factories.dict_from_message(message)
        target["channel_id"] = str(message.channel.id)
        data = {
            "id": "2",
            "name": "Ask FactBot",
            "type": 3,
            "target_id": str(message.id),
            "resolved": {"messages": {str(message.id): target}},
        }
        await _interact(discord_bot, data, role="helper")
        (said,) = sent[-1:]
        return said

    said = await ask_about("how much did meta pay for scale?")
    assert said["content"] == f"About {discord_bot.said.jump_url}"  # type: ignore[union-attr]
    assert said["embed"].description == "Meta paid $14.3 billion for a 49% stake in Scale AI."
    assert not said.get("ephemeral")

    said = await ask_about("what's on the lunch menu?")
    assert said["content"].startswith("I don't know that one.")
    assert said["ephemeral"]
    said = await ask_about("thanks!")  # said to someone else, not to the bot
    assert said["content"] == "I don't know that one."


async def test_a_fact_id_is_offered_while_it_is_typed(
    discord_bot: DiscordHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Moderators need not remember ids: typing part of one, or what the fact is about,
    offers the facts meant, each with how it is asked."""
    offered = await _typing(discord_bot, monkeypatch, "fact show", {"id": "meta-inv"})
    assert offered[0] == (
        "meta-investment · How much did Meta pay for its stake in Scale AI?",
        "meta-investment",
    )
    by_meaning = await _typing(discord_bot, monkeypatch, "fact edit", {"id": "who runs scale"})
    assert "scale-ceo-joins-meta" in [value for _, value in by_meaning]
    everything = await _typing(discord_bot, monkeypatch, "fact alias", {"id": ""})
    assert len(everything) == 25  # Discord shows 25 at most; the shipped pack has more


async def test_restore_offers_the_removed_facts_only(
    discord_bot: DiscordHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert await _typing(discord_bot, monkeypatch, "fact restore", {"id": ""}) == []
    await discord_bot.say("!fact remove id: read-more", role="moderator")
    offered = await _typing(discord_bot, monkeypatch, "fact restore", {"id": ""})
    assert [value for _, value in offered] == ["read-more"]
    shown = await _typing(discord_bot, monkeypatch, "fact show", {"id": "read"})
    assert "read-more" not in [value for _, value in shown]
    reverted = await _typing(discord_bot, monkeypatch, "fact revert", {"id": "read"})
    assert "read-more" in [value for _, value in reverted]  # a removed fact has a history


async def test_revert_offers_the_facts_changes_newest_first(
    discord_bot: DiscordHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await discord_bot.say("!fact edit id: read-more answer: See TechCrunch.", role="moderator")
    await discord_bot.say("!fact remove id: read-more", role="moderator")
    offered = await _typing(discord_bot, monkeypatch, "fact revert", {"id": "read-more", "to": ""})
    assert [value for _, value in offered] == ["3", "2", "1"]
    assert offered[0][0].startswith("#3 · ")
    assert " remove by moderator" in offered[0][0]
    typed = await _typing(discord_bot, monkeypatch, "fact revert", {"id": "read-more", "to": "#2"})
    assert [value for _, value in typed] == ["2"]
    nothing = await _typing(discord_bot, monkeypatch, "fact revert", {"id": "nope", "to": ""})
    assert nothing == []


async def test_unanswered_questions_are_offered_to_attach_and_ignored_ones_to_unignore(
    discord_bot: DiscordHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    await discord_bot.say("!ask where do we park bikes")
    await discord_bot.say("!ask who won the match last night")
    options = {"id": "read-more", "question": "PARK"}
    offered = await _typing(discord_bot, monkeypatch, "fact attach", options)
    assert offered == [("where do we park bikes", "where do we park bikes")]
    await discord_bot.say("!fact ignore question: who won the match last night", role="moderator")
    ignored = await _typing(discord_bot, monkeypatch, "fact unignore", {"question": "match"})
    assert ignored == [("who won the match last night", "who won the match last night")]
    assert await _typing(discord_bot, monkeypatch, "fact ignore", {"question": "match"}) == []


async def test_slash_ask_offers_the_questions_it_knows_while_one_is_typed(
    discord_bot: DiscordHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed = {"question": "how much did meta"}
    offered = await _typing(discord_bot, monkeypatch, "ask", typed, role="member")
    asked = "How much did Meta pay for its stake in Scale AI?"
    assert offered[0] == (asked, asked)
    assert await _typing(discord_bot, monkeypatch, "ask", {"question": "🙂"}, role="member") == []


async def test_a_sentence_to_cite_is_found_by_its_words_while_cite_is_typed(
    discord_bot: DiscordHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Moderators cite by id, and need not know ids: the words they type find sentences."""
    typed = {"question": "what did google earmark", "answer": "$200 million.", "cite": "EARMARK"}
    offered = await _typing(discord_bot, monkeypatch, "fact add", typed)
    assert offered == [
        (
            "scale-meta-article:s3 · According to a recent report by Reuters, Google had "
            "initially earmarked $20…",
            "scale-meta-article:s3",
        )
    ]
    typed = {"id": "google-pulling-back", "cite": "s3 other competitors"}
    ((_, value),) = await _typing(discord_bot, monkeypatch, "fact edit", typed)
    assert value == "s3 scale-meta-article:s5"
    await discord_bot.say("!pack off", role="moderator")
    assert await _typing(discord_bot, monkeypatch, "fact edit", typed) == []  # own sources only


async def test_slash_answers_offers_channels_and_forums_and_switches_this_channel(
    discord_bot: DiscordHarness, responses: Responses
) -> None:
    answers = discord_bot.bot.tree.get_command("answers")
    assert isinstance(answers, app_commands.Command)
    state, channel = answers.parameters
    assert [c.value for c in state.choices] == ["on", "off", "list"]
    assert set(channel.channel_types) == {
        discord.ChannelType.text,
        discord.ChannelType.news,
        discord.ChannelType.forum,
        discord.ChannelType.media,  # a forum of pictures, to discord.py a ForumChannel
    }
    await _slash(discord_bot, "answers", {"state": "on"}, role="moderator")
    ((said, private),) = responses
    assert said is not None
    assert said.startswith(f"I'll answer plain questions in <#{discord_bot.channel(0).id}>")
    assert not private
    assert discord_bot.bot.engine.answer_channels.of(discord_bot.guilds[0].id) == {
        discord_bot.channel(0).id
    }


async def test_slash_moderators_is_shown_to_server_managers_only(
    discord_bot: DiscordHarness,
) -> None:
    moderators = discord_bot.bot.tree.get_command("moderators")
    assert isinstance(moderators, app_commands.Command)
    assert moderators.default_permissions == discord.Permissions(manage_guild=True)
    change, role = moderators.parameters
    assert [c.value for c in change.choices] == ["add", "remove", "list"]
    assert role.type is discord.AppCommandOptionType.role


async def test_did_you_mean_is_a_button_that_asks_it(
    discord_bot: DiscordHarness, responses: Responses, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unsure, the bot offers facts as buttons: the member who asked clicks one and the
    bot's reply becomes that answer for all to see; anyone else clicking sees it alone."""
    edits: list[dict[str, Any]] = []

    async def edit_message(self: discord.InteractionResponse, **fields: Any) -> None:
        edits.append(fields)

    monkeypatch.setattr(discord.InteractionResponse, "edit_message", edit_message)
    (unsure,) = await discord_bot.say("!ask what about meta?")
    assert unsure.text.startswith("I'm not sure which you mean.")
    label = "How much did Meta pay for its stake in Scale AI?"

    await _click(discord_bot, unsure.message, label, role="moderator")  # not who asked
    (shown, only_them) = responses[-1]
    assert shown == "Meta paid $14.3 billion for a 49% stake in Scale AI."
    assert only_them
    assert edits == []

    await _click(discord_bot, unsure.message, label, role="member")  # who asked
    (edit,) = edits
    assert edit["content"] is None
    assert edit["view"] is None  # the buttons go
    assert edit["embed"].description == "Meta paid $14.3 billion for a 49% stake in Scale AI."
    reply = unsure.message
    assert [r.emoji for r in reply.reactions] == ["👍", "👎"]
    assert discord_bot.said is not None  # the reply still follows the question's edits
    logged = await discord_bot.bot.engine.reply_to(discord_bot.said.id)
    assert logged is not None
    # Votes on the reply count for the fact it shows now.
    assert (logged.reply_id, logged.answered_with) == (reply.id, "meta-investment")
    # Judged, then reworded to ask something else: the judged answer goes, a new one comes.
    await discord_bot.react(reply, "👎", guild=0, role="moderator")
    (anew,) = await discord_bot.edit(discord_bot.said, "!ask where did scale's ceo go?")
    assert anew.message.id != reply.id
    assert await discord_bot.now_reads(unsure) is None


async def test_a_button_for_a_fact_removed_since_says_so(
    discord_bot: DiscordHarness, responses: Responses
) -> None:
    (unsure,) = await discord_bot.say("!ask what about meta?")
    await discord_bot.say("!fact remove id: meta-investment", role="moderator")
    label = "How much did Meta pay for its stake in Scale AI?"
    await _click(discord_bot, unsure.message, label, role="member")
    assert responses == [("That fact was removed meanwhile: ask again in your own words.", True)]
