"""Members ask: `/ask`, `!ask`, a mention, a plain question in an answer channel, a reply to
the bot, or Apps → Ask FactBot on someone's message. A reply follows its question's edits
and deletion."""

from __future__ import annotations

import contextlib
import logging
from collections import OrderedDict
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import replies
from bot.discord_bot import offers
from bot.discord_bot.checks import bot_may
from bot.discord_bot.client import Asked
from bot.discord_bot.embeds import answer_embed, as_written, may_embed
from bot.discord_bot.errors import explain
from bot.discord_bot.suggested import AskSuggested, suggestion_buttons
from bot.engine import check_question
from bot.errors import BadInput
from bot.models import GLOBAL, Answer
from bot.parts import asks

if TYPE_CHECKING:
    from bot.discord_bot.client import FactBot

log = logging.getLogger(__name__)

VOTES = {"👍": 1, "👎": -1}


@dataclass(frozen=True)
class Replied:
    """The bot's reply to a question, and the question it answered, as read."""

    reply: discord.Message | discord.PartialMessage
    asked: str
    answered_with: str | None = None
    """The fact the reply answers with (members may have voted on it), if it answers."""


class RecentReplies:
    """The bot's reply to each of its latest questions, so that an edit or a deletion of
    the question can reach it at once. Only the bot's own replies count, so 1,000 of them
    reach further back than discord.py's cache of the last 1,000 messages of every server;
    a question older than all it holds (or than this process) is looked up in the log."""

    def __init__(self, size: int = 1000) -> None:
        self._replies: OrderedDict[int, Replied] = OrderedDict()
        self._size = size
        self._since = discord.utils.time_snowflake(discord.utils.utcnow())
        """Messages from here on that the bot replied to are all held (ids grow with time)."""

    def get(self, question_id: int) -> Replied | None:
        return self._replies.get(question_id)

    def holds_all_of(self, question_id: int) -> bool:
        """Whether a question's reply, if there is one, is held here."""
        return question_id >= self._since

    def remember(self, question_id: int, replied: Replied) -> None:
        self._replies[question_id] = replied
        self._replies.move_to_end(question_id)
        while len(self._replies) > self._size:
            forgotten, _ = self._replies.popitem(last=False)
            self._since = max(self._since, forgotten + 1)

    def forget(self, question_id: int) -> Replied | None:
        return self._replies.pop(question_id, None)


