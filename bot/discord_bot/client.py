"""The bot itself: settings and engine in, cogs loaded in ``setup_hook``."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass

import discord
from discord.ext import commands

from bot.config import Settings
from bot.discord_bot.errors import handle_command_error
from bot.discord_bot.help import FactBotHelp
from bot.engine import Engine
from bot.errors import BadInput

log = logging.getLogger(__name__)

STOP_GRACE = 10.0
"""Seconds a stopping bot gives the answers and commands in progress. Hosts wait 10 to 30
seconds after SIGTERM before they kill a process."""


@dataclass(frozen=True)
class Asked:
    """A question a message puts to the bot."""

    question: str
    quietly: bool
    """Plain chat in an answer channel: answered only when the bot is sure."""
    title: str | None = None
    """The title of the forum post the message opens: it may be the question by itself,
    or only make sense with the message ("VPN keeps dropping")."""

    def readings(self) -> list[str]:
        """What the message may ask: itself, or with a post's title, the title with the
        message and the title alone."""
        if self.title is None:
            return [self.question]
        return [f"{self.title}\n{self.question}", self.title]


EXTENSIONS = (
    "bot.discord_bot.cogs.asking",
    "bot.discord_bot.cogs.curating",
    "bot.discord_bot.cogs.server",
)


class FactBot(commands.Bot):
    engine: Engine

    def __init__(self, *, settings: Settings, intents: discord.Intents | None = None) -> None:
        if intents is None:
            intents = discord.Intents.default()
            # Reading "!ask …", mentions and plain questions needs the message text.
            intents.message_content = True
        super().__init__(
            command_prefix=commands.when_mentioned_or(settings.command_prefix),
            intents=intents,
            # Answers echo what members and moderators wrote: never let them ping anyone.
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=FactBotHelp(),
            description="Answers questions from curated facts, quoting its sources.",
            # In the member list under the bot's name: how to ask it.
            activity=discord.Activity(type=discord.ActivityType.listening, name="/ask"),
            # One shard of several (each its own process, one PostgreSQL database), or all.
            shard_id=settings.shard_id,
            shard_count=settings.shard_count,
        )
        self.settings = settings

    async def setup_hook(self) -> None:
        self.engine = await Engine.for_settings(self.settings)
        # What is loaded now lives as long as the bot: keep the cycle collector from
        # walking through it again and again (with 100,000 facts, pauses of a tenth of a
        # second in the middle of answering).
        gc.freeze()
        # Other shards and `factbot chat` may write to the same database: follow them.
        self._watching = asyncio.create_task(self.engine.watch(), name="factbot-watch")
        for extension in EXTENSIONS:
            await self.load_extension(extension)
        if self.application_id is None:
            # Not logged in (tests build the bot without connecting): nothing to sync to.
            return
        if self.settings.dev_guild_id is not None:
            guild = discord.Object(id=self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d slash commands to guild %s", len(synced), guild.id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d slash commands globally (may take a while to show)", len(synced))

    async def stop(self) -> None:
        """Stop as a host asks (SIGTERM, on every deploy or restart): what members and
        moderators asked before is answered first, for up to `STOP_GRACE` seconds, then the
        bot closes. Closing at once would drop replies half sent."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STOP_GRACE
        # A message's task may hand the question on to a task of its own: look again.
        while (busy := _in_progress()) and (left := deadline - loop.time()) > 0:
            await asyncio.wait(busy, timeout=left)
        await self.close()

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            if hasattr(self, "_watching"):
                self._watching.cancel()
            if hasattr(self, "engine"):
                await self.engine.close()

    async def on_message(self, message: discord.Message) -> None:
        """Commands run as usual (`!ask` among them); "@FactBot <question>" and plain
        questions in answer channels go to the asking cog as a ``question`` event."""
        if message.author.bot:
            return
        ctx = await self.get_context(message)
        if ctx.command is not None or (asked := self._asked(ctx)) is None:
            await self.invoke(ctx)
        else:
            self.dispatch("question", message, asked)

    async def asked(self, message: discord.Message) -> Asked | None:
        """What a message asks the bot, by any of the ways members ask; None when it is
        another command, or chat outside the answer channels."""
        return self._asked(await self.get_context(message))

    def _asked(self, ctx: commands.Context[FactBot]) -> Asked | None:
        message = ctx.message
        if ctx.command is not None:
            if ctx.command.qualified_name != "ask":
                return None
            return Asked(ctx.view.read_rest(), quietly=False)  # as `ask` reads its question
        question = self._after_mention(message.content)
        if question is not None:
            return Asked(question, quietly=False)
        if ctx.prefix is None and self._answers_plainly(message):
            return Asked(message.content, quietly=True, title=_post_title(message))
        if ctx.prefix is None and self._replied_to(message):
            # A follow-up in reply to the bot: asked, though answered only when sure
            # ("thanks!" in reply gets no "I don't know that one").
            return Asked(message.content, quietly=True)
        return None

    def _replied_to(self, message: discord.Message) -> bool:
        """Whether a message replies to one of the bot's."""
        replied = message.reference.resolved if message.reference else None
        me = self.user
        return isinstance(replied, discord.Message) and me is not None and replied.author == me

    def _answers_plainly(self, message: discord.Message) -> bool:
        """Whether plain questions are answered where ``message`` was sent: in its server's
        answer channels (``ANSWER_CHANNEL_IDS`` and its moderators' `answers on`) and in
        their threads (a forum's posts are threads of the forum)."""
        ids = set(self.settings.answer_channel_ids)
        if message.guild is not None:
            ids |= self.engine.answer_channels.of(message.guild.id)
        channel = message.channel
        in_thread = isinstance(channel, discord.Thread) and channel.parent_id in ids
        return channel.id in ids or in_thread

    def _after_mention(self, content: str) -> str | None:
        """What follows a leading mention of the bot, or None if it does not start with one."""
        if self.user is None:
            return None
        for mention in (f"<@{self.user.id}>", f"<@!{self.user.id}>"):
            if content.startswith(mention):
                return content[len(mention) :]
        return None

    async def on_ready(self) -> None:
        log.info("logged in as %s (%s)", self.user, getattr(self.user, "id", "?"))

    async def on_command_error(
        self,
        ctx: commands.Context[FactBot],
        error: commands.CommandError,  # type: ignore[override]
    ) -> None:
        await handle_command_error(ctx, error)


