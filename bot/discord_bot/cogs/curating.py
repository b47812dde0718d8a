"""Moderators curate: the `fact` group, `source add`, `unanswered` and `pack`.

Every command is a hybrid (slash and prefix) taking flags, e.g.
``!fact add question: who runs payroll? answer: … cite: s7``. The rules (guild
overrides, history, citation checks) live in the engine; this cog only translates.
"""

from __future__ import annotations

import asyncio
import io
import itertools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot import bulk, replies
from bot.citing import sentences_holding
from bot.curation import slug
from bot.discord_bot.checks import check_moderator
from bot.discord_bot.embeds import as_written, embed_or_text, fact_embed
from bot.errors import BadInput
from bot.rendering import counted
from bot.store import DislikedAnswer

if TYPE_CHECKING:
    from bot.discord_bot.client import FactBot

MAX_ATTACHMENT_BYTES = 200_000
MAX_IMPORT_BYTES = 5_000_000
"""A file attached to `fact import`: a CSV FAQ of 15,000 phrasings is about 1 MB."""
MAX_EXPORT_BYTES = 10_000_000
"""What a bot may upload to a server without boosts."""
CHOICES = 25
"""Discord shows at most 25 choices while an option is typed, each up to 100 characters."""
CHOICE = 100


class FactFlags(commands.FlagConverter, case_insensitive=True):
    id: str = commands.flag(description="The fact's id, e.g. vacation-days")


class AddFlags(commands.FlagConverter, case_insensitive=True):
    question: str = commands.flag(description="How people ask it")
    answer: str = commands.flag(description="The short answer")
    cite: str = commands.flag(description="Sentence ids (s4 s5) or a quote from a source")
    id: str | None = commands.flag(default=None, description="An id for the new fact")


class AliasFlags(commands.FlagConverter, case_insensitive=True):
    id: str = commands.flag(description="The fact's id")
    question: str = commands.flag(description="Another way people ask it")


class UnaliasFlags(commands.FlagConverter, case_insensitive=True):
    id: str = commands.flag(description="The fact's id")
    question: str = commands.flag(description="The phrasing it should no longer answer")


class EditFlags(commands.FlagConverter, case_insensitive=True):
    id: str = commands.flag(description="The fact's id")
    answer: str | None = commands.flag(default=None, description="A new answer")
    cite: str | None = commands.flag(default=None, description="New sentence ids or a quote")


class AttachFlags(commands.FlagConverter, case_insensitive=True):
    id: str = commands.flag(description="The fact that answers it")
    question: str | None = commands.flag(
        default=None, description="The question, or #2 from `unanswered` (or reply to my answer)"
    )


class IgnoreFlags(commands.FlagConverter, case_insensitive=True):
    question: str | None = commands.flag(
        default=None, description="The question, or #2 from `unanswered` (or reply to my answer)"
    )


class UnignoreFlags(commands.FlagConverter, case_insensitive=True):
    question: str = commands.flag(description="A question marked with `fact ignore`")


class ListFlags(commands.FlagConverter, case_insensitive=True):
    page: int = commands.flag(default=1, description="Which page of the list (15 a page)")


class SearchFlags(commands.FlagConverter, case_insensitive=True):
    query: str = commands.flag(description="Words to look for")


class SourceShowFlags(commands.FlagConverter, case_insensitive=True):
    id: str = commands.flag(description="The source's id, e.g. team-handbook")
    page: int = commands.flag(default=1, description="Which page of its sentences (15 a page)")


class SourceFlags(commands.FlagConverter, case_insensitive=True):
    title: str = commands.flag(description="The document's title")
    text: str | None = commands.flag(default=None, description="The text (or attach a .txt)")
    url: str | None = commands.flag(default=None, description="Where it was published")


def _actor(ctx: commands.Context[FactBot]) -> str:
    return f"{ctx.author} ({ctx.author.id})"


def _replied_to(ctx: commands.Context[FactBot]) -> int | None:
    """The message a prefix command replies to (slash commands cannot reply)."""
    reference = ctx.message.reference if ctx.interaction is None else None
    return reference.message_id if reference else None


def _guild_id(ctx: commands.Context[FactBot]) -> int:
    assert ctx.guild is not None  # moderator_only() refuses direct messages
    return ctx.guild.id


