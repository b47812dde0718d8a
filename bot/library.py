"""Every fact and source in memory, and what each guild sees of them.

The store is the truth; the library mirrors it so that answering never waits on the
database. Facts of guild 0 are global (the shipped pack); a guild's own row of the same id
overrides the global one for that guild, and a removed own row hides it.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.matcher.text import said_key, said_keys, wording
from bot.models import GLOBAL, Citation, Fact, SentenceRef, Source

Worded = dict[int, str | set[str]]
"""Phrasings by a digest of their :func:`said_key` (:func:`_digest`), each with the fact
said so, or the facts when several are (most are one: a set each would be a hundred
megabytes at 100,000 facts)."""


def _digest(key: str) -> int:
    """A said key as 56 bits: a number takes 32 bytes, the key itself about a hundred,
    and a large knowledge base holds half a million of them. Two keys with one digest
    are told apart by :meth:`Library.said`, which reads the facts' own phrasings."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=7).digest())


def _said_by(worded: Worded, key: int, fact_id: str) -> None:
    held = worded.get(key)
    if held is None:
        worded[key] = fact_id
    elif isinstance(held, str):
        if held != fact_id:
            worded[key] = {held, fact_id}
    else:
        held.add(fact_id)


def _unsaid_by(worded: Worded, key: int, fact_id: str) -> None:
    held = worded.get(key)
    if held == fact_id:
        del worded[key]
    elif isinstance(held, set):
        held.discard(fact_id)
        if len(held) == 1:
            worded[key] = held.pop()


def _ids(held: str | set[str] | None) -> set[str]:
    return set() if held is None else {held} if isinstance(held, str) else held


@dataclass
class KeptLibrary:
    """What a library holds that is read from the store (and the phrasing lookups built
    from it): all :meth:`Library.restore` needs to be that library again."""

    rows: dict[int, dict[str, Fact]]
    sources: dict[str, Source]
    shipped_off: set[int]
    out_of_scope: dict[int, list[str]]
    worded: dict[int, Worded]
    phrasing_count: dict[int, int]


