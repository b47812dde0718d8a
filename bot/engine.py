"""The core every front end (Discord, CLI, transcripts) talks to.

``Engine.open`` wires the parts together: the store (the truth), the library (what each
guild sees, in memory), the matchers (one learned matcher per knowledge scope), the
answerer (question -> Answer, bot/answering.py) and the curator (moderators' changes,
bot/curation.py). The engine answers and looks facts up by delegating; moderators' changes
go through ``engine.curator``. Nothing here knows about Discord.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import gc
import itertools
import logging
import re
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TypeVar, overload

import platformdirs
from rapidfuzz import fuzz, process, utils

from bot.answering import Answerer, Explanation, Judged, Policy
from bot.cache_files import remove_outdated
from bot.config import Settings
from bot.curation import Curator, check_question
from bot.errors import BadInput
from bot.knowledge import CACHE_FORMAT as PACK_FORMAT
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.library import Library
from bot.library_snapshot import FORMAT as LIBRARY_FORMAT
from bot.library_snapshot import (
    keep_library,
    kept_long_ago,
    large_enough_to_keep,
    open_library,
)
from bot.matcher import load_soon
from bot.matcher.encoder import WIDENED_FORMAT
from bot.matcher.text import wording
from bot.matcher_cache import FORMAT as MATCHER_FORMAT
from bot.models import GLOBAL, Answer, Citation, Fact, HistoryEntry, Source
from bot.rendering import counted
from bot.server_choices import ServerChoices
from bot.store import (
    Change,
    DislikedAnswer,
    FactStats,
    LoggedReply,
    Store,
    UnansweredQuestion,
    UnsureAnswer,
)
from bot.training import Matchers

log = logging.getLogger(__name__)

Row = TypeVar("Row")

__all__ = ["Engine", "FactView", "check_question"]


_CACHE_FORMATS = (PACK_FORMAT, LIBRARY_FORMAT, MATCHER_FORMAT, WIDENED_FORMAT)
"""What this version keeps in the cache folder: files of other formats are an earlier
version's, and are removed."""


CATCH_UP_WAIT = 2.0
"""How long (s) a question waits for its guild's matcher to learn the changes made so far:
the first question after a start loads it from the cache, a moderator's change is learned
in about a second. Longer, the one who asked would wonder, and Discord wants a slash
command answered within 3 s."""

WORTH_NAMING = 5.0
"""The chance (%) a fact needs to be named as what a search or half-typed text may be
about: below it, what the matcher ranks next is noise."""


async def _first_kept(
    rows: Callable[[int], Awaitable[list[Row]]], keep: Callable[[Row], bool], limit: int
) -> list[Row]:
    """The first ``limit`` rows worth keeping, asking ``rows(n)`` for twice as many each
    time too few of those read are kept."""
    wanted = limit
    while True:
        read = await rows(wanted)
        kept = [row for row in read if keep(row)]
        if len(kept) >= limit or len(read) < wanted:
            return kept[:limit]
        wanted *= 2


def default_cache_dir() -> Path:
    return platformdirs.user_cache_path("factbot", appauthor=False)


@dataclass(frozen=True)
class FactView:
    """A fact as a guild sees it, with where it comes from."""

    fact: Fact
    local: bool
    """True when the guild's own version (added or overriding a shipped fact)."""

    @classmethod
    def of(cls, fact: Fact) -> FactView:
        return cls(fact, local=fact.guild_id != GLOBAL)


class FactViews(Sequence[FactView]):
    """The facts a guild sees, each made a :class:`FactView` when read: a page of a list
    of 100,000 facts makes 15."""

    def __init__(self, facts: Sequence[Fact]) -> None:
        self._facts = facts

    def __len__(self) -> int:
        return len(self._facts)

    @overload
    def __getitem__(self, index: int) -> FactView: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[FactView]: ...
    def __getitem__(self, index: int | slice) -> FactView | Sequence[FactView]:
        if isinstance(index, slice):
            return FactViews(self._facts[index])
        return FactView.of(self._facts[index])


