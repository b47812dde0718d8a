"""FactBot's records: facts, sources, history, questions, votes, and the change feed.

The same SQL runs on SQLite (the default, one machine) and PostgreSQL (several), through
:mod:`bot.store.backend`. Every write that touches more than one row runs in one
transaction. The store keeps no matching logic and makes no decisions about who may change
what.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from bot.errors import ChangedMeanwhile, SourceRemovedMeanwhile
from bot.knowledge import KnowledgeBase
from bot.models import (
    GLOBAL,
    Action,
    Fact,
    HistoryEntry,
    Sentence,
    SentenceRef,
    Source,
    shared_fields_set,
)
from bot.store.backend import Database, open_database

log = logging.getLogger(__name__)

SEED_ACTOR = "knowledge base"


@dataclass(frozen=True)
class UnansweredQuestion:
    question: str
    times: int
    last_asked: dt.datetime


Choice = Literal["answer_channels", "moderator_roles"]
"""What a server's moderators choose for it, each a set of Discord ids."""
_CHOICES: dict[Choice, tuple[str, str]] = {
    "answer_channels": ("answer_channels", "channel_id"),
    "moderator_roles": ("moderator_roles", "role_id"),
}
"""Each choice's table and id column (names from here only, never from input)."""


@dataclass(frozen=True)
class LoggedReply:
    """Where the bot's reply to a logged question is, and the question as it answered it."""

    channel_id: int
    reply_id: int
    question: str
    answered_with: str | None = None
    """The fact the reply answers with, if it answers."""


@dataclass(frozen=True)
class DislikedAnswer:
    """An answer members marked 👎: where the bot's reply is, and how many disliked it."""

    question: str
    fact_id: str
    channel_id: int | None
    reply_id: int | None
    """None once the member edited the question (the reply answers the new wording now),
    or once the bot deleted its reply."""
    votes: int


@dataclass(frozen=True)
class UnsureAnswer:
    """An answer the bot gave, where its reply is, and how sure it was (%)."""

    question: str
    fact_id: str
    channel_id: int | None
    reply_id: int | None
    """None where no reply can be linked to: asked in the console, the question edited
    since (the reply answers the new wording), or the reply deleted."""
    confidence: float


@dataclass(frozen=True)
class Change:
    """One thing the change feed says was written: a fact (``key`` its id), a source (its
    id), a guild's out-of-scope questions, its settings, its answer channels or its
    moderator roles (``key`` empty)."""

    guild_id: int
    kind: Literal["fact", "source", "out_of_scope", "settings", "channels", "roles"]
    key: str


_ENDINGS = "?!.…？！。؟ "
"""What a question may end with that does not make it another question."""

RECENT_ANSWERS = 2_000
"""The answers `unsure` chooses from, the latest: a busy server's whole log (hundreds of
thousands) took a second to sort, holding up the database meanwhile."""
RECENT_QUESTIONS = 5_000
"""The unanswered questions `unanswered` counts, the latest: 200,000 in one server took
0.2 s to group, on every keystroke of `fact attach`'s autocomplete."""


@dataclass(frozen=True)
class FactStats:
    asked: int
    helpful: int
    unhelpful: int


_MARK_OUT_OF_SCOPE = (
    "INSERT INTO out_of_scope (guild_id, question, added_by, added_at) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (guild_id, question) DO UPDATE SET removed = 0, added_by ="
    " excluded.added_by, added_at = excluded.added_at WHERE out_of_scope.removed = 1"
)
"""Mark a question out of scope (again, if it was unmarked); no change if it is marked."""


_ALL_SET: dict[type[BaseModel], set[str]] = {
    model: shared_fields_set(model.model_fields) for model in (Fact, Sentence, SentenceRef)
}
"""The fields set on a model built from a row (all of them): one set shared by every such
object instead of one each (at 100,000 facts those sets alone were 116 MB)."""


_IDS_PER_READ = 500
"""Ids in one ``IN (…)`` list: well under any database's limit on a statement's values."""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _fact_hash(fact: Fact) -> str:
    return hashlib.sha256(json.dumps(fact.content(), sort_keys=True).encode()).hexdigest()


