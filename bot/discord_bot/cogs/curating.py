"""Moderators curate: the `fact` group, `source add`, `unanswered` and `pack`.

Every command is a hybrid (slash and prefix) taking flags, e.g.
``!fact add question: who runs payroll? answer: … cite: s7``. The rules (guild
overrides, history, citation checks) live in the engine; this cog only translates.
"""

from __future__ import annotations

import asyncio
import functools
import io
from typing import TYPE_CHECKING, Literal

import discord
from discord import app_commands
from discord.ext import commands

from bot import bulk, documents, replies
from bot.curation import change_number, slug
from bot.discord_bot import offers
from bot.discord_bot.checks import actor, check_moderator
from bot.discord_bot.embeds import as_written, embed_or_text, fact_embed
from bot.errors import BadInput
from bot.rendering import counted
from bot.store import DislikedAnswer, UnsureAnswer

if TYPE_CHECKING:
    from bot.discord_bot.client import FactBot

MAX_ATTACHMENT_BYTES = 200_000
MAX_IMPORT_BYTES = 5_000_000
"""A file attached to `fact import`: a CSV FAQ of 15,000 phrasings is about 1 MB."""


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


class RevertFlags(commands.FlagConverter, case_insensitive=True):
    id: str = commands.flag(description="The fact's id")
    to: str | None = commands.flag(
        default=None, description="The change # in `fact history` (default: before the latest)"
    )


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


class SourceIdFlags(commands.FlagConverter, case_insensitive=True):
    id: str = commands.flag(description="The source's id, e.g. team-handbook")


class SourceShowFlags(commands.FlagConverter, case_insensitive=True):
    id: str = commands.flag(description="The source's id, e.g. team-handbook")
    page: int = commands.flag(default=1, description="Which page of its sentences (15 a page)")


class SourceFlags(commands.FlagConverter, case_insensitive=True):
    title: str = commands.flag(description="The document's title")
    text: str | None = commands.flag(default=None, description="The text (or attach a .txt or .md)")
    url: str | None = commands.flag(default=None, description="Where it was published")


def _replied_to(ctx: commands.Context[FactBot]) -> int | None:
    """The message a prefix command replies to (slash commands cannot reply)."""
    reference = ctx.message.reference if ctx.interaction is None else None
    return reference.message_id if reference else None


def _guild_id(ctx: commands.Context[FactBot]) -> int:
    assert ctx.guild is not None  # moderator_only() refuses direct messages
    return ctx.guild.id


