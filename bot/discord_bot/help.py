"""`!help`, worded the way commands are typed: ``!fact edit id: … [answer: …]``."""

from __future__ import annotations

from typing import Any

from discord.ext import commands

from bot import replies


def flags_of(command: commands.Command[Any, ..., Any]) -> type[commands.FlagConverter] | None:
    """The ``question: … answer: …`` flags the command reads, if it reads flags."""
    for param in command.clean_params.values():
        converter = param.converter
        if isinstance(converter, type) and issubclass(converter, commands.FlagConverter):
            return converter
    return None


def signature(command: commands.Command[Any, ..., Any]) -> str:
    """``fact edit id: … [answer: …] [cite: …]``: the whole name and every flag, where
    discord.py would show ``<flags>`` (or, in its help, the last word of the name only)."""
    flags = flags_of(command)
    if flags is None:
        return f"{command.qualified_name} {command.signature}".rstrip()
    named = replies.flag_usage((f.name, f.required) for f in flags.get_flags().values())
    return f"{command.qualified_name} {named}"


class FactBotHelp(commands.DefaultHelpCommand):
    """discord.py's help, with each command's whole name and its flags spelled out (its own
    shows ``!add`` for ``fact add`` and lists one argument, ``flags``)."""

    def __init__(self) -> None:
        super().__init__(dm_help=False, show_parameter_descriptions=False)

    def get_command_signature(self, command: commands.Command[Any, ..., Any], /) -> str:
        return f"{self.context.clean_prefix}{signature(command)}"

    def get_ending_note(self) -> str:
        """discord.py's note, then the ways of asking that no command lists."""
        return f"{super().get_ending_note()}\n{replies.OTHER_WAYS_TO_ASK}"
