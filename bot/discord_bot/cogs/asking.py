"""Members ask: `/ask`, `!ask`, a mention, or a plain question in an answer channel."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot import replies
from bot.discord_bot.embeds import answer_embed
from bot.discord_bot.errors import explain
from bot.engine import check_question
from bot.errors import BadInput
from bot.models import GLOBAL, Answer

if TYPE_CHECKING:
    from bot.discord_bot.client import FactBot

log = logging.getLogger(__name__)

VOTES = {"👍": 1, "👎": -1}


class Asking(commands.Cog):
    def __init__(self, bot: FactBot) -> None:
        self.bot = bot
        settings = bot.settings
        self._cooldowns = commands.CooldownMapping.from_cooldown(
            settings.ask_cooldown_rate, settings.ask_cooldown_seconds, commands.BucketType.user
        )

    def _enforce_cooldown(self, message: discord.Message) -> None:
        bucket = self._cooldowns.get_bucket(message)
        retry_after = bucket.update_rate_limit() if bucket else None
        if bucket is not None and retry_after:
            raise commands.CommandOnCooldown(bucket, retry_after, commands.BucketType.user)

    def _answer(self, question: str, message: discord.Message) -> Answer:
        question = check_question(question, keep_lines=True)
        return self.bot.engine.ask(question, message.guild.id if message.guild else GLOBAL)

    def _render(self, answer: Answer, channel: discord.abc.Messageable) -> dict[str, object]:
        if not answer.answered:
            return {"content": replies.not_answered(answer, self.bot.settings.command_prefix)}
        if _may_embed(channel):
            return {"embed": answer_embed(answer)}
        return {"content": replies.answer_message(answer)}

    async def _record(
        self, answer: Answer, message: discord.Message, reply: discord.Message
    ) -> None:
        await self.bot.engine.record(
            answer,
            guild_id=message.guild.id if message.guild else GLOBAL,
            channel_id=message.channel.id,
            reply_id=reply.id,
        )

    async def _reply(self, answer: Answer, message: discord.Message) -> None:
        rendered = self._render(answer, message.channel)
        reply = await message.reply(**rendered, mention_author=False)  # type: ignore[arg-type]
        await self._record(answer, message, reply)

    @commands.hybrid_command()
    @app_commands.describe(question="What you want to know, e.g. how many vacation days do I get?")
    async def ask(self, ctx: commands.Context[FactBot], *, question: str) -> None:
        """Ask a question; the answer quotes the sentences it comes from."""
        self._enforce_cooldown(ctx.message)
        answer = self._answer(question, ctx.message)
        reply = await ctx.send(**self._render(answer, ctx.channel))  # type: ignore[arg-type]
        await self._record(answer, ctx.message, reply)

    @commands.Cog.listener()
    async def on_mention_question(self, message: discord.Message, question: str) -> None:
        try:
            self._enforce_cooldown(message)
            answer = self._answer(question, message)
        except (BadInput, commands.CommandOnCooldown) as error:
            ctx = await self.bot.get_context(message)
            said = explain(ctx, error) or str(error)
            await message.reply(replies.clip(said, replies.MESSAGE_LIMIT), mention_author=False)
            return
        await self._reply(answer, message)

    @commands.Cog.listener()
    async def on_channel_question(self, message: discord.Message) -> None:
        """Plain chat is answered only when the bot is sure; otherwise it stays quiet."""
        try:
            answer = self._answer(message.content, message)
        except BadInput:
            return
        if not answer.answered or answer.confidence < self.bot.settings.channel_threshold:
            return
        try:
            self._enforce_cooldown(message)
        except commands.CommandOnCooldown:
            return
        await self._reply(answer, message)

    @commands.Cog.listener()
    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self._feedback(payload, added=True)

    @commands.Cog.listener()
    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self._feedback(payload, added=False)

    async def _feedback(self, payload: discord.RawReactionActionEvent, *, added: bool) -> None:
        vote = VOTES.get(str(payload.emoji))
        if vote is None or (self.bot.user and payload.user_id == self.bot.user.id):
            return
        await self.bot.engine.feedback(payload.message_id, payload.user_id, vote, given=added)


def _may_embed(channel: discord.abc.Messageable) -> bool:
    """Whether the bot may send embeds there: where a server denies it Embed Links, an
    embed shows nothing at all, so the answer goes in the message's text instead."""
    if isinstance(channel, discord.abc.GuildChannel | discord.Thread):
        return channel.permissions_for(channel.guild.me).embed_links
    return True  # direct messages


async def setup(bot: FactBot) -> None:
    await bot.add_cog(Asking(bot))
