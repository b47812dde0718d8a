"""Who may curate (the configured moderator roles, or Manage Messages / Manage Server), how
the history names them, and what the bot itself may do in a channel."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.discord_bot.errors import NotModerator

if TYPE_CHECKING:
    from bot.discord_bot.client import FactBot


def bot_may(channel: discord.abc.Messageable, permission: str) -> bool:
    """Whether the bot has ``permission`` (e.g. ``"embed_links"``) in a server's channel;
    in direct messages it may do what a bot can."""
    if isinstance(channel, discord.abc.GuildChannel | discord.Thread):
        return bool(getattr(channel.permissions_for(channel.guild.me), permission))
    return True


def is_moderator(member: discord.Member, moderator_role_ids: Collection[int]) -> bool:
    permissions = member.guild_permissions
    if permissions.manage_messages or permissions.manage_guild:
        return True
    return any(role.id in moderator_role_ids for role in member.roles)


async def check_moderator(ctx: commands.Context[FactBot]) -> bool:
    """A command check: in a server, by a moderator (Manage Messages or Manage Server, a
    role of ``MODERATOR_ROLE_IDS``, or one the server's admins named with `moderators
    add`); raises with the reason otherwise."""
    if ctx.guild is None or not isinstance(ctx.author, discord.Member):
        raise commands.NoPrivateMessage()
    roles = {*ctx.bot.settings.moderator_role_ids, *ctx.bot.engine.moderator_roles.of(ctx.guild.id)}
    if not is_moderator(ctx.author, roles):
        raise NotModerator()
    return True


def actor(ctx: commands.Context[FactBot]) -> str:
    """Who made a change, as the history keeps it: name and id (a name can change)."""
    return f"{ctx.author} ({ctx.author.id})"