class Asking(commands.Cog):
    def __init__(self, bot: FactBot) -> None:
        self.bot = bot
        settings = bot.settings
        # Per member, whichever way they ask (a message's author, or who used a command).
        self._cooldowns: commands.CooldownMapping[discord.abc.User] = (
            commands.CooldownMapping.from_cooldown(
                settings.ask_cooldown_rate, settings.ask_cooldown_seconds, _member
            )
        )
        self._replies = RecentReplies()
        # A context menu cannot be declared in a cog as slash commands are: it is added to
        # the tree while the cog is loaded.
        self._ask_menu = app_commands.ContextMenu(name="Ask FactBot", callback=self.ask_about)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self._ask_menu)
        self.bot.add_dynamic_items(AskSuggested)

    async def cog_unload(self) -> None:
        self.bot.tree.remove_command(self._ask_menu.name, type=self._ask_menu.type)
        self.bot.remove_dynamic_items(AskSuggested)

    def _enforce_cooldown(self, member: discord.abc.User) -> None:
        bucket = self._cooldowns.get_bucket(member)
        retry_after = bucket.update_rate_limit() if bucket else None
        if bucket is not None and retry_after:
            raise commands.CommandOnCooldown(bucket, retry_after, commands.BucketType.user)

    async def _too_soon(self, interaction: discord.Interaction) -> bool:
        """Whether the member clicking or asking from a menu has asked too often: then they
        alone are told when they may ask again (a menu or a button has no command error
        handler to say it)."""
        try:
            self._enforce_cooldown(interaction.user)
        except commands.CommandOnCooldown as error:
            said = replies.cooldown(error.retry_after)
            await interaction.response.send_message(said, ephemeral=True)
            return True
        return False

    async def _answer(self, question: str, message: discord.Message) -> Answer:
        question = check_question(question, keep_lines=True)
        return await self.bot.engine.answer(question, message.guild.id if message.guild else GLOBAL)

    def _render(
        self,
        answer: Answer,
        channel: discord.abc.Messageable,
        asked_by: discord.abc.User,
        *,
        to_me: bool = True,
    ) -> dict[str, object]:
        """The reply to ``asked_by``; ``to_me``: they said it to the bot, so thanks or a
        greeting is answered in kind (not when asked about someone else's message)."""
        if not answer.answered:
            guild = getattr(channel, "guild", None)
            example = partial(self.bot.engine.example_question, guild.id if guild else GLOBAL)
            buttons = suggestion_buttons(answer, asked_by.id)
            said = replies.not_answered(
                answer,
                self.bot.settings.command_prefix,
                as_written,
                example=example if to_me else None,
                buttons=buttons is not None,
            )
            return {"content": said} if buttons is None else {"content": said, "view": buttons}
        if may_embed(channel):
            return {"embed": answer_embed(answer)}
        return {"content": replies.answer_message(answer, as_written)}

    async def _record(
        self,
        answer: Answer,
        asked_in: discord.Message | discord.Interaction,
        reply: discord.Message | None,
        *,
        follows: int | None = None,
    ) -> None:
        """Log the question; ``follows``: the message whose edits the reply follows, even
        after a restart."""
        await self.bot.engine.record(
            answer,
            guild_id=asked_in.guild.id if asked_in.guild else GLOBAL,
            channel_id=asked_in.channel.id if asked_in.channel else None,
            reply_id=reply.id if reply else None,
            message_id=follows,
        )

    async def _reply(self, answer: Answer, message: discord.Message, asked: Asked) -> None:
        """Reply to the question, or, when it was edited, change the reply it already has."""
        rendered = self._render(answer, message.channel, message.author)
        reply = await self._post(message, asked, _answered_with(answer), **rendered)
        await self._record(answer, message, reply, follows=message.id)
        await _invite_votes(reply, answer)

    async def _post(
        self, message: discord.Message, asked: Asked, answered_with: str | None, **sent: Any
    ) -> discord.Message:
        """The reply to ``message``: its reply from before an edit changed to say this, or
        a new one (also when someone deleted the old one meanwhile). A reply members voted
        on is sent anew if its answer changes: their 👍 and 👎 judged the old answer."""
        replied = await self._replied(message.id)
        reply = None
        if (
            replied is not None
            and replied.answered_with not in (None, answered_with)
            and await self.bot.engine.voted_on(replied.reply.id)
        ):
            await self._take_back(message.id)
        elif replied is not None:
            with contextlib.suppress(discord.NotFound):
                blank = {"content": None, "embed": None, "view": None}
                reply = await replied.reply.edit(**{**blank, **sent})
        if reply is None:
            reply = await _respond(message, **sent)
        self._replies.remember(message.id, Replied(reply, _read(asked), answered_with))
        return reply

    async def _replied(self, question_id: int) -> Replied | None:
        """The bot's reply to a message's question: held in memory, or, for a message
        from before this process started (or older than all it holds), as logged."""
        replied = self._replies.get(question_id)
        if replied is not None or self._replies.holds_all_of(question_id):
            return replied
        logged = await self.bot.engine.reply_to(question_id)
        if logged is None:
            return None
        channel = self.bot.get_partial_messageable(logged.channel_id)
        reply = channel.get_partial_message(logged.reply_id)
        replied = Replied(reply, logged.question, logged.answered_with)
        self._replies.remember(question_id, replied)
        return replied

    @commands.hybrid_command()
    @app_commands.describe(question="What you want to know, e.g. how many vacation days do I get?")
    async def ask(self, ctx: commands.Context[FactBot], *, question: str) -> None:
        """Ask a question; the answer quotes the sentences it comes from."""
        if ctx.interaction is None:  # `!ask`: in a reply that follows the message's edits
            await self.on_question(ctx.message, Asked(question, quietly=False))
            return
        self._enforce_cooldown(ctx.author)
        answer = await self._answer(question, ctx.message)
        reply = await ctx.send(**self._render(answer, ctx.channel, ctx.author))  # type: ignore[arg-type]
        await self._record(answer, ctx.message, reply)
        await _invite_votes(reply, answer)

    ask.autocomplete("question")(offers.known_questions)

    async def ask_about(self, interaction: discord.Interaction, message: discord.Message) -> None:
        """Apps → Ask FactBot on someone's message: answers it for all to see, with a link
        to the message. When the bot does not know, only the one who asked is told."""
        if await self._too_soon(interaction):
            return
        try:
            answer = await self._answer(message.content, message)
        except BadInput as error:
            await interaction.response.send_message(str(error), ephemeral=True)
            return
        rendered = self._render(answer, message.channel, interaction.user, to_me=False)
        if not answer.answered:
            await interaction.response.send_message(**rendered, ephemeral=True)  # type: ignore[arg-type]
            await self._record(answer, message, None)
            return
        about = f"About {message.jump_url}"
        if "content" in rendered:  # an answer as text: the link goes on top
            rendered["content"] = replies.clip(
                f"{about}\n{rendered['content']}", replies.MESSAGE_LIMIT
            )
        else:
            rendered["content"] = about
        await interaction.response.send_message(**rendered)  # type: ignore[arg-type]
        reply = await interaction.original_response()
        await self._record(answer, message, reply)
        await _invite_votes(reply, answer)

    async def ask_suggested(
        self, interaction: discord.Interaction[FactBot], asked_by: int, fact_id: str
    ) -> None:
        """A "did you mean" button: asks the fact's question. Clicked by who asked, the
        bot's "not sure" becomes the answer; by anyone else, only they see it."""
        guild_id = interaction.guild_id or GLOBAL
        try:
            fact = (await self.bot.engine.view(guild_id, fact_id)).fact
        except BadInput:
            said = "That fact was removed meanwhile: ask again in your own words."
            await interaction.response.send_message(said, ephemeral=True)
            return
        if await self._too_soon(interaction):
            return
        answer = self.bot.engine.ask(fact.questions[0], guild_id)
        rendered = self._render(answer, interaction.channel, interaction.user)  # type: ignore[arg-type]
        shown = interaction.message
        if interaction.user.id != asked_by or shown is None:
            await interaction.response.send_message(**rendered, ephemeral=True)  # type: ignore[arg-type]
            await self._record(answer, interaction, None)
            return
        await interaction.response.edit_message(**{"content": None, "view": None, **rendered})  # type: ignore[arg-type]
        if shown.flags.ephemeral:  # Ask FactBot's "not sure", for the eyes of who asked only
            await self._record(answer, interaction, None)
            return
        # The reply still follows the edits of the message it replies to.
        asked = shown.reference.message_id if shown.reference else None
        await self._record(answer, interaction, shown, follows=asked)
        if asked is not None and (replied := self._replies.get(asked)) is not None:
            self._replies.remember(asked, replace(replied, answered_with=_answered_with(answer)))
        await _invite_votes(shown, answer)

    @commands.Cog.listener()
    async def on_question(self, message: discord.Message, asked: Asked) -> None:
        if asked.quietly:
            await self._answer_if_sure(message, asked)
            return
        try:
            self._enforce_cooldown(message.author)
            answer = await self._answer(asked.question, message)
        except (BadInput, commands.CommandOnCooldown) as error:
            await self._say(message, asked, await self._explained(message, error))
            return
        await self._reply(answer, message, asked)

    async def _answer_if_sure(self, message: discord.Message, asked: Asked) -> None:
        """Plain chat is answered only when it asks something (a forum post always does)
        and the bot is sure; otherwise it stays quiet (and takes back its reply to what the
        message said before an edit)."""
        readings = asked.readings() if asked.title is not None or asks(asked.question) else []
        guild_id = message.guild.id if message.guild else GLOBAL
        threshold = self.bot.settings.channel_threshold
        answer = await self.bot.engine.answer_if_sure(readings, guild_id, threshold)
        if answer is None:
            await self._take_back(message.id)
            return
        try:
            self._enforce_cooldown(message.author)
        except commands.CommandOnCooldown:
            return
        await self._reply(answer, message, asked)

    @commands.Cog.listener()
    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        """A question edited after it was answered is answered again, in the same reply:
        a typo fixed gets its answer. Edited into something else, the reply goes. (Raw:
        discord.py reports an edit as ``on_message_edit`` only while the message is still
        in its cache of the last 1,000 messages of every server the bot is in.)"""
        replied = await self._replied(payload.message_id)
        if replied is None:
            return
        asked = await self.bot.asked(payload.message)
        if asked is None:
            await self._take_back(payload.message_id)
        elif _read(asked) != replied.asked:  # not Discord's own edits (a link's preview)
            self.bot.dispatch("question", payload.message, asked)

    @commands.Cog.listener()
    async def on_raw_thread_update(self, payload: discord.RawThreadUpdateEvent) -> None:
        """A forum post retitled is asked again, as its opening message edited would be:
        the title is part of the question ("VPN" retitled "How do I reset the VPN?")."""
        replied = await self._replied(payload.thread_id)  # a post opens with the post's id
        if replied is None:
            return
        thread = payload.thread or self.bot.get_channel(payload.thread_id)
        if not isinstance(thread, discord.Thread):
            return
        try:
            opening = thread.starter_message or await thread.fetch_message(thread.id)
        except discord.HTTPException:  # deleted meanwhile, or no longer readable
            return
        asked = await self.bot.asked(opening)
        if asked is not None and _read(asked) != replied.asked:
            self.bot.dispatch("question", opening, asked)

    @commands.Cog.listener()
    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        """A question deleted takes its answer with it."""
        await self._take_back(payload.message_id)

    @commands.Cog.listener()
    async def on_raw_bulk_message_delete(self, payload: discord.RawBulkMessageDeleteEvent) -> None:
        """A moderator's purge (of one member's messages, say) takes their answers too."""
        for question_id in payload.message_ids:
            await self._take_back(question_id)

    async def _take_back(self, question_id: int) -> None:
        replied = await self._replied(question_id)
        self._replies.forget(question_id)
        if replied is not None:
            with contextlib.suppress(discord.NotFound):
                await replied.reply.delete()
            await self.bot.engine.forget_reply(replied.reply.id)

    async def _say(self, message: discord.Message, asked: Asked, text: str) -> None:
        """A line of text in reply (or in place of the reply, for an edited question)."""
        await self._post(message, asked, None, content=replies.clip(text, replies.MESSAGE_LIMIT))

    async def _explained(self, message: discord.Message, error: commands.CommandError) -> str:
        ctx = await self.bot.get_context(message)
        return explain(ctx, error) or str(error)

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