class Engine:
    def __init__(
        self,
        store: Store,
        library: Library,
        matchers: Matchers,
        answerer: Answerer,
        curator: Curator,
        seen_change: int = 0,
        *,
        cache_dir: Path | None = None,
        kept_change: int | None = None,
    ) -> None:
        self.store = store
        self.library = library
        self.matchers = matchers
        self.answerer = answerer
        self.curator = curator
        self._seen_change = seen_change
        """The last change of the database's change feed the library has taken in."""
        self._data_version = -1
        self._cache_dir = cache_dir or default_cache_dir()
        self._kept_change = kept_change
        """Where the library snapshot it started from stood (None: read row by row)."""
        self.answer_channels = ServerChoices(store, library.updating, "answer_channels")
        self.moderator_roles = ServerChoices(store, library.updating, "moderator_roles")

    @classmethod
    async def open(
        cls,
        database: Path | str,
        *,
        knowledge_root: Path | None = None,
        policy: Policy | None = None,
        cache_dir: Path | None = None,
        shipped_pack: bool = True,
        answering: bool = True,
    ) -> Engine:
        """Open (creating and seeding if needed) the store, and, unless it will not answer
        (``answering``), make the global matcher ready: loaded from the cache folder, or
        trained once."""
        cache_dir = cache_dir or default_cache_dir()
        if answering:
            load_soon(cache_dir)
        await asyncio.to_thread(remove_outdated, cache_dir, _CACHE_FORMATS)
        # Loading makes objects by the million (100,000 facts) and none of them is garbage:
        # the cycle collector, running every few thousand, would only slow it (and walk
        # every imported module's objects too: 12 ms of `factbot ask` for the pack alone).
        with _collector_paused():
            knowledge = load_knowledge(knowledge_root, cache_dir=cache_dir)
            store = await Store.open(database)
            try:
                if await store.seed(knowledge):
                    log.info("seeded %s from the shipped knowledge base", store.where)
                engine = await cls._assemble(
                    store,
                    knowledge,
                    policy or Policy(),
                    cache_dir,
                    shipped_pack,
                )
                if answering:
                    await engine.matchers.ready(GLOBAL)
            except BaseException:
                await store.close()
                raise
        return engine

    @classmethod
    async def for_settings(cls, settings: Settings, *, answering: bool = True) -> Engine:
        return await cls.open(
            settings.factbot_db,
            knowledge_root=settings.factbot_knowledge,
            policy=settings.policy,
            cache_dir=settings.factbot_cache,
            shipped_pack=settings.factbot_shipped_pack,
            answering=answering,
        )

    @classmethod
    async def _assemble(
        cls,
        store: Store,
        knowledge: KnowledgeBase,
        policy: Policy,
        cache_dir: Path,
        shipped_pack: bool,
    ) -> Engine:
        opened = await open_library(store, cache_dir, shipped_pack=shipped_pack)
        library = opened.library
        vocabulary = knowledge.vocabulary
        matchers = Matchers(
            library,
            pack_examples=knowledge.examples,
            vocabulary=vocabulary,
            cache_dir=cache_dir,
            database=store.where,
        )
        library.on_new_phrasings = matchers.expect
        answerer = Answerer(library, matchers, vocabulary, policy)
        engine = cls(
            store,
            library,
            matchers,
            answerer,
            Curator(store, library),
            opened.seen_change,
            cache_dir=cache_dir,
            kept_change=opened.kept_change,
        )
        await engine.answer_channels.load()
        await engine.moderator_roles.load()
        if opened.kept_change is not None:
            await engine.sync()  # what was written after the snapshot
        return engine

    async def close(self) -> None:
        await self.matchers.close()
        try:
            await self._keep_library()
        finally:
            await self.store.close()

    async def _keep_library(self) -> None:
        """Keep a large library for the next start (:mod:`bot.library_snapshot`), first
        taking this process's own writes back in from the change feed: the snapshot then
        says exactly which change it holds last."""
        if not large_enough_to_keep(self.library):
            return
        try:
            await self.sync()
        except BadInput as error:
            log.warning("cannot keep the library for the next start: %s", error)
            return
        if kept_long_ago(self._kept_change, self._seen_change):
            await keep_library(self.store, self._cache_dir, self.library, self._seen_change)

    async def __aenter__(self) -> Engine:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    # -- other processes' changes ------------------------------------------------------

    async def sync(self) -> int:
        """Take in what other processes (another shard, `factbot chat`, an import) wrote to
        the database since the last look; returns how many things changed here. Cheap when
        nothing did: one pragma read (SQLite) or one index lookup (PostgreSQL)."""
        async with self.library.updating:
            version = await self.store.data_version()
            if version == self._data_version:
                return 0
            self._data_version = version
            self._seen_change, changes = await self.store.changes_since(self._seen_change)
            # Sources before the facts that may cite them.
            taken = sum([await self._take_in(c) for c in changes if c.kind != "fact"])
            taken += await self._take_in_facts([c for c in changes if c.kind == "fact"])
        if taken:
            log.info("took in %d changes from other processes", taken)
        return taken

    async def _take_in_facts(self, changes: list[Change]) -> int:
        """Apply changed facts to the library unless they are there already (this
        process's own writes come back through the feed too), each guild's read together:
        another process's import is thousands."""
        named: dict[int, list[str]] = {}
        for change in changes:
            named.setdefault(change.guild_id, []).append(change.key)
        taken = 0
        for guild_id, fact_ids in named.items():
            for fact in await self.store.facts_named(guild_id, fact_ids):
                if fact != self.library.get(guild_id, fact.id):
                    self.library.put(fact)
                    taken += 1
        return taken

    async def _take_in(self, change: Change) -> bool:
        """Apply a change to a source, a guild's out-of-scope questions, its settings, its
        answer channels or its moderator roles unless it is there already."""
        guild_id = change.guild_id
        match change.kind:
            case "source":
                source = await self.store.source(change.key)
                if source is None or source == self.library.source(source.id):
                    return False
                self.library.add_source(source)
            case "out_of_scope":
                marked = (await self.store.out_of_scope(guild_id)).get(guild_id, [])
                if marked == self.library.out_of_scope(guild_id):
                    return False
                self.library.set_out_of_scope(guild_id, marked)
            case "settings":
                on = guild_id not in await self.store.shipped_pack_off()
                if on == self.library.pack_switched_on(guild_id):
                    return False
                self.library.switch_shipped_pack(guild_id, on)
            case "channels":
                return await self.answer_channels.take_in(guild_id)
            case "roles":
                return await self.moderator_roles.take_in(guild_id)
        return True

    async def watch(self, every: float = 0.5) -> None:
        """:meth:`sync` whenever the database says another process wrote (PostgreSQL), and
        at least every ``every`` seconds, until cancelled: what a long-running front end
        (the Discord bot) does so that no other process's change waits longer."""
        while True:
            try:
                await self.sync()
                await self.store.wait_for_news(every)
            except BadInput as error:  # the database is locked or gone for a moment
                log.warning("cannot follow the database's changes: %s", error)
                await asyncio.sleep(every)

    # -- answering ---------------------------------------------------------------------

    @property
    def policy(self) -> Policy:
        return self.answerer.policy

    @policy.setter
    def policy(self, policy: Policy) -> None:
        self.answerer.policy = policy

    def ask(self, question: str, guild_id: int = GLOBAL) -> Answer:
        return self.answerer.ask(question, guild_id)

    async def answer(self, question: str, guild_id: int = GLOBAL) -> Answer:
        """What a member asked, answered as they would expect: by what the moderators know
        now (:meth:`caught_up`). What the front ends call; :meth:`ask` is the answer alone."""
        await self.caught_up(guild_id)
        return self.ask(question, guild_id)

    async def answer_if_sure(
        self, readings: Sequence[str], guild_id: int, threshold: float
    ) -> Answer | None:
        """Plain chat, which nobody asked the bot to answer (in an answer channel, a reply
        to it): the surest answer of the ways the message may be read, if it reaches
        ``threshold`` (%); otherwise None, as for what cannot be read at all."""
        if readings:
            await self.caught_up(guild_id)
        sure = []
        for reading in readings:
            with contextlib.suppress(BadInput):
                answer = self.ask(check_question(reading, keep_lines=True), guild_id)
                if answer.answered and answer.confidence >= threshold:
                    sure.append(answer)
        return max(sure, key=lambda a: a.confidence, default=None)

    def explain(self, question: str, guild_id: int = GLOBAL) -> Explanation:
        return self.answerer.explain(question, guild_id)

    def candidates(self, question: str, guild_id: int = GLOBAL) -> tuple[Judged, ...]:
        return self.answerer.candidates(question, guild_id)

    async def caught_up(self, guild_id: int = GLOBAL) -> None:
        """Give the guild's matcher up to :data:`CATCH_UP_WAIT` to learn the changes made so
        far, so that a question asked just after a start or a moderator's change is answered
        from what the moderators know now (before, the first question in a server with its
        own facts after every restart got "I don't know"). Past that wait, the matcher at
        hand answers; its learning goes on."""
        if self.matchers.is_current(guild_id):
            return
        try:
            await asyncio.wait_for(self.matchers.ready(guild_id), CATCH_UP_WAIT)
        except TimeoutError:
            pass  # still learning
        except Exception as error:  # a failed fit must not fail the question
            log.warning("guild %s: learning its changes failed (%r)", guild_id, error)

    async def ready(self, guild_id: int = GLOBAL) -> None:
        """Wait until the guild's matcher has learned every change made so far (and has
        worked out what reading a question needs, in the thread that made it), and its
        lookups are built (:meth:`Library.prepare`)."""
        with _collector_paused():
            await self.matchers.ready(guild_id)
            self.library.prepare(guild_id)

    async def search(self, query: str, guild_id: int = GLOBAL, limit: int = 5) -> list[Judged]:
        """Facts about a query, for moderators: the matcher's likely ones, and those whose
        id, phrasings, keywords or answer share its words (a fact added a moment ago is
        found at once)."""
        found = {
            j.fact.id: j for j in self.candidates(query, guild_id) if j.percent >= WORTH_NAMING
        }
        visible = self.library.visible(guild_id)  # a list the library no longer changes
        # Every fact is compared, 0.6 s at 100,000 facts: in a worker thread, where rapidfuzz
        # lets go of the GIL, so that every server's questions are answered meanwhile.
        for closeness, fact in await asyncio.to_thread(_closest, query, visible, limit):
            # A fact both ways found shows the higher figure: one the matcher also likes must
            # not rank below a fact that merely shares the same words with the query.
            if fact.id not in found or found[fact.id].percent < closeness:
                found[fact.id] = Judged(fact, closeness / 100, None)
        return sorted(found.values(), key=lambda j: -j.percent)[:limit]

    def fact_choices(
        self, guild_id: int, typed: str, *, removed: bool = False, limit: int = 25
    ) -> list[Fact]:
        """The facts a moderator may mean while typing a fact's id: those whose id starts
        with what is typed, then those whose id holds it, then those the matcher reads it as
        asking about ("vacation" finds ``pto-days``). ``removed``: the guild's removed
        facts instead, which only their ids find."""
        pool = self.library.removed(guild_id) if removed else self.library.visible(guild_id)
        typed = " ".join(typed.split()).lower()
        if not typed:
            return pool[:limit]
        as_id = typed.replace(" ", "-")
        # The pool is sorted by id: those starting with it are found by bisection, and the
        # scan for the rest stops at ``limit`` (100,000 ids take ~10 ms to scan).
        first = bisect.bisect_left(pool, as_id, key=lambda f: f.id)
        after = itertools.islice(pool, first, None)
        starts = itertools.takewhile(lambda f: f.id.startswith(as_id), after)
        holds = (f for f in pool if as_id in f.id)
        chosen: dict[str, Fact] = {}
        for fact in itertools.chain(starts, holds):
            chosen.setdefault(fact.id, fact)
            if len(chosen) == limit:
                return list(chosen.values())
        if not removed and len(chosen) < limit:
            with contextlib.suppress(BadInput):  # half a word, an emoji: ids only
                for judged in self.candidates(typed, guild_id):
                    if judged.percent >= WORTH_NAMING:
                        chosen.setdefault(judged.fact.id, judged.fact)
        return list(chosen.values())[:limit]

    def citations(self, fact: Fact) -> list[Citation]:
        return self.library.citations(fact)

    def sources(self, guild_id: int = GLOBAL) -> list[Source]:
        """The sources a guild's facts may cite, by id."""
        return sorted(self.library.sources(guild_id), key=lambda s: s.id)

    def removed_sources(self, guild_id: int) -> list[Source]:
        """The guild's own sources its moderators removed, by id."""
        return sorted(self.library.removed_sources(guild_id), key=lambda s: s.id)

    def source(self, guild_id: int, source_id: str) -> Source:
        """The source of that id a guild sees, removed too; BadInput naming the closest
        otherwise."""
        return self.curator.find_source(guild_id, source_id)

    async def record(
        self,
        answer: Answer,
        *,
        guild_id: int,
        channel_id: int | None = None,
        reply_id: int | None = None,
        message_id: int | None = None,
    ) -> None:
        """Log a question that was asked, so moderators can see what went unanswered, and,
        with the message that asked it, so that its reply can follow the message's edits."""
        await self.store.log_question(
            guild_id=guild_id,
            channel_id=channel_id,
            question=answer.question,
            fact_id=answer.fact_id,
            answered=answer.answered,
            confidence=answer.confidence,
            reply_id=reply_id,
            message_id=message_id,
        )
        for part in answer.unanswered_parts:
            # What the answer left out went unanswered: `unanswered` lists it for moderators
            # to attach or ignore, as it would the part asked on its own (its own chance is
            # not kept).
            await self.store.log_question(
                guild_id=guild_id,
                channel_id=channel_id,
                question=part,
                fact_id=None,
                answered=False,
                confidence=0.0,
            )

    async def reply_to(self, message_id: int) -> LoggedReply | None:
        """The bot's reply to the question a message asked, as logged (a restart forgets
        the replies it keeps in memory)."""
        return await self.store.reply_to(message_id)

    async def feedback(self, reply_id: int, user_id: int, vote: int, *, given: bool) -> None:
        """A 👍 (1) or 👎 (-1) given or taken back on a reply; only answers count, each
        vote for the answer the reply showed when it was given."""
        if given:
            await self.store.record_vote(reply_id, user_id, vote)
        else:
            await self.store.withdraw_vote(reply_id, user_id, vote)

    async def voted_on(self, reply_id: int) -> bool:
        """Whether members voted on the answer a reply shows."""
        return await self.store.voted_on(reply_id)

    async def forget_reply(self, reply_id: int) -> None:
        """The bot deleted its reply (its question was deleted, or changed)."""
        await self.store.forget_reply(reply_id)

    # -- looking facts up --------------------------------------------------------------

    async def view(self, guild_id: int, fact_id: str, *, removed_too: bool = False) -> FactView:
        fact = self.curator.find(guild_id, fact_id, removed_too=removed_too)
        return FactView.of(fact)

    def own_knowledge(self, guild_id: int) -> tuple[list[Fact], list[Source], list[str]]:
        """What a guild added itself (facts, the sources they cite, questions it marked out
        of scope): what ``factbot export`` writes."""
        facts = [f for f in self.library.visible(guild_id) if f.guild_id == guild_id]
        cited = sorted({r.source_id for f in facts for r in f.cites})
        sources = [s for i in cited if (s := self.library.source(i)) is not None]
        return facts, sources, list(self.library.out_of_scope(guild_id))

    def example_question(self, guild_id: int = GLOBAL) -> str | None:
        """A question the guild's members can ask, as its fact is worded."""
        fact = self.library.example(guild_id)
        return fact.questions[0] if fact is not None else None

    def facts(self, guild_id: int = GLOBAL) -> FactViews:
        return FactViews(self.library.visible(guild_id))

    async def history(self, guild_id: int, fact_id: str) -> list[HistoryEntry]:
        await self.view(guild_id, fact_id, removed_too=True)
        return await self.store.history(guild_id, fact_id)

    async def stats(self, guild_id: int, fact_id: str) -> FactStats:
        return await self.store.fact_stats(guild_id, fact_id)

    async def unanswered(self, guild_id: int, limit: int = 10) -> list[UnansweredQuestion]:
        """What members asked that got no answer, most asked first, leaving out what a
        moderator has dealt with since (attached to a fact, or marked out of scope)."""
        dealt_with = self._dealt_with(guild_id)
        return await _first_kept(
            lambda n: self.store.unanswered(guild_id, n),
            lambda row: not dealt_with(row.question),
            limit,
        )

    async def disliked(self, guild_id: int, limit: int = 10) -> list[DislikedAnswer]:
        """Answers members marked 👎, latest first, leaving out the questions a moderator
        has dealt with since (attached to another fact, or marked out of scope)."""
        dealt_with = self._dealt_with(guild_id)
        return await _first_kept(
            lambda n: self.store.disliked(guild_id, n),
            lambda row: not dealt_with(row.question, row.fact_id),
            limit,
        )

    async def unsure(self, guild_id: int, limit: int = 10) -> list[UnsureAnswer]:
        """The answers given here that the bot was least sure of, least first: where a
        wrong answer is likeliest (of questions about something no fact here holds, a
        fifth to a third are answered: docs/matching.md). Leaves out what a moderator has
        dealt with since: made a phrasing of a fact (this one, to say it was right, or
        another) or marked out of scope."""
        dealt_with = self._dealt_with(guild_id)
        return await _first_kept(
            lambda n: self.store.unsure(guild_id, n),
            lambda row: not dealt_with(row.question),
            limit,
        )

    def _dealt_with(self, guild_id: int) -> Callable[..., bool]:
        """Whether a moderator has dealt with a question since it was asked: marked it out
        of scope, or made it a phrasing of a fact (other than ``answered_with``, the one it
        was answered with, which a member's 👎 says was wrong)."""
        ignored = {wording(q) for q in self.library.out_of_scope(guild_id)}

        def dealt_with(question: str, answered_with: str | None = None) -> bool:
            attached = set(self.library.said(guild_id, question)) - {answered_with}
            return wording(question) in ignored or bool(attached)

        return dealt_with

    async def which_question(
        self, guild_id: int, given: str | None, reply_id: int | None = None
    ) -> str:
        """The question a moderator means: given in words, ``#2`` for the second of
        ``unanswered``, or the one the bot's reply ``reply_id`` answered."""
        if given and (number := re.fullmatch(r"#?(\d{1,3})", given.strip())):
            rows = await self.unanswered(guild_id)
            if not rows:
                raise BadInput(f"Every question here got an answer, so there is no #{number[1]}.")
            if not 1 <= int(number[1]) <= len(rows):
                raise BadInput(
                    f"`unanswered` lists {counted(len(rows), 'question')}; "
                    f"there is no #{number[1]}."
                )
            return rows[int(number[1]) - 1].question
        if given:
            return check_question(given)
        asked = await self.store.asked(reply_id) if reply_id is not None else None
        if asked is None or asked[0] != guild_id:
            raise BadInput(
                "Which question? Give `question: …`, or `question: #2` for the second in "
                "`unanswered`, or reply to my answer."
            )
        return asked[1]


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _closest(query: str, facts: list[Fact], limit: int) -> list[tuple[float, Fact]]:
    """The facts whose id, phrasings, keywords and answer share most of the query's words
    (at least 60 of 100, rapidfuzz's token-set ratio), closest first. The answer counts: a
    moderator looking for the fact that says "lot B" searches for what it says."""
    texts = [
        utils.default_process(" ".join((f.id, *f.questions, *f.keywords, f.answer))) for f in facts
    ]
    scores = process.cdist(
        [utils.default_process(query)],
        texts,
        scorer=fuzz.token_set_ratio,
        processor=None,
        score_cutoff=60,
        workers=1,  # cdist computes without the GIL; extract holds it
    )[0]
    closest = (-scores).argsort(kind="stable")[:limit]
    return [(float(scores[i]), facts[i]) for i in closest if scores[i] >= 60]
