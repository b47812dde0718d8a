"""A server's setup, chosen by its own moderators and admins, kept by the engine and
followed by every shard: where plain questions are answered (`answers on` in a channel,
its threads and a forum's posts too; ``ANSWER_CHANNEL_IDS`` adds the host's own), and
which roles may curate (`moderators add @Helpers`, for admins; ``MODERATOR_ROLE_IDS``
adds the host's own)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_bot.checks import actor, check_moderator
from bot.errors import BadInput

if TYPE_CHECKING:
    from bot.discord_bot.client import FactBot


class ServerSetup(commands.Cog, name="Setup"):
    def __init__(self, bot: FactBot) -> None:
        self.bot = bot

    # ignore_extra=False: "answers on #nowhere" must not switch this channel instead.
    @commands.hybrid_command(ignore_extra=False, usage="[on|off|list] [#channel]")
    @app_commands.describe(
        state="on: answer plain questions there; off: only when asked; list: where I do",
        channel="Another channel or forum than this one",
    )
    @commands.check(check_moderator)
    async def answers(
        self,
        ctx: commands.Context[FactBot],
        state: Literal["on", "off", "list"] = "list",
        channel: discord.TextChannel | discord.ForumChannel | None = None,
    ) -> None:
        """Answer plain questions in a channel, without `ask` or a mention, when I am sure:
        `answers on` here (its threads too; a forum: its posts), `answers off`, or
        `answers` to list where I do."""
        assert ctx.guild is not None  # check_moderator refuses direct messages
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

    @commands.hybrid_command(ignore_extra=False, usage="[add|remove|list] [@role]")
    @commands.check(check_moderator)
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.describe(
        change="add: the role may curate facts; remove: no longer; list: which roles may",
        role="The role, e.g. @Helpers",
    )
    async def moderators(
        self,
        ctx: commands.Context[FactBot],
        change: Literal["add", "remove", "list"] = "list",
        role: discord.Role | None = None,
    ) -> None:
        """Let a role curate facts here: `moderators add @Helpers`, `moderators remove
        @Helpers` (for those who manage the server), or `moderators` to list them. Manage
        Messages or Manage Server lets anyone curate anyway."""
        assert ctx.guild is not None  # check_moderator refuses direct messages
        host = {i for i in self.bot.settings.moderator_role_ids if ctx.guild.get_role(i)}
        chosen = self.bot.engine.moderator_roles
        if change == "list":
            await ctx.send(_moderator_roles_line(sorted(chosen.of(ctx.guild.id) | host)))
            return
        # Moderators may see who curates; naming more of them is for the server's managers.
        assert isinstance(ctx.author, discord.Member)  # as check_moderator made sure
        if not ctx.author.guild_permissions.manage_guild:
            raise commands.MissingPermissions(["manage_guild"])
        if role is None:
            raise BadInput(f"Name the role: `{ctx.clean_prefix}moderators {change} @Helpers`.")
        if role.is_default():
            raise BadInput(
                "Not @everyone: anyone could then change the facts. Name a role, like @Helpers."
            )
        if change == "remove" and role.id in host:
            raise BadInput(
                f"<@&{role.id}> curates by the bot's own settings (MODERATOR_ROLE_IDS); "
                "whoever hosts it can change that."
            )
        switched = await chosen.switch(ctx.guild.id, role.id, change == "add", actor=actor(ctx))
        await ctx.send(_moderators_switched(role, change == "add", switched))

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


def _moderator_roles_line(ids: list[int]) -> str:
    always = "Manage Messages or Manage Server always may"
    if not ids:
        return f"No role is named to curate facts here; {always}. `moderators add @role` names one."
    listed = ", ".join(f"<@&{i}>" for i in ids)
    return f"Curating facts here: {listed}; {always}."


def _moderators_switched(role: discord.Role, add: bool, switched: bool) -> str:
    if add and switched:
        return f"<@&{role.id}> may curate facts here now (`fact add`, `fact edit`, …)."
    if add:
        return f"<@&{role.id}> may curate facts here already."
    if switched:
        return f"<@&{role.id}> no longer curates facts here."
    return f"<@&{role.id}> was not named to curate facts here."


async def setup(bot: FactBot) -> None:
    await bot.add_cog(ServerSetup(bot))
