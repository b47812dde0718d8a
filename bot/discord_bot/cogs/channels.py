"""Moderators choose where plain questions are answered: `answers on` in a channel (its
threads and a forum's posts too), `answers off`, `answers` to list them. The choice is
the server's, kept by the engine (``Engine.answer_channels``) and followed by every shard;
``ANSWER_CHANNEL_IDS`` adds the host's own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_bot.checks import actor, check_moderator
from bot.errors import BadInput

if TYPE_CHECKING:
    from bot.discord_bot.client import FactBot


class AnswerChannels(commands.Cog, name="Channels"):
    def __init__(self, bot: FactBot) -> None:
        self.bot = bot

    async def cog_check(self, ctx: commands.Context[FactBot]) -> bool:  # type: ignore[override]
        """For moderators, in a server."""
        return await check_moderator(ctx)

    # ignore_extra=False: "answers on #nowhere" must not switch this channel instead.
    @commands.hybrid_command(ignore_extra=False, usage="[on|off|list] [#channel]")
    @app_commands.describe(
        state="on: answer plain questions there; off: only when asked; list: where I do",
        channel="Another channel or forum than this one",
    )
    async def answers(
        self,
        ctx: commands.Context[FactBot],
        state: Literal["on", "off", "list"] = "list",
        channel: discord.TextChannel | discord.ForumChannel | None = None,
    ) -> None:
        """Answer plain questions in a channel, without `ask` or a mention, when I am sure:
        `answers on` here (its threads too; a forum: its posts), `answers off`, or
        `answers` to list where I do."""
        assert ctx.guild is not None  # the cog's check refuses direct messages
        settings = self.bot.settings
        where = channel or _channel_itself(ctx.channel)
        if state == "list":
            ids = self.bot.engine.answer_channels.of(ctx.guild.id) | {
                i for i in settings.answer_channel_ids if ctx.guild.get_channel(i)
            }
            await ctx.send(_answer_channels_line(sorted(ids), settings.channel_threshold))
            return
        if state == "off" and where.id in settings.answer_channel_ids:
            raise BadInput(
                f"<#{where.id}> answers by the bot's own settings (ANSWER_CHANNEL_IDS); "
                "whoever hosts it can change that."
            )
        switched = await self.bot.engine.answer_channels.switch(
            ctx.guild.id, where.id, state == "on", actor=actor(ctx)
        )
        said = _answers_switched(where, state == "on", switched, ctx.clean_prefix)
        if state == "on" and (doubt := self._cannot_answer_in(where)):
            said += f"\n{doubt}"
        await ctx.send(said)

    def _cannot_answer_in(self, channel: discord.abc.GuildChannel) -> str | None:
        """Why plain questions there would go unanswered, if they would."""
        if not self.bot.intents.message_content:
            return "⚠ I run without the Message Content intent, so I cannot read them."
        can = channel.permissions_for(channel.guild.me)
        in_posts = isinstance(channel, discord.ForumChannel)  # a forum's posts are threads
        post = can.send_messages_in_threads if in_posts else can.send_messages
        if not (can.view_channel and post):
            return "⚠ I may not see or post there: check my permissions in that channel."
        return None


def _channel_itself(channel: discord.abc.Messageable) -> discord.abc.GuildChannel:
    """The channel a command was used in, or, in a thread or a forum post, its parent:
    answering is switched for a channel and its threads together."""
    if isinstance(channel, discord.Thread) and channel.parent is not None:
        return channel.parent
    assert isinstance(channel, discord.abc.GuildChannel)
    return channel


def _answer_channels_line(ids: list[int], threshold: float) -> str:
    if not ids:
        return "I answer plain questions nowhere here; `answers on` in a channel starts it."
    listed = ", ".join(f"<#{i}>" for i in ids)
    return f"I answer plain questions in {listed} (and their threads) when {threshold:.0f}% sure."


def _answers_switched(
    channel: discord.abc.GuildChannel, on: bool, switched: bool, prefix: str
) -> str:
    if on and switched:
        return (
            f"I'll answer plain questions in <#{channel.id}> and its threads when I'm sure. "
            f"`{prefix}answers off` stops it."
        )
    if on:
        return f"<#{channel.id}> is an answer channel already."
    if switched:
        return f"In <#{channel.id}> I'll answer only when asked (`{prefix}ask`, or a mention)."
    return f"<#{channel.id}> is not an answer channel."


async def setup(bot: FactBot) -> None:
    await bot.add_cog(AnswerChannels(bot))
