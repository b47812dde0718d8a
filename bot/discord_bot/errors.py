"""One place that turns a failed command into one clear line for the member."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from discord.ext import commands

from bot import replies
from bot.discord_bot.help import flags_of, signature
from bot.errors import BadInput

if TYPE_CHECKING:
    from bot.discord_bot.client import FactBot

log = logging.getLogger(__name__)


class NotModerator(commands.CheckFailure):
    def __init__(self) -> None:
        super().__init__(replies.NOT_MODERATOR)


def _usage(ctx: commands.Context[Any]) -> str:
    if ctx.command is None:
        return ""
    return f" Usage: `{ctx.clean_prefix}{signature(ctx.command)}`"


def _missing(command: commands.Command[Any, ..., Any] | None, param: str) -> str:
    """What to name when nothing at all follows a command that takes flags: its first
    required flag (discord.py names the converter's parameter, ``flags``)."""
    flags = flags_of(command) if command is not None else None
    required = [f.name for f in flags.get_flags().values() if f.required] if flags else []
    return f"`{required[0]}:`" if required else f"`{param}`"


def explain(ctx: commands.Context[Any], error: Exception) -> str | None:
    """The line to show the member, or None when the error is ours and must be logged."""
    if isinstance(error, commands.HybridCommandError):
        error = error.original
    if isinstance(error, commands.CommandInvokeError | commands.ConversionError):
        error = error.original  # type: ignore[assignment]
    if hasattr(error, "original") and isinstance(error.original, BadInput):  # app commands
        error = error.original
    match error:
        case BadInput():
            return str(error)
        case commands.CommandOnCooldown():
            return replies.cooldown(error.retry_after)
        case commands.NoPrivateMessage():
            return "That command works in a server, not in direct messages."
        case NotModerator() | commands.MissingPermissions():
            return str(error)
        case commands.CheckFailure():
            return "You are not allowed to use that command here."
        case commands.MissingRequiredFlag() | commands.MissingFlagArgument():
            return f"`{error.flag.name}:` is missing.{_usage(ctx)}"
        case commands.MissingRequiredArgument():
            return f"{_missing(ctx.command, error.param.name)} is missing.{_usage(ctx)}"
        case commands.TooManyFlags():
            return f"`{error.flag.name}:` given more than once.{_usage(ctx)}"
        case commands.BadFlagArgument():
            return f"`{error.flag.name}:` is not valid.{_usage(ctx)}"
        case commands.UserInputError():
            return f"I could not read that.{_usage(ctx)}"
        case commands.CommandNotFound():
            return _unknown_command(ctx)
    return None


def _unknown_command(ctx: commands.Context[Any]) -> str:
    names = [c.qualified_name for c in ctx.bot.walk_commands() if not c.hidden]
    return replies.unknown_command((ctx.invoked_with or "").lower(), names, ctx.clean_prefix)


async def handle_command_error(ctx: commands.Context[FactBot], error: Exception) -> None:
    message = explain(ctx, error)
    if message is None:
        log.exception("command %s failed", ctx.command, exc_info=error)
        message = "Something went wrong on my side; it has been logged."
    await ctx.send(replies.clip(message, replies.MESSAGE_LIMIT), ephemeral=True)