async def _respond(message: discord.Message, **sent: Any) -> discord.Message:
    """A reply to the message, or, where the bot may not read the channel's history (which
    Discord requires of a reply: error 160002), a message of its own in the channel."""
    if bot_may(message.channel, "read_message_history"):
        return await message.reply(**sent, mention_author=False)
    return await message.channel.send(**sent)


async def _invite_votes(reply: discord.Message | discord.PartialMessage, answer: Answer) -> None:
    """👍 and 👎 under an answer, for members to click (the footer asks for them): what
    `fact show` counts and `disliked` lists. Not under "don't know", nor twice."""
    if not answer.answered or not bot_may(reply.channel, "add_reactions"):
        return
    if any(r.me for r in getattr(reply, "reactions", ())):
        return
    with contextlib.suppress(discord.HTTPException):  # a member may block the bot, say
        for emoji in VOTES:
            await reply.add_reaction(emoji)


def _answered_with(answer: Answer) -> str | None:
    """The fact a reply shows, which members may vote on; None for "don't know"."""
    return answer.fact_id if answer.answered else None


def _read(asked: Asked) -> str:
    """What a message asks, as the bot reads and logs it: an edit that asks the same thing
    again needs no new answer."""
    text = asked.readings()[0]
    with contextlib.suppress(BadInput):
        return check_question(text, keep_lines=True)
    return text


def _member(member: discord.abc.User) -> int:
    return member.id


async def setup(bot: FactBot) -> None:
    await bot.add_cog(Asking(bot))