def _post_title(message: discord.Message) -> str | None:
    """The title of the forum post ``message`` opens, if it opens one."""
    channel = message.channel
    # Only a forum's post starts inside its thread: a thread off a channel's message
    # shares that message's id, but the message stays in the channel.
    if isinstance(channel, discord.Thread) and message.id == channel.id:
        return channel.name
    return None


def _in_progress() -> set[asyncio.Task[object]]:
    """The tasks answering Discord's events, slash commands and buttons, by the names
    discord.py gives them (`Client._schedule_event`, `CommandTree._from_interaction`,
    `ViewStore`)."""
    return {
        task
        for task in asyncio.all_tasks()
        if task is not asyncio.current_task()
        and not task.done()
        and (
            task.get_name().startswith(("discord.py: ", "discord-ui-"))  # buttons too
            or task.get_name() == "CommandTree-invoker"
        )
    }


@contextlib.asynccontextmanager
async def stopping_on_sigterm(bot: FactBot) -> AsyncIterator[None]:
    """While inside, SIGTERM stops the bot gracefully (`FactBot.stop`) instead of killing
    the process mid-reply; leaving waits for that stop to finish closing (`Client.start`
    returns as soon as closing begins). Ctrl-C already closes the bot: asyncio turns it
    into an exception."""
    loop = asyncio.get_running_loop()
    stopping: list[asyncio.Task[None]] = []  # the loop itself holds tasks only weakly

    def stop() -> None:
        log.info("SIGTERM: finishing the answers in progress, then stopping")
        stopping.append(loop.create_task(bot.stop(), name="factbot-stop"))

    try:
        loop.add_signal_handler(signal.SIGTERM, stop)
    except NotImplementedError:  # Windows' event loops take no signal handlers
        yield
        return
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGTERM)
        await asyncio.gather(*stopping)


def create_bot(
    settings: Settings | None = None, *, intents: discord.Intents | None = None
) -> FactBot:
    """Build the bot without connecting; with no settings, read them from the environment.

    ``intents``: the default ones and Message Content, unless given (tests give the members
    intent: dpytest keeps its fake members only with it, which the real bot does not need,
    as message authors carry their roles).
    """
    return FactBot(settings=settings or Settings(), intents=intents)


async def run_bot(settings: Settings) -> None:
    """Connect and serve until stopped. Where Discord refuses the Message Content intent
    (not switched on for the application), serve without it: slash commands, mentions of
    the bot (Discord shows a bot what mentions it) and Ask FactBot still work, and the log
    says what to switch on for the rest."""
    assert settings.discord_token is not None
    discord.utils.setup_logging()
    try:
        await _serve(settings, None)
    except discord.PrivilegedIntentsRequired:
        log.warning(
            "Discord refused the Message Content intent: `!ask` and answer channels cannot "
            "be read (slash commands, mentions of the bot and Ask FactBot still work). Turn "
            "it on under Bot → Privileged Gateway Intents in the Developer Portal, then restart."
        )
        await _serve(settings, discord.Intents.default())


async def _serve(settings: Settings, intents: discord.Intents | None) -> None:
    assert settings.discord_token is not None
    async with create_bot(settings, intents=intents) as bot:
        try:
            async with stopping_on_sigterm(bot):
                await bot.start(settings.discord_token.get_secret_value())
        except discord.LoginFailure:
            raise BadInput(
                "Discord refused DISCORD_TOKEN: copy the bot's token again (Developer "
                "Portal → your application → Bot → Reset Token)"
            ) from None
