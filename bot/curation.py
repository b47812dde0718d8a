"""What moderators change: facts, phrasings, sources, out-of-scope questions, the shipped
pack. Every change is written to the store with its history first, then to the library,
whose new generation tells the guild's matcher to refit (bot/training.py)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rapidfuzz import fuzz, process

from bot.citing import resolve_citations
from bot.errors import BadInput, ChangedMeanwhile, FactNotFound
from bot.knowledge import parse_ref
from bot.library import Library
from bot.matcher.text import fold, without_mentions, wording, words
from bot.models import GLOBAL, Fact, SentenceRef, Source
from bot.rendering import counted
from bot.sentences import split_sentences
from bot.store import Action, Store

if TYPE_CHECKING:
    from bot.bulk import Bundle

log = logging.getLogger(__name__)

MAX_QUESTION_LENGTH = 500
MAX_ANSWER_LENGTH = 1000
FACT_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")
YIELD_EVERY = 500
"""Facts an import reads or takes in between letting the event loop answer others: about
20 ms' worth (a 5 MB FAQ holds some 18,000 facts, a second's work)."""


def visible(text: str) -> str:
    """The text without control and format characters (NUL, zero-width, right-to-left
    overrides): invisible in Discord, they could make stored words look like other words."""
    if text.isprintable():  # nearly always, and checked in C: a large import checks 100,000
        return text
    return "".join(ch for ch in text if ch.isprintable() or ch.isspace())


def check_question(text: str, *, keep_lines: bool = False) -> str:
    """The question, cleaned of invisible characters, or :class:`BadInput` saying why not.
    A message asked keeps its line breaks (``keep_lines``): a line may be a question of its
    own. A phrasing curated for a fact is one line."""
    lines = [" ".join(line.split()) for line in visible(text).splitlines()]
    question = ("\n" if keep_lines else " ").join(line for line in lines if line)
    if not keep_lines:  # a phrasing: what a member asked is read without mentions anyway
        question = without_mentions(question)
    if len(question) > MAX_QUESTION_LENGTH:
        raise BadInput(
            f"That question is {len(question):,} characters long; "
            f"please keep it under {MAX_QUESTION_LENGTH}."
        )
    if not words(fold(question)):
        raise BadInput("Ask me a question in words, for example: how many vacation days do I get?")
    return question


def check_answer(answer: str) -> str:
    answer = " ".join(visible(answer).split())
    if not answer:
        raise BadInput("The `answer:` is empty.")
    if len(answer) > MAX_ANSWER_LENGTH:
        raise BadInput(f"Keep the `answer:` under {MAX_ANSWER_LENGTH} characters.")
    return answer


def slug(text: str, n_words: int = 6, *, fallback: str = "fact") -> str:
    """An id made of the text's first words, as far as they are written in a-z and 0-9
    ("¿Dónde aparco?" is ``donde-aparco``); ``fallback`` when none are ("Где парковка?")."""
    made = "-".join(re.findall(r"[a-z0-9]+", fold(text))[:n_words])[:48].strip("-")
    return made or fallback


class Curator:
    def __init__(self, store: Store, library: Library) -> None:
        self.store = store
        self.library = library

    def find(self, guild_id: int, fact_id: str, *, removed_too: bool = False) -> Fact:
        """The fact a guild sees by that id (its own version first), or FactNotFound."""
        fact_id = " ".join(visible(fact_id).split()).lower()
        fact = self.library.seen(guild_id, fact_id)
        if fact is None or (fact.removed and not removed_too):
            ids = [f.id for f in self.library.visible(guild_id)]
            close = process.extract(fact_id, ids, scorer=fuzz.ratio, limit=2, score_cutoff=70)
            # A part of a long id ("office-open" of "when-does-the-office-open"), shortest first.
            within = sorted((i for i in ids if fact_id and fact_id in i), key=len)
            raise FactNotFound(fact_id, list(dict.fromkeys([c[0] for c in close] + within))[:2])
        return fact

    async def add_fact(
        self,
        guild_id: int,
        *,
        question: str,
        answer: str,
        cite: str,
        actor: str,
        fact_id: str | None = None,
    ) -> Fact:
        question = check_question(question)
        # An id from the question's words, or, in a script ids cannot spell, a number.
        given = bool(fact_id)
        fact_id = fact_id.strip().lower() if fact_id else slug(question, fallback="")
        if fact_id or given:
            self._check_free(guild_id, fact_id)
        if said := self.library.said(guild_id, question):
            raise BadInput(f"`{said[0]}` already answers that: use `fact alias` or `fact edit`.")
        fact_id = fact_id or self._numbered(guild_id)
        fact = Fact(
            id=fact_id,
            guild_id=guild_id,
            answer=check_answer(answer),
            questions=(question,),
            cites=self._citations(guild_id, cite),
        )
        return await self._save(fact, "add", actor, before=None)

    def _said_by_another(self, guild_id: int, question: str, fact_id: str) -> str | None:
        """The fact other than ``fact_id`` that has these words as a phrasing: said to both,
        the bot could only ask which, so words stay with one fact."""
        return next((i for i in self.library.said(guild_id, question) if i != fact_id), None)

    def _check_free(self, guild_id: int, fact_id: str) -> None:
        if not FACT_ID.fullmatch(fact_id):
            raise BadInput("A fact id is up to 64 lowercase letters, digits and dashes.")
        own = self.library.get(guild_id, fact_id)
        if self.library.visible_fact(guild_id, fact_id) or (own and not own.removed):
            raise BadInput(f"A fact `{fact_id}` exists already: use `fact alias` or `fact edit`.")
        if own:
            raise BadInput(f"Fact `{fact_id}` was removed; bring it back with `fact restore`.")

    def _numbered(self, guild_id: int) -> str:
        """The first free ``fact-N``: the id of a fact asked in a script ids cannot spell."""
        n = 1
        while self.library.get(guild_id, f"fact-{n}") or self.library.get(GLOBAL, f"fact-{n}"):
            n += 1
        return f"fact-{n}"

    def _citations(self, guild_id: int, cite: str) -> tuple[SentenceRef, ...]:
        try:
            return resolve_citations(cite, self.library.sources(guild_id), self.citable(guild_id))
        except BadInput:
            named = set(re.findall(r"([a-z0-9-]+):s\d+", cite.lower()))
            for source in self.library.removed_sources(guild_id):
                if source.id in named:  # not "there is no source": there was
                    raise BadInput(
                        f"`{source.id}` was removed: `source restore id: {source.id}` first."
                    ) from None
            raise

    def citable(self, guild_id: int) -> list[Source]:
        """The sources a guild's bare sentence ids and quotes are looked for in: all it
        sees, or, with the shipped pack off, only its own (its ``s1``, not the article's)."""
        sources = self.library.sources(guild_id)
        if self.library.sees_shipped(guild_id):
            return sources
        return [s for s in sources if s.guild_id == guild_id]

    async def add_phrasing(
        self, guild_id: int, fact_id: str, question: str, actor: str
    ) -> tuple[Fact, str]:
        """Another phrasing of a fact (`fact alias`, `fact attach`): if the question was
        marked not to be answered, it no longer is. Returns the fact and the phrasing as
        stored (without mentions, say)."""
        question = check_question(question)
        before = self.find(guild_id, fact_id)
        if question.casefold() in (q.casefold() for q in before.questions):
            raise BadInput(f"`{before.id}` already has that phrasing.")
        if other := self._said_by_another(guild_id, question, before.id):
            raise BadInput(
                f"`{other}` already answers “{question}”: take it off there "
                f"first (`fact unalias id: {other} question: …`)."
            )
        fact = before.model_copy(
            update={"questions": (*before.questions, question), "guild_id": guild_id}
        )
        saved = await self._save(fact, "alias", actor, before)
        await self._unmark_phrasings(guild_id, [question])
        return saved, question

    async def remove_phrasing(
        self, guild_id: int, fact_id: str, question: str, actor: str
    ) -> tuple[Fact, str]:
        """Take a phrasing off a fact (one attached by mistake, say); the fact keeps at least
        one. Returns the fact and the phrasing as it was worded."""
        before = self.find(guild_id, fact_id)
        wanted = wording(visible(question))  # "Where do I park?" is "where do i park"
        gone = [q for q in before.questions if wording(q) == wanted]
        if not gone:
            close = process.extractOne(
                question, before.questions, scorer=fuzz.ratio, score_cutoff=75
            )
            hint = f" Did you mean “{close[0]}”?" if close else ""
            raise BadInput(f"`{before.id}` has no phrasing like that.{hint}")
        kept = tuple(q for q in before.questions if q not in gone)
        if not kept:
            raise BadInput(
                f"That is the only phrasing of `{before.id}`: alias another first, "
                "or remove the fact."
            )
        fact = before.model_copy(update={"questions": kept, "guild_id": guild_id})
        return await self._save(fact, "unalias", actor, before), gone[0]

    async def edit_fact(
        self,
        guild_id: int,
        fact_id: str,
        *,
        actor: str,
        answer: str | None = None,
        cite: str | None = None,
    ) -> Fact:
        if answer is None and cite is None:
            raise BadInput("Nothing to change: give a new `answer:`, `cite:`, or both.")
        before = self.find(guild_id, fact_id)
        update: dict[str, object] = {"guild_id": guild_id}
        if answer is not None:
            update["answer"] = check_answer(answer)
        if cite is not None:
            update["cites"] = self._citations(guild_id, cite)
        fact = before.model_copy(update=update)
        if fact.content() == before.content() and before.guild_id == guild_id:
            raise BadInput(f"`{before.id}` already says exactly that.")
        return await self._save(fact, "edit", actor, before)

    async def remove_fact(self, guild_id: int, fact_id: str, actor: str) -> Fact:
        before = self.find(guild_id, fact_id)
        fact = before.model_copy(update={"removed": True, "guild_id": guild_id})
        return await self._save(fact, "remove", actor, before)

    async def restore_fact(self, guild_id: int, fact_id: str, actor: str) -> Fact:
        before = self.find(guild_id, fact_id, removed_too=True)
        if not before.removed:
            raise BadInput(f"`{before.id}` is not removed.")
        fact = before.model_copy(update={"removed": False})
        self._check_answerable(fact)
        return await self._save(fact, "restore", actor, before)

    async def revert_fact(
        self, guild_id: int, fact_id: str, actor: str, to: int | None = None
    ) -> tuple[Fact, int]:
        """Put a fact back as it was right after change number ``to`` of its history
        (`fact history` numbers them), by default as it was before its latest change.
        Recorded as a change of its own, so a revert can be reverted too. Returns the fact
        and the change it went back to."""
        before = self.find(guild_id, fact_id, removed_too=True)
        entries = await self.store.history(guild_id, before.id)
        to = len(entries) - 1 if to is None else to
        if len(entries) < 2:
            raise BadInput(f"`{before.id}` has not changed since it was added.")
        if not 1 <= to <= len(entries):
            raise BadInput(
                f"`{before.id}` has changes #1 to #{len(entries)}: "
                f"`fact history id: {before.id}` lists them."
            )
        fact = _as_then(before, entries[to - 1].after or {}, guild_id)
        # What is stored now, which this process may not have seen yet (then the save below
        # is refused, as any change based on an old version is).
        stored = [e.after for e in entries if e.guild_id == before.guild_id]
        now = stored[-1] if stored else before.content()
        if fact.content() == now and before.guild_id == guild_id:
            raise BadInput(f"`{before.id}` is as it was after change #{to} already.")
        if not fact.removed:
            self._check_answerable(fact)
        saved = await self._save(fact, "revert", actor, before)
        if not fact.removed:
            await self._unmark_phrasings(guild_id, fact.questions)
        return saved, to

    def _check_answerable(self, fact: Fact) -> None:
        """That a fact about to answer again (restored, reverted) cites only sources that
        are kept, and that no other fact has taken one of its phrasings meanwhile."""
        for ref in fact.cites:
            if (source := self.library.source(ref.source_id)) is not None and source.removed:
                raise BadInput(
                    f"`{fact.id}` cites `{source.id}`, which was removed: "
                    f"`source restore id: {source.id}` first."
                )
        for question in fact.questions:
            if other := self._said_by_another(fact.guild_id, question, fact.id):
                raise BadInput(
                    f"`{other}` answers “{question}” now, a phrasing of `{fact.id}`: "
                    f"take it off there first (`fact unalias id: {other} question: …`)."
                )

    async def _unmark_phrasings(self, guild_id: int, questions: Sequence[str]) -> None:
        """A phrasing is answered word for word: if it was marked not to be answered, it
        no longer is."""
        marked = {q.casefold() for q in self.library.out_of_scope(guild_id)}
        for question in questions:
            if question.casefold() in marked:
                await self.unmark_out_of_scope(guild_id, question)

    @contextlib.asynccontextmanager
    async def _writing(self) -> AsyncIterator[None]:
        """Around a write to the store and the library's update after it. Holds the
        library's lock, so that what :meth:`Engine.sync` read of the store a moment ago is
        never applied over this newer write. A refused write (:class:`ChangedMeanwhile`)
        still tells the library the current version, so the moderator's next try is based
        on it."""
        async with self.library.updating:
            try:
                yield
            except ChangedMeanwhile as error:
                if isinstance(error.current, Fact):
                    self.library.put(error.current)
                elif isinstance(error.current, Source):
                    self.library.add_source(error.current)
                raise

    async def _save(self, fact: Fact, action: Action, actor: str, before: Fact | None) -> Fact:
        async with self._writing():
            saved = await self.store.save_fact(fact, action, actor, before)
            self.library.put(saved)
        log.info("%s: fact %s (guild %s) by %s", action, fact.id, fact.guild_id, actor)
        return saved

    async def mark_out_of_scope(self, guild_id: int, question: str, actor: str) -> str:
        """Teach the guild's matcher that a question must not be answered."""
        question = check_question(question)
        if guild_id == GLOBAL:
            raise BadInput("Out-of-scope questions belong to a server: mark them there.")
        if said := self.library.said(guild_id, question):
            # Its fact would still answer it, word for word, whatever the matcher learns.
            raise BadInput(
                f"“{question}” is a phrasing of `{said[0]}`: take it off there first "
                f"(`fact unalias id: {said[0]} question: {question}`)."
            )
        async with self._writing():
            if not await self.store.mark_out_of_scope(guild_id, question, actor):
                raise BadInput("That question is marked out of scope already.")
            self.library.mark(guild_id, question, out_of_scope=True)
        return question

    async def unmark_out_of_scope(self, guild_id: int, question: str) -> str:
        question = check_question(question)
        async with self._writing():
            if not await self.store.unmark_out_of_scope(guild_id, question):
                raise BadInput("That question is not marked out of scope.")
            self.library.mark(guild_id, question, out_of_scope=False)
        return question

    async def switch_shipped_pack(self, guild_id: int, on: bool, actor: str) -> None:
        if guild_id == GLOBAL:
            raise BadInput("The shipped pack is switched per server (or FACTBOT_SHIPPED_PACK).")
        async with self._writing():
            await self.store.set_shipped_pack(guild_id, on, actor)
            self.library.switch_shipped_pack(guild_id, on)

    async def add_source(
        self,
        guild_id: int,
        *,
        title: str,
        text: str,
        actor: str,
        url: str | None = None,
    ) -> Source:
        title = " ".join(visible(title).split())
        if not title:
            raise BadInput("A source needs a `title:`.")
        if url is not None and not re.match(r"^https?://\S+$", url.strip()):
            raise BadInput("`url:` must be a web link starting with http:// or https://.")
        # 200 KB splits in about half a second: other servers' questions go on meanwhile.
        sentences = await asyncio.to_thread(split_sentences, visible(text))
        if not sentences:
            raise BadInput("That document has no sentences in it.")
        seen = [*self.library.sources(guild_id), *self.library.removed_sources(guild_id)]
        same = (s for s in seen if [t.text for t in s.sentences] == sentences)
        if (twin := next(same, None)) is not None and twin.removed:
            raise BadInput(f"That document was removed: `source restore id: {twin.id}`.")
        if twin is not None:
            # Twice the same sentences would make every `cite: s1` ask which of the two.
            raise BadInput(f"That document is registered already: cite it as `{twin.id}:s1`.")
        base = slug(title, fallback="source")
        source_id, n = base, 1
        while self.library.source(source_id) is not None:
            n += 1
            source_id = f"{base}-{n}"
        source = Source.model_validate(
            {
                "id": source_id,
                "title": title,
                "url": url.strip() if url else None,
                "guild_id": guild_id,
                "sentences": [
                    {"source_id": source_id, "id": f"s{i}", "text": s}
                    for i, s in enumerate(sentences, start=1)
                ],
            }
        )
        async with self._writing():
            source = await self.store.add_source(source, actor)
            self.library.add_source(source)
        return source

    async def remove_source(self, guild_id: int, source_id: str, actor: str) -> Source:
        """Take back a document of the guild's own that none of its facts cites (a wrong
        one, or one a corrected copy replaced): it is no longer listed or cited anew. Its
        sentences stay, for the removed facts that quoted them."""
        source = self._own_source(guild_id, source_id)
        if source.removed:
            raise BadInput(f"`{source.id}` is removed already.")
        async with self._writing():
            citing = await self.store.set_source_removed(source.id, True, actor)
            if citing:
                shown = ", ".join(f"`{i}`" for i in citing[:5]) + (" …" if len(citing) > 5 else "")
                raise BadInput(
                    f"`{source.id}` is cited by {shown}: edit or remove those facts first."
                )
            source = source.model_copy(update={"removed": True})
            self.library.add_source(source)
        log.info("remove: source %s (guild %s) by %s", source.id, guild_id, actor)
        return source

    async def restore_source(self, guild_id: int, source_id: str, actor: str) -> Source:
        source = self._own_source(guild_id, source_id)
        if not source.removed:
            raise BadInput(f"`{source.id}` is not removed.")
        async with self._writing():
            await self.store.set_source_removed(source.id, False, actor)
            source = source.model_copy(update={"removed": False})
            self.library.add_source(source)
        log.info("restore: source %s (guild %s) by %s", source.id, guild_id, actor)
        return source

    def find_source(self, guild_id: int, source_id: str) -> Source:
        """The source of that id a guild sees (removed too); BadInput naming the closest
        otherwise."""
        source_id = " ".join(visible(source_id).split()).lower()
        source = self.library.source(source_id)
        if source is not None and source.guild_id in (GLOBAL, guild_id):
            return source
        ids = [s.id for s in self.library.sources(guild_id)]
        close = process.extractOne(source_id, ids, scorer=fuzz.ratio, score_cutoff=70)
        hint = f" Did you mean `{close[0]}`?" if close else ""
        shown = source_id if len(source_id) <= 64 else source_id[:63] + "…"
        raise BadInput(f"There is no source `{shown}`.{hint}")

    def _own_source(self, guild_id: int, source_id: str) -> Source:
        source = self.find_source(guild_id, source_id)
        if source.guild_id != guild_id:
            raise BadInput(f"`{source.id}` is every server's: only a server's own sources go.")
        return source

    async def import_bundle(
        self,
        guild_id: int,
        bundle: Bundle,
        actor: str,
        progress: Callable[[int], None] | None = None,
        *,
        everywhere: bool = False,
    ) -> ImportReport:
        """Store a checked :class:`~bot.bulk.Bundle` in one transaction. Importing the same
        bundle again changes nothing; a fact's phrasings are added to, never dropped.
        Global facts (``guild_id`` 0) only when asked for explicitly (``everywhere``)."""
        if guild_id == GLOBAL and not everywhere:
            raise BadInput("Import into a server: give its id with --guild (or --global).")
        sources, moved = self._placed_sources(guild_id, bundle.sources)
        changes: list[tuple[Fact, Action, Fact | None]] = []
        phrasings = 0
        marked = {q.casefold() for q in self.library.out_of_scope(guild_id)}
        for count, fact in enumerate(bundle.facts, 1):
            if count % YIELD_EVERY == 0:
                await asyncio.sleep(0)  # other servers' questions are answered meanwhile
            for question in fact.questions:
                try:
                    check_question(question)
                except BadInput as error:
                    raise BadInput(f"{bundle.name}: fact `{fact.id}`: {error}") from None
            before = self.library.get(guild_id, fact.id) or (
                self.library.get(GLOBAL, fact.id) if self.library.sees_shipped(guild_id) else None
            )
            known = list(before.questions) if before else []
            said = {k.casefold() for k in known}
            new = [q for q in fact.questions if q.casefold() not in said]
            # A removed fact comes back with its old phrasings: another may have them now.
            for question in (*known, *new) if before and before.removed else new:
                if other := self._said_by_another(guild_id, question, fact.id):
                    raise BadInput(
                        f"{bundle.name}: “{question}” (`{fact.id}`) is a phrasing of "
                        f"`{other}` already."
                    )
                if question.casefold() in marked:
                    raise BadInput(
                        f"{bundle.name}: “{question}” (`{fact.id}`) is marked not to be "
                        "answered here: `fact unignore` it first."
                    )
            after = fact.model_copy(
                update={
                    "guild_id": guild_id,
                    "questions": (*known, *new),
                    "cites": tuple(moved.get(r, r) for r in fact.cites),
                    "keywords": fact.keywords or (before.keywords if before else ()),
                    "removed": False,
                }
            )
            if before and before.guild_id == guild_id and after.content() == before.content():
                continue
            action: Action = "add" if before is None else "restore" if before.removed else "edit"
            changes.append((after, action, before))
            phrasings += len(new)
        for question in bundle.out_of_scope:
            if said := self.library.said(guild_id, question):
                raise BadInput(
                    f"{bundle.name}: “{question}”, not to be answered, is a phrasing of "
                    f"`{said[0]}`."
                )
        out_of_scope = list(
            dict.fromkeys(q for q in bundle.out_of_scope if q.casefold() not in marked)
        )
        async with self._writing():
            saved = await self.store.import_knowledge(
                guild_id, sources, changes, out_of_scope, actor, progress
            )
            for source in sources:
                self.library.add_source(source)
            for count, fact in enumerate(saved, 1):
                self.library.put(fact)
                if count % YIELD_EVERY == 0:
                    await asyncio.sleep(0)
            for question in out_of_scope:
                self.library.mark(guild_id, question, out_of_scope=True)
        return ImportReport(
            added=sum(a == "add" for _, a, _ in changes),
            changed=sum(a != "add" for _, a, _ in changes),
            unchanged=len(bundle.facts) - len(changes),
            phrasings=phrasings,
            out_of_scope=len(out_of_scope),
        )

    def _placed_sources(
        self, guild_id: int, sources: Sequence[Source]
    ) -> tuple[list[Source], dict[SentenceRef, SentenceRef]]:
        """Where a bundle's sources go in a guild: a source of the same title it already
        has (sentences matched by text, new ones appended), or a new id no one uses. Returns
        the sources to write and where each cited sentence ended up."""
        own = {s.title: s for s in self.library.sources(guild_id) if s.guild_id == guild_id}
        placed: list[Source] = []
        moved: dict[SentenceRef, SentenceRef] = {}
        for source in sources:
            target = own.get(source.title)
            if target is None:
                base = slug(source.id if source.id != "import" else source.title, fallback="source")
                target_id, n = base, 1
                taken = {s.id for s in placed}
                while self.library.source(target_id) is not None or target_id in taken:
                    n += 1
                    target_id = f"{base}-{n}"
                target = source.model_copy(
                    update={"id": target_id, "guild_id": guild_id, "sentences": ()}
                )
            by_text = {s.text: s.id for s in target.sentences}
            sentences = list(target.sentences)
            for sentence in source.sentences:
                if sentence.text not in by_text:
                    by_text[sentence.text] = f"s{len(sentences) + 1}"
                    sentences.append(
                        sentence.model_copy(
                            update={"source_id": target.id, "id": by_text[sentence.text]}
                        )
                    )
                moved[SentenceRef(source_id=source.id, sentence_id=sentence.id)] = SentenceRef(
                    source_id=target.id, sentence_id=by_text[sentence.text]
                )
            if len(sentences) > len(target.sentences):
                placed.append(target.model_copy(update={"sentences": tuple(sentences)}))
        return placed, moved


@dataclass(frozen=True)
class ImportReport:
    added: int
    changed: int
    unchanged: int
    phrasings: int
    out_of_scope: int

    def __str__(self) -> str:
        return (
            f"{counted(self.added, 'fact')} added, {self.changed} changed, "
            f"{self.unchanged} unchanged; {counted(self.phrasings, 'phrasing')} and "
            f"{counted(self.out_of_scope, 'out-of-scope question')} added."
        )


def _as_then(fact: Fact, then: dict[str, Any], guild_id: int) -> Fact:
    """``fact`` in a guild, with the content a history entry recorded (Fact.content)."""
    return fact.model_copy(
        update={
            "guild_id": guild_id,
            "answer": then["answer"],
            "questions": tuple(then["questions"]),
            "cites": tuple(parse_ref(ref, None) for ref in then["cites"]),
            "keywords": tuple(then.get("keywords", ())),
            "removed": bool(then.get("removed", False)),
        }
    )


def change_number(given: str) -> int:
    """``to:`` of `fact revert`: a change's number as `fact history` shows it, "3" or "#3"."""
    number = given.strip().removeprefix("#").strip()
    if not number.isdigit():
        raise BadInput("`to:` is a change's number in `fact history`, like `to: 3`.")
    return int(number)