def _reply_link(guild_id: int, row: DislikedAnswer | UnsureAnswer) -> str:
    """A link to the bot's reply a listed answer is in, if it is still there."""
    if row.channel_id is None or row.reply_id is None:
        return ""
    return f"https://discord.com/channels/{guild_id}/{row.channel_id}/{row.reply_id}"


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
            actor=actor(ctx),
        )
        await ctx.send(replies.added(fact))

    @fact.command(name="alias")
    async def fact_alias(self, ctx: commands.Context[FactBot], *, flags: AliasFlags) -> None:
        """Teach another way of asking: `fact alias id: … question: …`."""
        fact, question = await self.bot.engine.curator.add_phrasing(
            _guild_id(ctx), flags.id, flags.question, actor=actor(ctx)
        )
        await ctx.send(replies.aliased(fact, question))

    @fact.command(name="unalias")
    async def fact_unalias(self, ctx: commands.Context[FactBot], *, flags: UnaliasFlags) -> None:
        """Take a phrasing off a fact, one attached by mistake, say: `fact unalias id: …
        question: …`."""
        fact, question = await self.bot.engine.curator.remove_phrasing(
            _guild_id(ctx), flags.id, flags.question, actor=actor(ctx)
        )
        await ctx.send(replies.unaliased(fact, question))

    @fact.command(name="edit")
    async def fact_edit(self, ctx: commands.Context[FactBot], *, flags: EditFlags) -> None:
        """Change a fact's answer or citations: `fact edit id: … answer: … cite: …`."""
        fact = await self.bot.engine.curator.edit_fact(
            _guild_id(ctx), flags.id, answer=flags.answer, cite=flags.cite, actor=actor(ctx)
        )
        await ctx.send(replies.updated(fact))

    @fact.command(name="remove")
    async def fact_remove(self, ctx: commands.Context[FactBot], *, flags: FactFlags) -> None:
        """Stop answering with a fact (it can be restored): `fact remove id: …`."""
        fact = await self.bot.engine.curator.remove_fact(_guild_id(ctx), flags.id, actor=actor(ctx))
        await ctx.send(replies.removed(fact, ctx.clean_prefix))

    @fact.command(name="restore")
    async def fact_restore(self, ctx: commands.Context[FactBot], *, flags: FactFlags) -> None:
        """Bring back a removed fact: `fact restore id: …`."""
        fact = await self.bot.engine.curator.restore_fact(
            _guild_id(ctx), flags.id, actor=actor(ctx)
        )
        await ctx.send(replies.restored(fact))

    @fact.command(name="revert")
    async def fact_revert(self, ctx: commands.Context[FactBot], *, flags: RevertFlags) -> None:
        """Undo changes to a fact: `fact revert id: …` puts it back as it was before its
        latest change, `to: 3` as it was after change #3 of `fact history`."""
        to = change_number(flags.to) if flags.to is not None else None
        fact, to = await self.bot.engine.curator.revert_fact(
            _guild_id(ctx), flags.id, actor=actor(ctx), to=to
        )
        await ctx.send(replies.reverted(fact, to, ctx.clean_prefix))

    @fact.command(name="attach")
    async def fact_attach(self, ctx: commands.Context[FactBot], *, flags: AttachFlags) -> None:
        """A question I could not answer (or answered wrong) becomes a phrasing of the fact
        that answers it: `fact attach id: … question: #1`, or reply to my answer."""
        engine, guild_id = self.bot.engine, _guild_id(ctx)
        question = await engine.which_question(guild_id, flags.question, _replied_to(ctx))
        fact, question = await engine.curator.add_phrasing(
            guild_id, flags.id, question, actor=actor(ctx)
        )
        await ctx.send(replies.aliased(fact, question))

    @fact.command(name="ignore")
    async def fact_ignore(self, ctx: commands.Context[FactBot], *, flags: IgnoreFlags) -> None:
        """Teach me to leave a question unanswered: `fact ignore question: #1`, or reply to
        my answer."""
        engine, guild_id = self.bot.engine, _guild_id(ctx)
        question = await engine.which_question(guild_id, flags.question, _replied_to(ctx))
        question = await engine.curator.mark_out_of_scope(guild_id, question, actor=actor(ctx))
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
            _guild_id(ctx), bundle, actor=actor(ctx)
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
        assert ctx.guild is not None  # the cog's check refuses direct messages
        if len(data) > ctx.guild.filesize_limit:  # 10 MiB, more in a boosted server
            raise BadInput(
                f"The pack is {len(data) / 2**20:.1f} MiB, more than this server takes "
                f"({ctx.guild.filesize_limit / 2**20:.0f} MiB): use `factbot export`."
            )
        name = f"{slug(ctx.guild.name, 4, fallback='server')}-facts.zip"
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
        listed = replies.fact_list(views, flags.page, ctx.clean_prefix, as_written)
        embed = discord.Embed(title=counted(len(views), "fact"), description=listed)
        embed.set_footer(text="✎ = this server's own version")
        await ctx.send(**embed_or_text(embed, ctx.channel))  # type: ignore[arg-type]

    @fact.command(name="search")
    async def fact_search(self, ctx: commands.Context[FactBot], *, flags: SearchFlags) -> None:
        """Find facts about something: `fact search query: …`."""
        matches = await self.bot.engine.search(flags.query, _guild_id(ctx))
        await ctx.send(replies.search_results(matches, as_written))

    @fact.command(name="history")
    async def fact_history(self, ctx: commands.Context[FactBot], *, flags: FactFlags) -> None:
        """Every change to a fact: who, when, what."""
        history = await self.bot.engine.history(_guild_id(ctx), flags.id)
        await ctx.send(replies.history(flags.id.strip().lower(), history, ctx.clean_prefix))

    # While an option is typed, Discord shows what `offers` finds.
    fact_alias.autocomplete("id")(offers.fact_ids)
    fact_unalias.autocomplete("id")(offers.fact_ids)
    fact_edit.autocomplete("id")(offers.fact_ids)
    fact_remove.autocomplete("id")(offers.fact_ids)
    fact_attach.autocomplete("id")(offers.fact_ids)
    fact_show.autocomplete("id")(offers.fact_ids)
    fact_history.autocomplete("id")(offers.any_fact_ids)
    fact_revert.autocomplete("id")(offers.any_fact_ids)
    fact_revert.autocomplete("to")(offers.changes)
    fact_restore.autocomplete("id")(offers.removed_fact_ids)
    fact_add.autocomplete("cite")(offers.sentences)
    fact_edit.autocomplete("cite")(offers.sentences)
    fact_attach.autocomplete("question")(offers.unanswered_questions)
    fact_ignore.autocomplete("question")(offers.unanswered_questions)
    fact_unalias.autocomplete("question")(offers.phrasings)
    fact_unignore.autocomplete("question")(offers.ignored_questions)

    @commands.hybrid_group(name="source")
    async def source(self, ctx: commands.Context[FactBot]) -> None:
        """Register documents that facts can cite, and look them up (moderators)."""
        names = ", ".join(f"`{c.name}`" for c in self.source.commands)
        await ctx.send(f"Source commands: {names}. Try `{ctx.clean_prefix}help source`.")

    @source.command(name="add")
    @app_commands.describe(file="The document as a .txt or .md file, instead of text:")
    async def source_add(
        self,
        ctx: commands.Context[FactBot],
        file: discord.Attachment | None = None,
        *,
        flags: SourceFlags,
    ) -> None:
        """Register a document: `source add title: … text: …` or attach a .txt or .md file."""
        text = flags.text or await _text_of(file)
        source = await self.bot.engine.curator.add_source(
            _guild_id(ctx), title=flags.title, text=text, url=flags.url, actor=actor(ctx)
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

    @source.command(name="remove")
    async def source_remove(self, ctx: commands.Context[FactBot], *, flags: SourceIdFlags) -> None:
        """Take back a document no fact here cites: `source remove id: …`."""
        curator = self.bot.engine.curator
        source = await curator.remove_source(_guild_id(ctx), flags.id, actor(ctx))
        await ctx.send(replies.source_removed(source, ctx.clean_prefix))

    @source.command(name="restore")
    async def source_restore(self, ctx: commands.Context[FactBot], *, flags: SourceIdFlags) -> None:
        """Bring back a removed document: `source restore id: …`."""
        curator = self.bot.engine.curator
        source = await curator.restore_source(_guild_id(ctx), flags.id, actor(ctx))
        await ctx.send(replies.source_restored(source))

    source_show.autocomplete("id")(offers.source_ids)
    source_remove.autocomplete("id")(offers.source_ids)
    source_restore.autocomplete("id")(offers.removed_source_ids)

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
        link = functools.partial(_reply_link, guild_id)
        await ctx.send(replies.disliked(rows, ctx.clean_prefix, as_written, link))

    @commands.hybrid_command()
    async def unsure(self, ctx: commands.Context[FactBot]) -> None:
        """The answers I was least sure of, with a link to each: reply there to teach me."""
        guild_id = _guild_id(ctx)
        rows = await self.bot.engine.unsure(guild_id)
        link = functools.partial(_reply_link, guild_id)
        await ctx.send(replies.unsure(rows, ctx.clean_prefix, as_written, link))

    @commands.hybrid_command()
    async def pack(self, ctx: commands.Context[FactBot], state: Literal["on", "off"]) -> None:
        """Switch the knowledge shipped with FactBot on or off here: `pack off`."""
        await self.bot.engine.curator.switch_shipped_pack(
            _guild_id(ctx), state == "on", actor=actor(ctx)
        )
        await ctx.send(replies.pack_switched(state == "on"))


async def _text_of(file: discord.Attachment | None) -> str:
    """An attached document's text: a .txt or Markdown file (a slash command's option, or
    a file attached to the prefix command's message), read as a FAQ file is (UTF-8, or
    UTF-16 with its byte-order mark, as Windows Notepad saves "Unicode")."""
    if file is None:
        raise BadInput(f"Give the document as `text:` or attach it as {documents.KINDS}.")
    if file.size > MAX_ATTACHMENT_BYTES:
        raise BadInput("That file is too big; keep documents under 200 KB.")
    data = await file.read()
    # 200 KB of Markdown takes about a third of a second to read: other servers go on.
    return await asyncio.to_thread(documents.document_text, file.filename, data)


async def setup(bot: FactBot) -> None:
    await bot.add_cog(Curating(bot))