class Library:
    """Lookups a question needs (a fact by id, phrasings said word for word) cost the same
    at any size and are kept up to date as facts change, in time proportional to the
    change. Whole lists (:meth:`visible`, :meth:`phrasings`) are for listing and fitting,
    made again on demand after a change."""

    def __init__(self, *, shipped_pack: bool = True) -> None:
        self.shipped_pack = shipped_pack
        """Whether the global (shipped) facts are visible at all (FACTBOT_SHIPPED_PACK)."""
        self.updating = asyncio.Lock()
        """Held from a read or write of the store to the library's update after it
        (curation, :meth:`Engine.sync`): a value read before a newer write of this process
        is never applied after it."""
        self._rows: dict[int, dict[str, Fact]] = {}
        """Each guild's fact rows by id, removed ones too."""
        self._sources: dict[str, Source] = {}
        self._shipped_off: set[int] = set()
        self._out_of_scope: dict[int, list[str]] = defaultdict(list)
        self._worded: dict[int, Worded] = {}
        """Per guild, once asked for: its rows' phrasings by :func:`said_key` (removed
        rows left out), each with the ids of the facts said so."""
        self._phrasing_count: dict[int, int] = defaultdict(int)
        self._visible: dict[int, list[Fact]] = {}
        self._phrasings: dict[int, tuple[list[str], list[str]]] = {}
        self._marked_worded: dict[int, list[str]] = {}
        self.generation: dict[int, int] = defaultdict(int)
        """Bumped on every change to a guild's knowledge; a global change bumps guild 0."""
        self.on_new_phrasings: Callable[[int, list[str]], None] | None = None
        """Told of a fact's phrasings that are new to its guild's library as they come
        (a guild id, the questions): the matchers encode them before they learn them."""

    # -- loading and changing ----------------------------------------------------------

    def load(
        self,
        facts: Iterable[Fact],
        sources: Iterable[Source],
        out_of_scope: dict[int, list[str]],
        shipped_off: set[int],
    ) -> None:
        for fact in facts:
            self._store_row(fact)
        for source in sources:
            self._sources[source.id] = source
        self._out_of_scope.update(out_of_scope)
        self._shipped_off = set(shipped_off)
        self._changed(GLOBAL)

    def kept(self) -> KeptLibrary:
        """This library's contents, to be restored in another process (shared, not copied:
        pickle them before changing anything)."""
        return KeptLibrary(
            self._rows,
            self._sources,
            self._shipped_off,
            dict(self._out_of_scope),
            self._worded,
            dict(self._phrasing_count),
        )

    def restore(self, kept: KeptLibrary) -> None:
        """Hold what :meth:`kept` gave, instead of anything loaded before."""
        self._rows = kept.rows
        self._sources = kept.sources
        self._shipped_off = kept.shipped_off
        self._out_of_scope = defaultdict(list, kept.out_of_scope)
        self._worded = kept.worded
        self._phrasing_count = defaultdict(int, kept.phrasing_count)
        self._changed(GLOBAL)

    def row_count(self) -> int:
        """How many fact rows the library holds, of every guild, removed ones too."""
        return sum(len(rows) for rows in self._rows.values())

    def put(self, fact: Fact) -> None:
        before = self._rows.get(fact.guild_id, {}).get(fact.id)
        self._store_row(fact)
        self._changed(fact.guild_id)
        if self.on_new_phrasings is not None and not fact.removed:
            had = set(before.questions) if before is not None and not before.removed else set()
            if new := [q for q in fact.questions if q not in had]:
                self.on_new_phrasings(fact.guild_id, new)

    def _store_row(self, fact: Fact) -> None:
        rows = self._rows.setdefault(fact.guild_id, {})
        before = rows.get(fact.id)
        rows[fact.id] = fact
        for row, sign in ((before, -1), (fact, 1)):
            if row is None or row.removed:
                continue
            self._phrasing_count[fact.guild_id] += sign * len(row.questions)
            if (worded := self._worded.get(fact.guild_id)) is not None:
                for question in row.questions:
                    said = _said_by if sign > 0 else _unsaid_by
                    said(worded, _digest(said_key(question)), fact.id)

    def add_source(self, source: Source) -> None:
        self._sources[source.id] = source

    def mark(self, guild_id: int, question: str, *, out_of_scope: bool) -> None:
        marked = self._out_of_scope[guild_id]
        if out_of_scope and question not in marked:
            marked.append(question)
        elif not out_of_scope and question in marked:
            marked.remove(question)
        self._changed(guild_id)

    def set_out_of_scope(self, guild_id: int, questions: list[str]) -> None:
        self._out_of_scope[guild_id] = list(questions)
        self._changed(guild_id)

    def switch_shipped_pack(self, guild_id: int, on: bool) -> None:
        (self._shipped_off.discard if on else self._shipped_off.add)(guild_id)
        self._changed(guild_id)

    def _changed(self, guild_id: int) -> None:
        self.generation[guild_id] += 1
        if guild_id == GLOBAL:
            self._visible.clear()
            self._phrasings.clear()
            self._marked_worded.clear()
        else:
            self._visible.pop(guild_id, None)
            self._phrasings.pop(guild_id, None)
            self._marked_worded.pop(guild_id, None)

    # -- reading -----------------------------------------------------------------------

    def pack_switched_on(self, guild_id: int) -> bool:
        """Whether a guild left the shipped pack on (`pack on|off`)."""
        return guild_id not in self._shipped_off

    def sees_shipped(self, guild_id: int) -> bool:
        return self.shipped_pack and guild_id not in self._shipped_off

    def has_own_knowledge(self, guild_id: int) -> bool:
        """Whether a guild sees anything beyond the global facts as they are."""
        return guild_id != GLOBAL and (
            not self.sees_shipped(guild_id)
            or bool(self._out_of_scope.get(guild_id))
            or bool(self._rows.get(guild_id))
        )

    def get(self, guild_id: int, fact_id: str) -> Fact | None:
        """The row stored for exactly this guild (removed or not)."""
        return self._rows.get(guild_id, {}).get(fact_id)

    def is_shipped(self, fact_id: str) -> bool:
        """Whether a fact id is a global fact's (a guild's version of one included)."""
        return self.get(GLOBAL, fact_id) is not None

    def own(self, guild_id: int) -> list[Fact]:
        """The rows stored for exactly this guild, removed ones too."""
        return list(self._rows.get(guild_id, {}).values())

    def seen(self, guild_id: int, fact_id: str) -> Fact | None:
        """The row a guild sees under that id, removed or not: its own, else the global
        one (unless it switched the shipped pack off)."""
        row = self.get(guild_id, fact_id) if guild_id != GLOBAL else None
        if row is None and self.sees_shipped(guild_id):
            row = self.get(GLOBAL, fact_id)
        return row

    def visible_fact(self, guild_id: int, fact_id: str) -> Fact | None:
        """The fact a guild's members are answered from under that id, if any."""
        row = self.seen(guild_id, fact_id)
        return None if row is None or row.removed else row

    def visible(self, guild_id: int) -> list[Fact]:
        """The facts a guild's members are answered from, sorted by id."""
        if (cached := self._visible.get(guild_id)) is not None:
            return cached
        facts: dict[str, Fact] = {}
        if self.sees_shipped(guild_id):
            facts = dict(self._rows.get(GLOBAL, {}))
        if guild_id != GLOBAL:
            facts |= self._rows.get(guild_id, {})
        visible = sorted((f for f in facts.values() if not f.removed), key=lambda f: f.id)
        self._visible[guild_id] = visible
        return visible

    def example(self, guild_id: int) -> Fact | None:
        """A fact to show a guild's members what they can ask: of the guild's own facts if
        it has any (what its members are there for), the one with the most phrasings
        (moderators word most what members ask most)."""
        own = [f for f in self._rows.get(guild_id, {}).values() if not f.removed]
        facts = own if guild_id != GLOBAL and own else self.visible(guild_id)
        return max(facts, key=lambda f: len(f.questions), default=None)

    def removed(self, guild_id: int) -> list[Fact]:
        """The facts a guild removed (its own, and its versions of shipped ones), sorted by
        id: what it can restore."""
        return sorted((f for f in self.own(guild_id) if f.removed), key=lambda f: f.id)

    def phrasing_count(self, guild_id: int) -> int:
        """About how many phrasings a guild sees (a guild's own version of a shipped fact
        counts twice): enough to choose how to search them."""
        count = self._phrasing_count[guild_id] if guild_id != GLOBAL else 0
        return count + (self._phrasing_count[GLOBAL] if self.sees_shipped(guild_id) else 0)

    def phrasings(self, guild_id: int) -> tuple[list[str], list[str]]:
        """Every phrasing a guild sees, as its words (:func:`wording`), and the id of the
        fact each belongs to."""
        if (cached := self._phrasings.get(guild_id)) is not None:
            return cached
        texts, owners = [], []
        for fact in self.visible(guild_id):
            for question in fact.questions:
                texts.append(wording(question))
                owners.append(fact.id)
        self._phrasings[guild_id] = texts, owners
        return texts, owners

    def said(self, guild_id: int, question: str) -> list[str]:
        """The facts a guild sees with a phrasing of the same words as ``question`` (case
        and punctuation aside: :func:`said_key`)."""
        key = said_key(question)
        digest, found = _digest(key), []
        own = self._rows.get(guild_id, {}) if guild_id != GLOBAL else {}
        if guild_id != GLOBAL:
            found += [own[i] for i in _ids(self._worded_in(guild_id).get(digest))]
        if self.sees_shipped(guild_id):
            shipped = self._rows.get(GLOBAL, {})
            found += [shipped[i] for i in _ids(self._worded_in(GLOBAL).get(digest)) if i not in own]
        return sorted(f.id for f in found if any(said_key(q) == key for q in f.questions))

    def prepare(self, guild_id: int) -> None:
        """Build the guild's lookups of phrasings said word for word now (at 100,000 facts
        that takes a second: better at start than during the first question)."""
        self._worded_in(guild_id)
        if self.sees_shipped(guild_id):
            self._worded_in(GLOBAL)
        for source in self.sources(guild_id):
            _ = source.sentences_by_id  # an imported FAQ's source has thousands

    def _worded_in(self, guild_id: int) -> Worded:
        if (worded := self._worded.get(guild_id)) is None:
            facts = [f for f in self._rows.get(guild_id, {}).values() if not f.removed]
            keys = map(_digest, said_keys([q for f in facts for q in f.questions]))
            owners = (f.id for f in facts for _ in f.questions)
            worded = self._worded[guild_id] = {}
            for key, fact_id in zip(keys, owners, strict=True):
                _said_by(worded, key, fact_id)
        return worded

    def out_of_scope(self, guild_id: int) -> list[str]:
        return list(self._out_of_scope.get(guild_id, ()))

    def out_of_scope_worded(self, guild_id: int) -> list[str]:
        """The questions a guild marked out of scope, as their words (:func:`wording`):
        kept between questions, as the phrasings are."""
        if (cached := self._marked_worded.get(guild_id)) is None:
            cached = [wording(q) for q in self._out_of_scope.get(guild_id, ())]
            self._marked_worded[guild_id] = cached
        return cached

    def sources(self, guild_id: int = GLOBAL) -> list[Source]:
        """The sources a guild's facts may cite (not those its moderators removed)."""
        return [
            s for s in self._sources.values() if s.guild_id in (GLOBAL, guild_id) and not s.removed
        ]

    def removed_sources(self, guild_id: int) -> list[Source]:
        return [s for s in self._sources.values() if s.guild_id == guild_id and s.removed]

    def source(self, source_id: str) -> Source | None:
        return self._sources.get(source_id)

    def cite(self, ref: SentenceRef) -> Citation:
        source = self._sources[ref.source_id]
        sentence = source.sentence(ref.sentence_id)
        assert sentence is not None, f"{ref} vanished from its source"
        return Citation(
            source_id=source.id,
            sentence_id=sentence.id,
            text=sentence.text,
            title=source.title,
            url=source.url,
        )

    def citations(self, fact: Fact) -> list[Citation]:
        return [self.cite(ref) for ref in fact.cites]