class Store:
    """FactBot's records in a database (:mod:`bot.store.backend`): SQLite or PostgreSQL."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @classmethod
    async def open(cls, location: Path | str) -> Store:
        """Open FactBot's database (a SQLite file path or a ``postgresql://`` URL),
        creating its tables if there are none. Another program's database, or one written
        by a newer FactBot, is refused (:class:`StorageError`) before anything is written."""
        return cls(await open_database(location))

    @property
    def where(self) -> str:
        return self._db.where

    async def close(self) -> None:
        await self._db.close()

    # -- seeding -----------------------------------------------------------------------

    async def seed(self, knowledge: KnowledgeBase) -> bool:
        """Bring the shipped knowledge into the store; returns whether anything was read.

        Runs only when the shipped files changed since the last seed. A fact changed
        through the store since (an edit, a removal) is left exactly as it is.
        """
        if await self._seeded(knowledge):
            return False
        async with self._db.transaction():
            if await self._seeded(knowledge):  # another process seeded it meanwhile
                return False
            existing = {(f.guild_id, f.id): f for f in await self.facts(GLOBAL)}
            edited = await self._edited_fact_ids()
            for source in knowledge.sources:
                await self._write_source(source, SEED_ACTOR, correcting=True)
            for fact in knowledge.facts:
                key = (GLOBAL, fact.id)
                if fact.id in edited:
                    log.info("seed: keeping the edited version of fact %s", fact.id)
                    continue
                before = existing.get(key)
                if before is not None and before.content() == fact.content():
                    continue
                await self._write_fact(
                    fact, SEED_ACTOR, shipped_hash=_fact_hash(fact), before=before
                )
                await self._write_history(fact, "seed", SEED_ACTOR, before, fact)
            await self._db.execute(
                "INSERT INTO meta (key, value) VALUES ('seed', ?)"
                " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (knowledge.digest,),
            )
        return True

    async def _seeded(self, knowledge: KnowledgeBase) -> bool:
        row = await self._db.fetchone("SELECT value FROM meta WHERE key = 'seed'")
        return row is not None and row["value"] == knowledge.digest

    async def _edited_fact_ids(self) -> set[str]:
        query = "SELECT id FROM facts WHERE guild_id = ? AND edited = 1"
        return {row["id"] for row in await self._db.fetch(query, (GLOBAL,))}

    # -- sources -----------------------------------------------------------------------

    async def sources(self) -> list[Source]:
        return await self._read_sources()

    async def source(self, source_id: str) -> Source | None:
        found = await self._read_sources(source_id)
        return found[0] if found else None

    async def _read_sources(self, source_id: str | None = None) -> list[Source]:
        """Every source, or the one with that id."""
        args = () if source_id is None else (source_id,)
        only = "" if source_id is None else "WHERE source_id = ?"
        query = f"SELECT source_id, id, text FROM sentences {only} ORDER BY source_id, position"
        sentences = {
            source: [
                Sentence.model_construct(_ALL_SET[Sentence], source_id=r[0], id=r[1], text=r[2])
                for r in group
            ]
            for source, group in groupby(await self._db.fetch(query, args), itemgetter(0))
        }
        only = "" if source_id is None else "WHERE id = ?"
        query = f"SELECT * FROM sources {only} ORDER BY added_at, id"
        return [
            Source(
                id=row["id"],
                guild_id=row["guild_id"],
                title=row["title"],
                publisher=row["publisher"],
                url=row["url"],
                date=row["date"],
                sentences=tuple(sentences.get(row["id"], ())),
                removed=bool(row["removed"]),
            )
            for row in await self._db.fetch(query, args)
        ]

    async def set_source_removed(self, source_id: str, removed: bool, actor: str) -> list[str]:
        """Remove a source, or restore it. A source that facts (not removed) cite stays:
        then the ids of those facts, and nothing is written."""
        async with self._db.transaction():
            if removed:
                citing = await self._db.fetch(
                    "SELECT DISTINCT c.fact_id FROM citations c JOIN facts f"
                    " ON f.guild_id = c.guild_id AND f.id = c.fact_id"
                    " WHERE c.source_id = ? AND f.removed = 0 ORDER BY c.fact_id",
                    (source_id,),
                )
                if citing:
                    return [row[0] for row in citing]
            await self._db.execute(
                "UPDATE sources SET removed = ?, updated_by = ?, updated_at = ? WHERE id = ?",
                (int(removed), actor, _now(), source_id),
            )
        return []

    async def add_source(self, source: Source, actor: str) -> Source:
        """Store a new source under its id, or, if another process took that id
        meanwhile, under the next free one (``-2``, ``-3``, …); returns it as stored."""
        async with self._db.transaction():
            base, n = source.id, 1
            while await self.source(source.id) is not None:
                n += 1
                source_id = f"{base}-{n}"
                source = source.model_copy(
                    update={
                        "id": source_id,
                        "sentences": tuple(
                            s.model_copy(update={"source_id": source_id}) for s in source.sentences
                        ),
                    }
                )
            await self._write_source(source, actor)
        return source

    async def _write_source(self, source: Source, actor: str, *, correcting: bool = False) -> None:
        """Write a source and its sentences. Only the shipped files (``correcting``) may
        change a stored sentence's text; anyone else finding a different source under the
        id (another process wrote it) gets :class:`ChangedMeanwhile`: cited sentences never
        change under a fact."""
        if not correcting and (stored := await self.source(source.id)) is not None:
            texts = {s.id: s.text for s in stored.sentences}
            if (stored.guild_id, stored.title) != (source.guild_id, source.title) or any(
                texts.get(s.id, s.text) != s.text for s in source.sentences
            ):
                raise ChangedMeanwhile(f"Source `{source.id}`", stored)
        await self._db.execute(
            """
            INSERT INTO sources (id, guild_id, title, publisher, url, date, added_by, added_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (id) DO UPDATE SET
                title = excluded.title, publisher = excluded.publisher,
                url = excluded.url, date = excluded.date
            """,
            (
                source.id,
                source.guild_id,
                source.title,
                source.publisher,
                source.url,
                source.date.isoformat() if source.date else None,
                actor,
                _now(),
            ),
        )
        # Sentences are only ever added or corrected, never deleted: facts cite them.
        await self._db.executemany(
            """
            INSERT INTO sentences (source_id, id, position, text) VALUES (?, ?, ?, ?)
            ON CONFLICT (source_id, id) DO UPDATE SET
                text = excluded.text, position = excluded.position
            """,
            [(source.id, s.id, i, s.text) for i, s in enumerate(source.sentences)],
        )

    # -- facts -------------------------------------------------------------------------

    async def facts(self, guild_id: int | None = None) -> list[Fact]:
        """Every fact row (removed ones included), of one guild or of all."""
        return await self._read_facts(guild_id)

    async def fact(self, guild_id: int, fact_id: str) -> Fact | None:
        """The row stored for exactly this guild and id (removed or not)."""
        found = await self._read_facts(guild_id, [fact_id])
        return found[0] if found else None

    async def facts_named(self, guild_id: int, fact_ids: Sequence[str]) -> list[Fact]:
        """The rows stored for exactly this guild under these ids (removed or not), read
        a few hundred at a time: what taking in another process's import needs."""
        found = []
        for start in range(0, len(fact_ids), _IDS_PER_READ):
            found += await self._read_facts(guild_id, fact_ids[start : start + _IDS_PER_READ])
        return found

    async def _read_facts(
        self, guild_id: int | None, fact_ids: Sequence[str] | None = None
    ) -> list[Fact]:
        """The fact rows of every guild, of one, or those with these ids in one."""
        args: tuple[object, ...]
        if fact_ids is not None:  # the facts table calls the fact's id `id`, the others `fact_id`
            listed = ", ".join("?" * len(fact_ids))
            where, where_fact = (
                f"WHERE guild_id = ? AND fact_id IN ({listed})",
                f"WHERE guild_id = ? AND id IN ({listed})",
            )
            args = (guild_id, *fact_ids)
        elif guild_id is not None:
            where = where_fact = "WHERE guild_id = ?"
            args = (guild_id,)
        else:
            where, where_fact, args = "", "", ()
        # In key order (the primary key's index, no sort), a fact's rows one after another.
        by_fact = itemgetter(0, 1)
        rows = await self._db.fetch(
            f"SELECT guild_id, fact_id, text FROM phrasings {where}"
            " ORDER BY guild_id, fact_id, position",
            args,
        )
        phrasings = {key: [row[2] for row in group] for key, group in groupby(rows, by_fact)}
        rows = await self._db.fetch(
            f"SELECT guild_id, fact_id, source_id, sentence_id FROM citations {where}"
            " ORDER BY guild_id, fact_id, position",
            args,
        )
        citations = {
            key: [
                SentenceRef.model_construct(_ALL_SET[SentenceRef], source_id=r[2], sentence_id=r[3])
                for r in group
            ]
            for key, group in groupby(rows, by_fact)
        }
        rows = await self._db.fetch(f"SELECT * FROM facts {where_fact} ORDER BY guild_id, id", args)
        # Built without validating again: every row was validated on its way in, and at
        # 100,000 facts validation would be most of a start.
        return [
            Fact.model_construct(
                _ALL_SET[Fact],
                id=row["id"],
                guild_id=row["guild_id"],
                answer=row["answer"],
                keywords=() if row["keywords"] == "[]" else tuple(json.loads(row["keywords"])),
                removed=bool(row["removed"]),
                revision=row["revision"],
                questions=tuple(phrasings[(row["guild_id"], row["id"])]),
                cites=tuple(citations[(row["guild_id"], row["id"])]),
            )
            for row in rows
        ]

    async def save_fact(self, fact: Fact, action: Action, actor: str, before: Fact | None) -> Fact:
        """Write a fact and its history entry together (a change is never unrecorded), if
        the stored fact is still ``before``; returns the fact as stored, with its new
        revision. :class:`ChangedMeanwhile` when someone else changed it first."""
        async with self._db.transaction():
            await self._check_sources_kept([fact])
            saved = await self._write_fact(fact, actor, shipped_hash=None, before=before)
            await self._write_history(fact, action, actor, before, fact)
        return saved

    async def _check_sources_kept(self, facts: Sequence[Fact]) -> None:
        """Inside the write's transaction: no fact that is not removed may cite a removed
        source. The process that checked the citations may not have seen a removal made
        by another one a moment ago."""
        cited = sorted({r.source_id for f in facts if not f.removed for r in f.cites})
        if not cited:
            return
        marks = ", ".join("?" * len(cited))
        query = f"SELECT id FROM sources WHERE removed = 1 AND id IN ({marks}) ORDER BY id"
        if row := await self._db.fetchone(query, cited):
            # As any change based on what another process has changed since: refused, and
            # the caller's copy learns what is stored.
            raise SourceRemovedMeanwhile(*await self._read_sources(row[0]))

    async def _revision(self, guild_id: int, fact_id: str) -> int | None:
        query = "SELECT revision FROM facts WHERE guild_id = ? AND id = ?"
        row = await self._db.fetchone(query, (guild_id, fact_id))
        return None if row is None else int(row[0])

    async def _check_base(self, fact: Fact, before: Fact | None) -> int:
        """Compare-and-set, inside the write's transaction: the row this write replaces
        must be the one the change was based on. Returns the row's revision (0: none)."""
        own = await self._revision(fact.guild_id, fact.id)
        if before is None or before.guild_id != fact.guild_id:
            # A new fact, or a guild's first own version of a global one.
            based_on = (
                before is None
                or await self._revision(before.guild_id, before.id) == before.revision
            )
            if own is None and based_on:
                return 0
        elif own == before.revision:
            return own
        current = await self.fact(fact.guild_id, fact.id)
        if current is None and before is not None:
            current = await self.fact(before.guild_id, before.id)
        raise ChangedMeanwhile(f"`{fact.id}`", current)

    async def _write_fact(
        self,
        fact: Fact,
        actor: str,
        shipped_hash: str | None,
        before: Fact | None,
    ) -> Fact:
        key = (fact.guild_id, fact.id)
        if shipped_hash is None:
            revision = await self._check_base(fact, before) + 1
        else:  # seeding: the shipped files win wherever no one edited the fact
            revision = (await self._revision(*key) or 0) + 1
        await self._db.execute(
            """
            INSERT INTO facts
                (guild_id, id, answer, keywords, removed, shipped_hash, edited,
                 updated_at, updated_by, revision)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (guild_id, id) DO UPDATE SET
                answer = excluded.answer, keywords = excluded.keywords,
                removed = excluded.removed,
                shipped_hash = coalesce(excluded.shipped_hash, facts.shipped_hash),
                edited = excluded.edited,
                updated_at = excluded.updated_at, updated_by = excluded.updated_by,
                revision = excluded.revision
            """,
            (
                *key,
                fact.answer,
                json.dumps(list(fact.keywords)),
                int(fact.removed),
                shipped_hash,
                int(shipped_hash is None),
                _now(),
                actor,
                revision,
            ),
        )
        await self._db.execute("DELETE FROM phrasings WHERE guild_id = ? AND fact_id = ?", key)
        await self._db.executemany(
            "INSERT INTO phrasings (guild_id, fact_id, position, text) VALUES (?, ?, ?, ?)",
            [(*key, i, q) for i, q in enumerate(fact.questions)],
        )
        await self._db.execute("DELETE FROM citations WHERE guild_id = ? AND fact_id = ?", key)
        await self._db.executemany(
            "INSERT INTO citations (guild_id, fact_id, position, source_id, sentence_id)"
            " VALUES (?, ?, ?, ?, ?)",
            [(*key, i, r.source_id, r.sentence_id) for i, r in enumerate(fact.cites)],
        )
        return fact.model_copy(update={"revision": revision})

    async def import_knowledge(
        self,
        guild_id: int,
        sources: Sequence[Source],
        changes: Sequence[tuple[Fact, Action, Fact | None]],
        out_of_scope: Sequence[str],
        actor: str,
        progress: Callable[[int], None] | None = None,
    ) -> list[Fact]:
        """A bulk import in one transaction: all of it is stored, with history, or none
        (:class:`ChangedMeanwhile` if a fact changed since the import was checked).
        Returns the facts as stored."""
        saved = []
        async with self._db.transaction():
            for source in sources:
                await self._write_source(source, actor)
            await self._check_sources_kept([fact for fact, _, _ in changes])
            for fact, action, before in changes:
                saved.append(await self._write_fact(fact, actor, None, before))
                await self._write_history(fact, action, actor, before, fact)
                if progress:
                    progress(len(fact.questions) - (len(before.questions) if before else 0))
            now = _now()
            await self._db.executemany(
                _MARK_OUT_OF_SCOPE, [(guild_id, q, actor, now) for q in out_of_scope]
            )
        return saved

    async def _write_history(
        self,
        fact: Fact,
        action: Action,
        actor: str,
        before: Fact | None,
        after: Fact | None,
    ) -> None:
        await self._db.execute(
            "INSERT INTO fact_history (guild_id, fact_id, action, actor, at, before, after)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                fact.guild_id,
                fact.id,
                action,
                actor,
                _now(),
                json.dumps(before.content()) if before else None,
                json.dumps(after.content()) if after else None,
            ),
        )

    async def history(self, guild_id: int, fact_id: str) -> list[HistoryEntry]:
        """A fact's changes, oldest first; a guild sees the global history it builds on."""
        query = "SELECT * FROM fact_history WHERE fact_id = ? AND guild_id IN (0, ?) ORDER BY id"
        return [
            HistoryEntry(
                fact_id=row["fact_id"],
                guild_id=row["guild_id"],
                action=row["action"],
                actor=row["actor"],
                at=dt.datetime.fromisoformat(row["at"]),
                before=_json_or_none(row["before"]),
                after=_json_or_none(row["after"]),
            )
            for row in await self._db.fetch(query, (fact_id, guild_id))
        ]

    # -- questions and votes ---------------------------------------------------------------

    async def log_question(
        self,
        *,
        guild_id: int,
        channel_id: int | None,
        question: str,
        fact_id: str | None,
        answered: bool,
        confidence: float,
        reply_id: int | None = None,
        message_id: int | None = None,
    ) -> None:
        """Log a question asked (in the message ``message_id``, when one can be edited). A
        reply logged again (its question was edited) answers the new question from now on;
        the old one stays in the log without it."""
        # Not exclusive: the log is no fact and no change-feed entry, so an answer need not
        # wait for every shard's fact writes (the unique reply id keeps it consistent).
        async with self._db.transaction(exclusive=False):
            if reply_id is not None:
                await self._db.execute(
                    "UPDATE questions SET reply_id = NULL WHERE reply_id = ?", (reply_id,)
                )
            await self._db.execute(
                "INSERT INTO questions (guild_id, channel_id, question, fact_id, answered,"
                " confidence, reply_id, message_id, asked_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    guild_id,
                    channel_id,
                    question,
                    fact_id,
                    int(answered),
                    confidence,
                    reply_id,
                    message_id,
                    _now(),
                ),
            )

    async def unanswered(self, guild_id: int, limit: int = 10) -> list[UnansweredQuestion]:
        """Of the guild's latest :data:`RECENT_QUESTIONS` questions the bot could not
        answer, the most asked first: one question however it was capitalised or ended
        ("What time is lunch??" is "what time is lunch")."""
        query = """
            SELECT rtrim(lower(question), ?) AS question, count(*) AS times,
                max(asked_at) AS last_asked
            FROM (
                SELECT question, asked_at FROM questions WHERE guild_id = ? AND answered = 0
                ORDER BY id DESC LIMIT ?
            ) recent
            GROUP BY 1 ORDER BY times DESC, last_asked DESC LIMIT ?
        """
        return [
            UnansweredQuestion(
                row["question"], row["times"], dt.datetime.fromisoformat(row["last_asked"])
            )
            for row in await self._db.fetch(query, (_ENDINGS, guild_id, RECENT_QUESTIONS, limit))
        ]

    async def disliked(self, guild_id: int, limit: int = 10) -> list[DislikedAnswer]:
        """Answers members marked 👎 in a guild, the latest marked first."""
        query = """
            SELECT q.question, q.fact_id, q.channel_id, q.reply_id, count(*) AS votes
            FROM votes v JOIN questions q ON q.id = v.question_id
            WHERE q.guild_id = ? AND v.vote = -1
            GROUP BY q.id, q.question, q.fact_id, q.channel_id, q.reply_id
            ORDER BY max(v.at) DESC LIMIT ?
        """
        return [
            DislikedAnswer(r["question"], r["fact_id"], r["channel_id"], r["reply_id"], r["votes"])
            for r in await self._db.fetch(query, (guild_id, limit))
        ]

    async def unsure(self, guild_id: int, limit: int = 10) -> list[UnsureAnswer]:
        """Of the guild's latest :data:`RECENT_ANSWERS` answers, the least sure first:
        each question (however it was capitalised or ended) with the fact it was answered
        with once, as last asked. Leaves out a question whose answer with that fact a
        member marked 👍."""
        query = """
            SELECT question, fact_id, channel_id, reply_id, confidence FROM (
                SELECT *,
                    row_number() OVER (PARTITION BY wording, fact_id ORDER BY id DESC) AS nth,
                    max(liked) OVER (PARTITION BY wording, fact_id) AS ever_liked
                FROM (
                    SELECT q.id, q.question, q.fact_id, q.channel_id, q.reply_id, q.confidence,
                        rtrim(lower(q.question), ?) AS wording,
                        CASE WHEN EXISTS (
                            SELECT 1 FROM votes v WHERE v.question_id = q.id AND v.vote = 1
                        ) THEN 1 ELSE 0 END AS liked
                    FROM (
                        SELECT * FROM questions WHERE guild_id = ? AND answered = 1
                        ORDER BY id DESC LIMIT ?
                    ) q
                ) answered
            ) latest
            WHERE nth = 1 AND ever_liked = 0 ORDER BY confidence, id DESC LIMIT ?
        """
        return [
            UnsureAnswer(
                r["question"], r["fact_id"], r["channel_id"], r["reply_id"], r["confidence"]
            )
            for r in await self._db.fetch(query, (_ENDINGS, guild_id, RECENT_ANSWERS, limit))
        ]

    async def reply_to(self, message_id: int) -> LoggedReply | None:
        """The bot's reply to the question a message asked, if it has one."""
        query = (
            "SELECT channel_id, reply_id, question, answered, fact_id FROM questions"
            " WHERE message_id = ? AND reply_id IS NOT NULL ORDER BY id DESC LIMIT 1"
        )
        row = await self._db.fetchone(query, (message_id,))
        if row is None:
            return None
        answered_with = row["fact_id"] if row["answered"] else None
        return LoggedReply(row["channel_id"], row["reply_id"], row["question"], answered_with)

    async def asked(self, reply_id: int) -> tuple[int, str] | None:
        """The (guild, question) a bot reply was for."""
        query = "SELECT guild_id, question FROM questions WHERE reply_id = ?"
        row = await self._db.fetchone(query, (reply_id,))
        return (row["guild_id"], row["question"]) if row else None

    async def record_vote(self, reply_id: int, user_id: int, vote: int) -> None:
        """A 👍 (1) or 👎 (-1) on a reply, for the answer it shows now: its question's. Not
        an answer (a "don't know"), nothing is recorded."""
        await self._db.execute(
            "INSERT INTO votes (question_id, user_id, vote, at)"
            " SELECT id, ?, ?, ? FROM questions WHERE reply_id = ? AND answered = 1"
            " ON CONFLICT (question_id, user_id) DO UPDATE SET vote = excluded.vote,"
            " at = excluded.at",
            (user_id, vote, _now(), reply_id),
        )

    async def forget_reply(self, reply_id: int) -> None:
        """The bot deleted its reply: its question stays in the log (and its votes), but
        no longer links to a message that is gone."""
        await self._db.execute(
            "UPDATE questions SET reply_id = NULL WHERE reply_id = ?", (reply_id,)
        )

    async def voted_on(self, reply_id: int) -> bool:
        """Whether anyone voted on the answer a reply shows now."""
        query = (
            "SELECT 1 FROM votes v JOIN questions q ON q.id = v.question_id"
            " WHERE q.reply_id = ? LIMIT 1"
        )
        return await self._db.fetchone(query, (reply_id,)) is not None

    async def withdraw_vote(self, reply_id: int, user_id: int, vote: int) -> None:
        await self._db.execute(
            "DELETE FROM votes WHERE user_id = ? AND vote = ?"
            " AND question_id IN (SELECT id FROM questions WHERE reply_id = ?)",
            (user_id, vote, reply_id),
        )

    async def fact_stats(self, guild_id: int, fact_id: str) -> FactStats:
        query = """
            SELECT count(DISTINCT q.id) AS asked,
                   count(*) FILTER (WHERE f.vote = 1) AS helpful,
                   count(*) FILTER (WHERE f.vote = -1) AS unhelpful
            FROM questions q LEFT JOIN votes f ON f.question_id = q.id
            WHERE q.guild_id = ? AND q.fact_id = ? AND q.answered = 1
        """
        row = await self._db.fetchone(query, (guild_id, fact_id))
        assert row is not None
        return FactStats(row["asked"], row["helpful"], row["unhelpful"])

    # -- out of scope and guild settings ----------------------------------------------

    async def out_of_scope(self, guild_id: int | None = None) -> dict[int, list[str]]:
        """Questions moderators marked as not to be answered, by guild."""
        where, args = ("AND guild_id = ?", (guild_id,)) if guild_id is not None else ("", ())
        query = f"SELECT guild_id, question FROM out_of_scope WHERE removed = 0 {where}"
        marked: dict[int, list[str]] = {}
        for row in await self._db.fetch(query + " ORDER BY added_at", args):
            marked.setdefault(row[0], []).append(row[1])
        return marked

    async def mark_out_of_scope(self, guild_id: int, question: str, actor: str) -> bool:
        """Returns False when the question was marked already."""
        return await self._db.execute(_MARK_OUT_OF_SCOPE, (guild_id, question, actor, _now())) > 0

    async def unmark_out_of_scope(self, guild_id: int, question: str) -> bool:
        """Kept as a removed row, never deleted: marking it again brings it back."""
        changed = await self._db.execute(
            "UPDATE out_of_scope SET removed = 1 WHERE guild_id = ? AND question = ?"
            " AND removed = 0",
            (guild_id, question),
        )
        return changed > 0

    async def shipped_pack_off(self) -> set[int]:
        """The guilds that switched the shipped knowledge pack off."""
        query = "SELECT guild_id FROM guild_settings WHERE shipped_pack = 0"
        return {row[0] for row in await self._db.fetch(query)}

    async def set_shipped_pack(self, guild_id: int, on: bool, actor: str) -> None:
        await self._db.execute(
            "INSERT INTO guild_settings (guild_id, shipped_pack, updated_by, updated_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (guild_id) DO UPDATE SET shipped_pack ="
            " excluded.shipped_pack, updated_by = excluded.updated_by,"
            " updated_at = excluded.updated_at",
            (guild_id, int(on), actor, _now()),
        )

    async def chosen(self, kind: Choice, guild_id: int | None = None) -> dict[int, set[int]]:
        """What a server's moderators chose, by guild: the channels where plain questions
        are answered, or the roles that may curate."""
        table, column = _CHOICES[kind]
        where, args = ("AND guild_id = ?", (guild_id,)) if guild_id is not None else ("", ())
        query = f"SELECT guild_id, {column} FROM {table} WHERE removed = 0 {where}"
        chosen: dict[int, set[int]] = {}
        for row in await self._db.fetch(query, args):
            chosen.setdefault(row[0], set()).add(row[1])
        return chosen

    async def choose(self, kind: Choice, guild_id: int, item_id: int, on: bool, actor: str) -> bool:
        """Returns False when it was already so. Taken back, a choice's row stays
        (removed): who did what is kept."""
        table, column = _CHOICES[kind]
        return (
            await self._db.execute(
                f"INSERT INTO {table} (guild_id, {column}, removed, updated_by, updated_at)"
                f" VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, {column}) DO UPDATE SET"
                " removed = excluded.removed, updated_by = excluded.updated_by,"
                f" updated_at = excluded.updated_at WHERE {table}.removed <> excluded.removed",
                (guild_id, item_id, int(not on), actor, _now()),
            )
            > 0
        )

    # -- the change feed ----------------------------------------------------------------

    async def data_version(self) -> int:
        """Changes when another connection commits to the database: a cheap "anything new?"."""
        return await self._db.data_version()

    async def wait_for_news(self, at_most: float) -> None:
        """Return when another process may have written (PostgreSQL tells at once), or
        after ``at_most`` seconds."""
        await self._db.wait_for_news(at_most)

    async def changes_since(self, seq: int) -> tuple[int, list[Change]]:
        """What was written after change ``seq`` (by any process), each thing once, and the
        newest change's number."""
        query = "SELECT seq, guild_id, kind, key FROM changes WHERE seq > ? ORDER BY seq"
        rows = await self._db.fetch(query, (seq,))
        changed = dict.fromkeys(Change(row[1], row[2], row[3]) for row in rows)
        return (rows[-1][0] if rows else seq), list(changed)

    async def last_change(self) -> int:
        row = await self._db.fetchone("SELECT coalesce(max(seq), 0) FROM changes")
        return int(row[0]) if row else 0

    async def change_at(self, seq: int) -> Change | None:
        """Change ``seq`` of the feed, if the feed has it."""
        query = "SELECT guild_id, kind, key FROM changes WHERE seq = ?"
        row = await self._db.fetchone(query, (seq,))
        return None if row is None else Change(row[0], row[1], row[2])

    async def count_changes_since(self, seq: int) -> int:
        row = await self._db.fetchone("SELECT count(*) FROM changes WHERE seq > ?", (seq,))
        return int(row[0]) if row else 0

    async def identity(self) -> str:
        """A random name this database is given the first time it is asked for one, so
        that a file kept for one database (:mod:`bot.library_snapshot`) is never taken for
        another's. A copy made with ``factbot backup`` or ``restore`` gets a name of its own."""
        query = "SELECT value FROM meta WHERE key = 'identity'"
        if (row := await self._db.fetchone(query)) is None:
            async with self._db.transaction():
                await self._db.execute(
                    "INSERT INTO meta (key, value) VALUES ('identity', ?)"
                    " ON CONFLICT (key) DO NOTHING",
                    (uuid.uuid4().hex,),
                )
            row = await self._db.fetchone(query)
        return str(row[0])

    async def count(self, table: Literal["facts", "questions", "sources", "fact_history"]) -> int:
        row = await self._db.fetchone(f"SELECT count(*) FROM {table}")
        return int(row[0]) if row else 0


def _json_or_none(text: str | None) -> dict[str, Any] | None:
    return json.loads(text) if text else None