class Curating(commands.Cog):
    def __init__(self, bot: FactBot) -> None:
        self.bot = bot

    async def cog_check(self, ctx: commands.Context[FactBot]) -> bool:  # type: ignore[override]
        """Every command here is for moderators, in a server."""
        return await check_moderator(ctx)

    @commands.hybrid_group(name="fact")
    async def fact(self, ctx: commands.Context[FactBot]) -> None:
        """Curate this server's facts (moderators)."""
        names = ", ".join(f"`{c.name}`" for c in self.fact.commands)
        await ctx.send(f"Fact commands: {names}. Try `{ctx.clean_prefix}help fact`.")

    @fact.command(name="add")
    async def fact_add(self, ctx: commands.Context[FactBot], *, flags: AddFlags) -> None:
        """Add a fact: `fact add question: … answer: … cite: s4` (ids or a quote)."""
        fact = await self.bot.engine.curator.add_fact(
            _guild_id(ctx),
            question=flags.question,
            answer=flags.answer,
            cite=flags.cite,
            fact_id=flags.id,
            actor=_actor(ctx),
        )
        await ctx.send(replies.added(fact))

    @fact.command(name="alias")
    async def fact_alias(self, ctx: commands.Context[FactBot], *, flags: AliasFlags) -> None:
        """Teach another way of asking: `fact alias id: … question: …`."""
        fact = await self.bot.engine.curator.add_phrasing(
            _guild_id(ctx), flags.id, flags.question, actor=_actor(ctx)
        )
        await ctx.send(replies.aliased(fact, flags.question))

    @fact.command(name="unalias")
    async def fact_unalias(self, ctx: commands.Context[FactBot], *, flags: UnaliasFlags) -> None:
        """Take a phrasing off a fact, one attached by mistake, say: `fact unalias id: …
        question: …`."""
        fact, question = await self.bot.engine.curator.remove_phrasing(
            _guild_id(ctx), flags.id, flags.question, actor=_actor(ctx)
        )
        await ctx.send(replies.unaliased(fact, question))

    @fact.command(name="edit")
    async def fact_edit(self, ctx: commands.Context[FactBot], *, flags: EditFlags) -> None:
        """Change a fact's answer or citations: `fact edit id: … answer: … cite: …`."""
        fact = await self.bot.engine.curator.edit_fact(
            _guild_id(ctx), flags.id, answer=flags.answer, cite=flags.cite, actor=_actor(ctx)
        )
        await ctx.send(replies.updated(fact))

    @fact.command(name="remove")
    async def fact_remove(self, ctx: commands.Context[FactBot], *, flags: FactFlags) -> None:
        """Stop answering with a fact (it can be restored): `fact remove id: …`."""
        fact = await self.bot.engine.curator.remove_fact(
            _guild_id(ctx), flags.id, actor=_actor(ctx)
        )
        await ctx.send(replies.removed(fact, ctx.clean_prefix))

    @fact.command(name="restore")
    async def fact_restore(self, ctx: commands.Context[FactBot], *, flags: FactFlags) -> None:
        """Bring back a removed fact: `fact restore id: …`."""
        fact = await self.bot.engine.curator.restore_fact(
            _guild_id(ctx), flags.id, actor=_actor(ctx)
        )
        await ctx.send(replies.restored(fact))

    @fact.command(name="attach")
    async def fact_attach(self, ctx: commands.Context[FactBot], *, flags: AttachFlags) -> None:
        """A question I could not answer (or answered wrong) becomes a phrasing of the fact
        that answers it: `fact attach id: … question: #1`, or reply to my answer."""
        engine, guild_id = self.bot.engine, _guild_id(ctx)
        question = await engine.which_question(guild_id, flags.question, _replied_to(ctx))
        fact = await engine.curator.attach(guild_id, flags.id, question, actor=_actor(ctx))
        await ctx.send(replies.aliased(fact, question))

    @fact.command(name="ignore")
    async def fact_ignore(self, ctx: commands.Context[FactBot], *, flags: IgnoreFlags) -> None:
        """Teach me to leave a question unanswered: `fact ignore question: #1`, or reply to
        my answer."""
        engine, guild_id = self.bot.engine, _guild_id(ctx)
        question = await engine.which_question(guild_id, flags.question, _replied_to(ctx))
        await engine.curator.mark_out_of_scope(guild_id, question, actor=_actor(ctx))
        await ctx.send(replies.ignored(question))

    @fact.command(name="unignore")
    async def fact_unignore(self, ctx: commands.Context[FactBot], *, flags: UnignoreFlags) -> None:
        """Undo `fact ignore`: `fact unignore question: …`."""
        question = await self.bot.engine.curator.unmark_out_of_scope(_guild_id(ctx), flags.question)
        await ctx.send(replies.unignored(question))

    @fact.command(name="import")
    @app_commands.describe(file="A .csv FAQ (fact_id,question,answer) or a .zip from fact export")
    async def fact_import(
        self, ctx: commands.Context[FactBot], file: discord.Attachment | None = None
    ) -> None:
        """Add facts in bulk from an attached .csv FAQ or a pack .zip.

        The .csv has the header fact_id,question,answer (rows sharing a fact_id are one
        fact's phrasings); the .zip is what `fact export` sends. As `factbot import`."""
        if file is None or not file.filename.lower().endswith((".csv", ".zip")):
            raise BadInput(
                "Attach a .csv file with the header fact_id,question,answer, "
                "or a .zip from `fact export`."
            )
        if file.size > MAX_IMPORT_BYTES:
            raise BadInput("That file is too big; keep it under 5 MB, or use `factbot import`.")
        await ctx.defer()  # a large FAQ takes longer than a slash command may wait
        # Read in a worker thread: a large pack's YAML would hold up every other server.
        bundle = await asyncio.to_thread(bulk.parse, file.filename, await file.read())
        report = await self.bot.engine.curator.import_bundle(
            _guild_id(ctx), bundle, actor=_actor(ctx)
        )
        await ctx.send(f"{as_written(file.filename)}: {report}")

    @fact.command(name="export")
    async def fact_export(self, ctx: commands.Context[FactBot]) -> None:
        """Download this server's own facts as a pack .zip.

        With the sources they cite and the questions marked out of scope; `fact import`
        (or `factbot import`) takes it back, here or in another server."""
        facts, sources, out_of_scope = self.bot.engine.own_knowledge(_guild_id(ctx))
        if not facts:
            raise BadInput("This server has no facts of its own to export.")
        await ctx.defer()
        data = await asyncio.to_thread(bulk.zipped_pack, sources, facts, out_of_scope)
        if len(data) > MAX_EXPORT_BYTES:
            raise BadInput("That is too big to send here; use `factbot export`.")
        assert ctx.guild is not None  # the cog's check refuses direct messages
        name = f"{slug(ctx.guild.name, 4)}-facts.zip"
        await ctx.send(
            f"{counted(len(facts), 'fact')}, {counted(len(sources), 'source')}, "
            f"{counted(len(out_of_scope), 'out-of-scope question')}.",
            file=discord.File(io.BytesIO(data), filename=name),
        )

    @fact.command(name="show")
    async def fact_show(self, ctx: commands.Context[FactBot], *, flags: FactFlags) -> None:
        """Show a fact, its citations, how often it was asked and its feedback."""
        engine, guild_id = self.bot.engine, _guild_id(ctx)
        view = await engine.view(guild_id, flags.id, removed_too=True)
        stats = await engine.stats(guild_id, view.fact.id)
        embed = fact_embed(view, engine.citations(view.fact), stats)
        await ctx.send(**embed_or_text(embed, ctx.channel))  # type: ignore[arg-type]

    @fact.command(name="list")
    async def fact_list(self, ctx: commands.Context[FactBot], *, flags: ListFlags) -> None:
        """List the facts this server sees, a page at a time: `fact list page: 2`."""
        views = self.bot.engine.facts(_guild_id(ctx))
        listed = replies.fact_list(views, flags.page, ctx.clean_prefix)
        embed = discord.Embed(title=counted(len(views), "fact"), description=listed)
        embed.set_footer(text="✎ = this server's own version")
        await ctx.send(**embed_or_text(embed, ctx.channel))  # type: ignore[arg-type]

    @fact.command(name="search")
    async def fact_search(self, ctx: commands.Context[FactBot], *, flags: SearchFlags) -> None:
        """Find facts about something: `fact search query: …`."""
        matches = self.bot.engine.search(flags.query, _guild_id(ctx))
        await ctx.send(replies.search_results(matches))

    @fact.command(name="history")
    async def fact_history(self, ctx: commands.Context[FactBot], *, flags: FactFlags) -> None:
        """Every change to a fact: who, when, what."""
        history = await self.bot.engine.history(_guild_id(ctx), flags.id)
        await ctx.send(replies.history(flags.id.strip().lower(), history))

    @fact_alias.autocomplete("id")
    @fact_unalias.autocomplete("id")
    @fact_edit.autocomplete("id")
    @fact_remove.autocomplete("id")
    @fact_attach.autocomplete("id")
    @fact_show.autocomplete("id")
    @fact_history.autocomplete("id")
    async def _fact_id(
        self, interaction: discord.Interaction, typed: str
    ) -> list[app_commands.Choice[str]]:
        """The facts a moderator may mean, offered while they type an id."""
        return self._choices(interaction, typed, removed=False)

    @fact_restore.autocomplete("id")
    async def _removed_fact_id(
        self, interaction: discord.Interaction, typed: str
    ) -> list[app_commands.Choice[str]]:
        """The removed facts, offered while a moderator types the id of one to restore."""
        return self._choices(interaction, typed, removed=True)

    @fact_add.autocomplete("cite")
    @fact_edit.autocomplete("cite")
    async def _sentence(
        self, interaction: discord.Interaction, typed: str
    ) -> list[app_commands.Choice[str]]:
        """Sentences to cite, found by the words typed: moderators need not know ids. The
        ids already typed stay in front of the one picked ("s4 meta inv" → "s4 …:s7")."""
        if interaction.guild_id is None:
            return []
        citable = self.bot.engine.curator.citable(interaction.guild_id)
        given, sentences = sentences_holding(typed, citable, CHOICES)
        choices = []
        for sentence in sentences:
            ref = f"{sentence.source_id}:{sentence.id}"
            value = f"{given} {ref}".strip()
            if len(value) <= CHOICE:
                name = replies.clip(f"{ref} · {sentence.text}", CHOICE)
                choices.append(app_commands.Choice(name=name, value=value))
        return choices

    @fact_attach.autocomplete("question")
    @fact_ignore.autocomplete("question")
    async def _unanswered_question(
        self, interaction: discord.Interaction, typed: str
    ) -> list[app_commands.Choice[str]]:
        """The questions of `unanswered` that hold what is typed, most asked first."""
        if interaction.guild_id is None:
            return []
        rows = await self.bot.engine.unanswered(interaction.guild_id, limit=100)
        return _offered((r.question for r in rows), typed)

    @fact_unalias.autocomplete("question")
    async def _phrasing(
        self, interaction: discord.Interaction, typed: str
    ) -> list[app_commands.Choice[str]]:
        """The phrasings of the fact named in `id:` that hold what is typed."""
        fact_id = getattr(interaction.namespace, "id", None)
        if interaction.guild_id is None or not fact_id:
            return []
        fact = self.bot.engine.library.visible_fact(interaction.guild_id, str(fact_id))
        return _offered(fact.questions if fact else (), typed)

    @fact_unignore.autocomplete("question")
    async def _ignored_question(
        self, interaction: discord.Interaction, typed: str
    ) -> list[app_commands.Choice[str]]:
        """The questions marked out of scope here that hold what is typed."""
        if interaction.guild_id is None:
            return []
        return _offered(self.bot.engine.library.out_of_scope(interaction.guild_id), typed)

    def _choices(
        self, interaction: discord.Interaction, typed: str, *, removed: bool
    ) -> list[app_commands.Choice[str]]:
        if interaction.guild_id is None:
            return []
        engine = self.bot.engine
        facts = engine.fact_choices(interaction.guild_id, typed, removed=removed, limit=CHOICES)
        return [
            app_commands.Choice(name=replies.clip(f"{f.id} · {f.questions[0]}", CHOICE), value=f.id)
            for f in facts
        ]

    @commands.hybrid_group(name="source")
    async def source(self, ctx: commands.Context[FactBot]) -> None:
        """Register documents that facts can cite, and look them up (moderators)."""
        names = ", ".join(f"`{c.name}`" for c in self.source.commands)
        await ctx.send(f"Source commands: {names}. Try `{ctx.clean_prefix}help source`.")

    @source.command(name="add")
    @app_commands.describe(file="The document as a .txt file, instead of text:")
    async def source_add(
        self,
        ctx: commands.Context[FactBot],
        file: discord.Attachment | None = None,
        *,
        flags: SourceFlags,
    ) -> None:
        """Register a document: `source add title: … text: …` or attach a .txt file."""
        text = flags.text or await _text_of(file)
        source = await self.bot.engine.curator.add_source(
            _guild_id(ctx), title=flags.title, text=text, url=flags.url, actor=_actor(ctx)
        )
        await ctx.send(replies.registered(source))

    @source.command(name="list")
    async def source_list(self, ctx: commands.Context[FactBot], *, flags: ListFlags) -> None:
        """List the sources facts here may cite: `source list`."""
        sources = self.bot.engine.sources(_guild_id(ctx))
        await ctx.send(replies.source_list(sources, flags.page, ctx.clean_prefix))

    @source.command(name="show")
    async def source_show(self, ctx: commands.Context[FactBot], *, flags: SourceShowFlags) -> None:
        """A source's sentences with the ids to cite them by: `source show id: …`."""
        source = self.bot.engine.source(_guild_id(ctx), flags.id)
        await ctx.send(replies.source_page(source, flags.page, ctx.clean_prefix, as_written))

    @source_show.autocomplete("id")
    async def _source_id(
        self, interaction: discord.Interaction, typed: str
    ) -> list[app_commands.Choice[str]]:
        """The sources whose id or title holds what is typed."""
        if interaction.guild_id is None:
            return []
        typed = typed.casefold().strip()
        sources = self.bot.engine.sources(interaction.guild_id)
        held = [s for s in sources if typed in s.id or typed in s.title.casefold()]
        return [
            app_commands.Choice(name=replies.clip(f"{s.id} · {s.title}", CHOICE), value=s.id)
            for s in held[:CHOICES]
        ]

    @commands.hybrid_command()
    async def unanswered(self, ctx: commands.Context[FactBot]) -> None:
        """What members asked that I could not answer, most asked first (moderators)."""
        rows = await self.bot.engine.unanswered(_guild_id(ctx))
        await ctx.send(replies.unanswered(rows, ctx.clean_prefix, escape=as_written))

    @commands.hybrid_command()
    async def disliked(self, ctx: commands.Context[FactBot]) -> None:
        """Answers members marked 👎, with a link to each: reply there to teach me."""
        guild_id = _guild_id(ctx)
        rows = await self.bot.engine.disliked(guild_id)

        def link(row: DislikedAnswer) -> str:
            if row.channel_id is None:
                return ""
            return f"https://discord.com/channels/{guild_id}/{row.channel_id}/{row.reply_id}"

        await ctx.send(replies.disliked(rows, ctx.clean_prefix, as_written, link))

    @commands.hybrid_command()
    async def pack(self, ctx: commands.Context[FactBot], state: Literal["on", "off"]) -> None:
        """Switch the knowledge shipped with FactBot on or off here: `pack off`."""
        await self.bot.engine.curator.switch_shipped_pack(
            _guild_id(ctx), state == "on", actor=_actor(ctx)
        )
        await ctx.send(replies.pack_switched(state == "on"))

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
            ctx.guild.id, where.id, state == "on", actor=_actor(ctx)
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
        post = (
            can.send_messages_in_threads
            if isinstance(channel, discord.ForumChannel)
            else (can.send_messages)
        )
        if not (can.view_channel and post):
            return "⚠ I may not see or post there: check my permissions in that channel."
        return None


def _offered(questions: Iterable[str], typed: str) -> list[app_commands.Choice[str]]:
    """Questions that hold what is typed, as choices (a question longer than a choice may
    be is left out: cut short, it would name another question)."""
    typed = " ".join(typed.split()).lower()
    held = (q for q in questions if typed in q.lower() and len(q) <= CHOICE)
    return [app_commands.Choice(name=q, value=q) for q in itertools.islice(held, CHOICES)]


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


async def _text_of(file: discord.Attachment | None) -> str:
    """An attached document's text: a .txt file (a slash command's option, or a file
    attached to the prefix command's message) of UTF-8 text."""
    if file is None or not file.filename.lower().endswith(".txt"):
        raise BadInput("Give the document as `text:` or attach it as a .txt file.")
    if file.size > MAX_ATTACHMENT_BYTES:
        raise BadInput("That file is too big; keep documents under 200 KB.")
    try:
        return (await file.read()).decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput("That file is not UTF-8 text.") from None


async def setup(bot: FactBot) -> None:
    await bot.add_cog(Curating(bot))
