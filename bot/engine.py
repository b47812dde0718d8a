"""The answering core that every front end (Discord, CLI, transcripts) talks to.

It owns the store and the in-memory index and keeps them in step: a moderator's change is
written to the store with its history, then applied to the index at once. Answering reads
only memory. Nothing here knows about Discord.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from types import TracebackType

from rapidfuzz import fuzz, process

from bot.answering import Thresholds, combine, compose, decide, reconsider, unsure
from bot.citing import resolve_citations
from bot.errors import BadInput, FactNotFound
from bot.framing import the_question
from bot.knowledge import load_knowledge
from bot.matching import FactIndex, Match, Query
from bot.models import GLOBAL, Answer, Citation, Fact, HistoryEntry, SentenceRef, Source
from bot.normalise import (
    LISTING,
    asking_clauses,
    basic_tokens,
    clean,
    joined_questions,
    one_line,
    split_question,
    starts_a_question,
)
from bot.second_opinion import SecondOpinion, choice
from bot.sentences import split_sentences
from bot.store import Action, FactStats, Store, UnansweredQuestion

_QUOTED = re.compile(r"(?:(?<=\s)|^)['\"“‘]([^'\"“”‘’]{3,}?)['\"”’](?=[\s?.,!]|$)")
"""Words in quotes, not the apostrophe of "what's"."""
_COMPARED = re.compile(
    r"^(?:compare\s+(?P<x>.+?)\s+(?:with|to|and|against|vs\.?|versus)"
    r"|(?:is|was|are|were)\s+(?P<y>.+?)\s+(?:bigger|larger|smaller|more|less|higher|lower)"
    r"\s+than"
    r"|(?P<z>.+?)\s+(?:vs\.?|versus|compared to|compared with))\s+(?P<other>.+?)[?.!]*$",
    re.IGNORECASE,
)
"""Two things set side by side: "compare meta's stake with google's budget", "is meta's
investment bigger than google's planned spend", "meta's 14.3b vs google's 200m"."""
_TURNING = re.compile(r"(?:but|however|though|yet)\b", re.IGNORECASE)
"""What turns a question away from what the message said before it."""
LISTED_WORDS = 4
"""At most this many words make one of two things listed ("wang's new job")."""
log = logging.getLogger(__name__)

MAX_QUESTION_LENGTH = 500
MAX_ANSWER_LENGTH = 1000


@dataclass(frozen=True)
class FactView:
    """A fact as a guild sees it, with where it comes from."""

    fact: Fact
    local: bool
    """True when the guild's own version (added or overriding a shipped fact)."""


def check_question(text: str, *, keep_lines: bool = False) -> str:
    """The question, cleaned of invisible characters, or :class:`BadInput` saying why not.
    A message asked keeps its line breaks (``keep_lines``): a line may be a question of its
    own. A phrasing curated for a fact is one line."""
    # Zero-width and control characters are invisible in Discord: drop them first.
    visible = "".join(ch for ch in text if ch.isprintable() or ch.isspace())
    lines = [" ".join(line.split()) for line in visible.splitlines()]
    question = ("\n" if keep_lines else " ").join(line for line in lines if line)
    if len(question) > MAX_QUESTION_LENGTH:
        raise BadInput(
            f"That question is {len(question):,} characters long; "
            f"please keep it under {MAX_QUESTION_LENGTH}."
        )
    if not basic_tokens(question):
        raise BadInput("Ask me a question in words, for example: how much did Meta pay?")
    return question


class Engine:
    def __init__(
        self,
        store: Store,
        index: FactIndex,
        thresholds: Thresholds,
        second_opinion: SecondOpinion | None = None,
    ) -> None:
        self.store = store
        self.thresholds = thresholds
        self.second_opinion = second_opinion
        """Whether to answer the matcher's choice, learned from labelled questions; None
        leaves it to the matcher alone."""
        self._index = index
        self._sources: dict[str, Source] = {}

    @classmethod
    async def open(
        cls,
        db_path: Path | str,
        *,
        knowledge_root: Path | None = None,
        thresholds: Thresholds | None = None,
    ) -> Engine:
        """Open (creating and seeding if needed) the store and build the index once."""
        knowledge = load_knowledge(knowledge_root)
        store = await Store.open(db_path)
        try:
            if await store.seed(knowledge):
                log.info("seeded %s from the shipped knowledge base", db_path)
            engine = cls(
                store,
                FactIndex(knowledge.aliases),
                thresholds or Thresholds(),
                knowledge.second_opinion,
            )
            for source in await store.sources():
                engine._sources[source.id] = source
            for fact in await store.facts():
                engine._index_fact(fact)
        except BaseException:
            await store.close()
            raise
        return engine

    async def close(self) -> None:
        await self.store.close()

    async def __aenter__(self) -> Engine:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    # -- answering (memory only) ---------------------------------------------------------

    def ask(self, question: str, guild_id: int = GLOBAL) -> Answer:
        """The answer to a question; one that asks two things gets both facts, combined.
        The matcher chooses the fact; the second opinion, where there is one, has the last
        word on whether to answer with it."""
        asked = self._asked(question)
        question = " ".join(question.split())
        matched = self._answer(asked, question, guild_id)
        if matched.answered and "+" not in (matched.fact_id or ""):
            # One fact for a message that may ask two things: check it against each part.
            matched = self._each_part(question, asked, matched, guild_id)
        answer = self._reconsidered(asked, matched, guild_id)
        if answer.answered and not matched.answered:
            # A fact the matcher only offered passes the same check before it answers:
            # "how much did meta pay and who did they hire" needs both facts.
            answer = self._each_part(question, asked, answer, guild_id)
        return answer

    def reading(self, question: str, fact_id: str | None = None) -> tuple[list[str], bool]:
        """What the second opinion reads in a message, as it is trained on it (see
        `_read_for_opinion`); with no fact to judge, no mismatch."""
        return self._read_for_opinion(self._asked(question), GLOBAL, fact_id)

    def _read_for_opinion(
        self, asked: str, guild_id: int, fact_id: str | None
    ) -> tuple[list[str], bool]:
        """The words the matcher reads (aliases resolved, stemmed, filler dropped), and
        whether it finds the message asks what the fact cannot answer: another company or
        amount, another kind of answer, someone else's role… When the message sets a scene
        first, the names there that the question does not ask about are left out of both:
        "i work at amazon what does scale ai do" asks about Scale alone."""
        query = self._index.parse(asked)
        words, scene_reading = query.tokens, None
        if clauses := asking_clauses(asked):
            scene_reading = self._index.focused(*clauses)
            aside = self._index.parse(clauses[1]).entities - scene_reading.entities
            words = [word for word in words if word not in aside]
        mismatch = (
            fact_id is not None
            and bool(self._index.mismatch(query, guild_id, fact_id))
            and (
                scene_reading is None
                or bool(self._index.mismatch(scene_reading, guild_id, fact_id))
            )
        )
        return words, mismatch

    def _asked(self, question: str) -> str:
        return the_question(one_line(self._index.respelled(question)))

    def _reconsidered(self, asked: str, answer: Answer, guild_id: int) -> Answer:
        """The matcher's answer, or its first suggestion, given or withheld as the second
        opinion finds it likely right (bot/second_opinion.py)."""
        opinion = self.second_opinion
        chosen = choice(answer)
        if opinion is None or chosen is None or not opinion.knows(chosen) or answer.partial:
            # A two-fact answer, a fact moderators added, or a message with a part no fact
            # answers: the matcher's call.
            return answer
        fact = next(f for f in self._index.visible(guild_id) if f.id == chosen)
        words, mismatch = self._read_for_opinion(asked, guild_id, chosen)
        chance = opinion.chance_right(
            chosen,
            confidence=answer.confidence,
            answered=answer.answered,
            words=words,
            mismatch=mismatch,
        )
        return reconsider(answer, fact, chance, self._cite, self.thresholds)

    def _answer(self, asked: str, question: str, guild_id: int) -> Answer:
        """The answer to a message as read: a fact for each question it asks, or else one
        fact for the whole, or else a fact for each thing it names or lists."""
        parts = split_question(asked)
        if len(parts) > 1 and (
            both := self._answer_each(question, self._index.resolve(parts), guild_id)
        ):
            return both
        clauses = asking_clauses(asked)
        if turned := self._turned(clauses, question, guild_id):
            return turned
        query = replace(self._index.parse(asked), text=question)
        matches = self._index.search(query, guild_id, limit=None)
        answer = decide(query.text, matches, self._cite, self.thresholds)
        if answer.answered:
            # "what are google and openai doing about scale", "meta's stake and wang's new
            # job": a fact for each company or thing listed beats the one fact that merely
            # mentions them all, if each is the surer answer.
            for parts in (self._index.one_by_one(query), self._listed(asked)):
                if parts and (each := self._each_surer(question, parts, answer, guild_id)):
                    return each
            return answer
        if compared := self._compared(question, asked, guild_id):
            return compared
        for reading in self._other_readings(asked, clauses, query):
            if reply := self._answer_each(question, reading, guild_id):
                return reply
        return self._quoted(query, matches, guild_id) or answer

    def _each_part(self, question: str, asked: str, answer: Answer, guild_id: int) -> Answer:
        """A one-fact answer to a message of questions joined by "and", checked against each
        part. A part no fact answers makes it no answer ("how much did meta pay and what's scale's
        valuation": the first part's fact would pass for both); a part two facts fit is
        settled by the answer ("who are scale's customers and are they nervous": the
        customers' reaction, not the investors'), and then each part's fact is cited."""
        for joined in joined_questions(asked):
            if len(joined) < 2:
                continue
            answers: list[Answer] = []
            for part, query in zip(joined, self._index.resolve(joined), strict=True):
                got = self._ask_one(query, guild_id)
                if not got.answered and not got.ambiguous:
                    # Read as a message of its own too: "for my notes, who was scale's ceo".
                    got = self._answer(the_question(part), part, guild_id)
                if got.answered:
                    answers.append(got)
                elif got.ambiguous and answer.fact_id in {s.fact_id for s in got.suggestions}:
                    answers.append(answer)
                elif not got.ambiguous:
                    return unsure(question, self._facts(answer, guild_id), got, self.thresholds)
            # Every part settled, each by a fact of its own, one of them the answer's.
            facts = {a.fact_id for a in answers}
            if len(facts) == len(answers) == len(joined) and answer.fact_id in facts:
                return combine(question, answers)
        return answer

    def _facts(self, answer: Answer, guild_id: int) -> list[Fact]:
        """The facts an answer gives, in its order."""
        visible = {fact.id: fact for fact in self._index.visible(guild_id)}
        return [visible[i] for i in (answer.fact_id or "").split("+") if i in visible]

    def _turned(
        self, clauses: tuple[str, str] | None, question: str, guild_id: int
    ) -> Answer | None:
        """ "google's pulling back, but what about microsoft?": a question that turns away
        from what the message says first asks about what it names itself."""
        if not clauses or not _TURNING.match(clauses[0]):
            return None
        answer = self._ask_one(replace(self._index.parse(clauses[0]), text=question), guild_id)
        return answer if answer.answered else None

    def _other_readings(
        self, asked: str, clauses: tuple[str, str] | None, query: Query
    ) -> Iterator[list[Query]]:
        """Other ways to read a question no one fact answers, each part to get a fact."""
        # "are google and microsoft pulling back?": each company on its own.
        if each := self._index.one_by_one(query):
            yield each
        if listed := self._listed(asked):
            yield listed
        # A long message: the clauses that ask, the rest as context; only when it names a
        # company or person, which binds the answer to something the message is about.
        if clauses and (focused := self._index.focused(*clauses)).entities:
            yield [replace(focused, text=query.text)]

    def _compared(self, question: str, asked: str, guild_id: int) -> Answer | None:
        """Two amounts set side by side, a fact each, for the asker to compare; not a
        ranking no fact gives ("is openai a bigger customer than google")."""
        if not (match := _COMPARED.match(asked)):
            return None
        one = match["x"] or match["y"] or match["z"]
        sides = [self._index.parse(side) for side in (one, match["other"])]
        if not all(side.entities for side in sides):
            return None
        answers = [self._ask_one(side, guild_id) for side in sides]
        if len({a.fact_id for a in answers}) < 2 or not all(
            a.answered and self._index.has_amount(guild_id, a.fact_id or "") for a in answers
        ):
            return None
        return combine(question, answers)

    def _listed(self, asked: str) -> list[Query]:
        """ "meta stake and google budget?", "meta's investment size and google's
        reaction": two things listed, each a few words naming its company; not the clauses of
        "what might scale do if google and microsoft leave"."""
        halves = LISTING.split(asked, maxsplit=1)
        if len(halves) != 2 or any(len(half.split()) > LISTED_WORDS for half in halves):
            return []
        listed = [self._index.parse(half) for half in halves]
        if all(
            part.entities and part.topics and not (part.wants and starts_a_question(half))
            for part, half in zip(listed, halves, strict=True)
        ):
            return listed
        return []

    def _each_surer(
        self, question: str, parts: list[Query], answer: Answer, guild_id: int
    ) -> Answer | None:
        """One answer with a fact for each part, if it is surer than the one answer."""
        each = self._answer_each(question, parts, guild_id)
        if each is None or each.confidence <= answer.confidence:
            return None
        return each

    def _answer_each(self, question: str, parts: list[Query], guild_id: int) -> Answer | None:
        """One answer with a fact for each part, if every part gets a fact of its own."""
        answers = [self._ask_one(part, guild_id) for part in parts]
        if not all(a.answered for a in answers) or len({a.fact_id for a in answers}) < len(answers):
            return None
        return answers[0] if len(answers) == 1 else combine(question, answers)

    def _quoted(self, query: Query, matches: list[Match], guild_id: int) -> Answer | None:
        """The answer from the one fact whose sentences a question quotes ("what does 'solid
        footing' refer to"), if the question names nobody that fact does not. Not for a term
        to define: the article uses "bellwether" without saying what it means."""
        quotes = [clean(quote) for quote in _QUOTED.findall(query.text)]
        if not quotes or query.wants == "definition":
            return None
        quoting = [
            fact
            for fact in self._index.visible(guild_id)
            if all(
                any(quote in clean(text) for text in (fact.answer, *self._cited(fact)))
                for quote in quotes
            )
        ]
        if len(quoting) != 1:
            return None
        (fact,) = quoting
        match = next(m for m in matches if m.fact.id == fact.id)
        if match.mismatch & (query.entities | query.numbers):
            return None
        return compose(query.text, fact, max(match.score, self.thresholds.answer), self._cite)

    def _cited(self, fact: Fact) -> list[str]:
        return [citation.text for citation in self.citations(fact)]

    def _ask_one(self, query: Query, guild_id: int) -> Answer:
        matches = self._index.search(query, guild_id)
        return decide(query.text, matches, self._cite, self.thresholds)

    def search(self, query: str, guild_id: int = GLOBAL, limit: int = 5) -> list[Match]:
        """Facts about a query, for moderators: those close enough to be suggested."""
        matches = self._index.search(query, guild_id, limit)
        return [m for m in matches if m.score >= self.thresholds.suggest]

    def _cite(self, ref: SentenceRef) -> Citation:
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
        return [self._cite(ref) for ref in fact.cites]

    def _index_fact(self, fact: Fact) -> None:
        self._index.upsert(fact, self._cited(fact))

    @contextlib.contextmanager
    def phrasing_left_out(self, fact: Fact, phrasing: str) -> Iterator[None]:
        """Answer as if `fact` lacked one of its phrasings (scripts/leave_one_out.py: what
        else covers it?). Only the in-memory index changes; the database is not touched."""
        others = tuple(q for q in fact.questions if q != phrasing)
        self._index_fact(fact.model_copy(update={"questions": others}))
        try:
            yield
        finally:
            self._index_fact(fact)

    def sources(self, guild_id: int = GLOBAL) -> list[Source]:
        return [s for s in self._sources.values() if s.guild_id in (GLOBAL, guild_id)]

    async def record(
        self,
        answer: Answer,
        *,
        guild_id: int,
        channel_id: int | None = None,
        reply_id: int | None = None,
    ) -> None:
        """Log a question that was asked, so moderators can see what went unanswered."""
        await self.store.log_question(
            guild_id=guild_id,
            channel_id=channel_id,
            question=answer.question,
            fact_id=answer.fact_id,
            answered=answer.answered,
            confidence=answer.confidence,
            reply_id=reply_id,
        )

    async def feedback(self, reply_id: int, user_id: int, vote: int, *, given: bool) -> None:
        """A 👍 (1) or 👎 (-1) given or taken back on a reply; only answers count."""
        if await self.store.answered_fact(reply_id) is None:
            return
        if given:
            await self.store.record_feedback(reply_id, user_id, vote)
        else:
            await self.store.withdraw_feedback(reply_id, user_id, vote)

    # -- looking facts up --------------------------------------------------------------

    async def view(self, guild_id: int, fact_id: str, *, removed_too: bool = False) -> FactView:
        fact_id = fact_id.strip().lower()
        # The index holds every stored fact row, removed ones too: no need to ask the store.
        own = self._index.get(guild_id, fact_id) if guild_id != GLOBAL else None
        fact = own or self._index.get(GLOBAL, fact_id)
        if fact is None or (fact.removed and not removed_too):
            ids = [f.id for f in self._index.visible(guild_id)]
            close = process.extract(fact_id, ids, scorer=fuzz.ratio, limit=2, score_cutoff=70)
            raise FactNotFound(fact_id, [c[0] for c in close])
        return FactView(fact, local=own is not None)

    def facts(self, guild_id: int = GLOBAL) -> list[FactView]:
        return sorted(
            (FactView(f, local=f.guild_id != GLOBAL) for f in self._index.visible(guild_id)),
            key=lambda v: v.fact.id,
        )

    async def history(self, guild_id: int, fact_id: str) -> list[HistoryEntry]:
        await self.view(guild_id, fact_id, removed_too=True)
        return await self.store.history(guild_id, fact_id)

    async def stats(self, guild_id: int, fact_id: str) -> FactStats:
        return await self.store.fact_stats(guild_id, fact_id)

    async def unanswered(self, guild_id: int, limit: int = 10) -> list[UnansweredQuestion]:
        return await self.store.unanswered(guild_id, limit)

    # -- curating ----------------------------------------------------------------------

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
        fact_id = (fact_id or _slug(question)).strip().lower()
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,63}", fact_id):
            raise BadInput("A fact id is up to 64 lowercase letters, digits and dashes.")
        if any(f.id == fact_id for f in self._index.visible(guild_id)):
            raise BadInput(f"A fact `{fact_id}` exists already: use `fact alias` or `fact edit`.")
        if self._index.get(guild_id, fact_id):
            raise BadInput(f"Fact `{fact_id}` was removed; bring it back with `fact restore`.")
        fact = Fact(
            id=fact_id,
            guild_id=guild_id,
            answer=_check_answer(answer),
            questions=(question,),
            cites=resolve_citations(cite, self.sources(guild_id)),
        )
        await self._save(fact, "add", actor, before=None)
        return fact

    async def add_phrasing(self, guild_id: int, fact_id: str, question: str, actor: str) -> Fact:
        question = check_question(question)
        before = (await self.view(guild_id, fact_id)).fact
        if question.casefold() in (q.casefold() for q in before.questions):
            raise BadInput(f"`{before.id}` already has that phrasing.")
        fact = before.model_copy(
            update={"questions": (*before.questions, question), "guild_id": guild_id}
        )
        await self._save(fact, "alias", actor, before)
        return fact

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
        before = (await self.view(guild_id, fact_id)).fact
        update: dict[str, object] = {"guild_id": guild_id}
        if answer is not None:
            update["answer"] = _check_answer(answer)
        if cite is not None:
            update["cites"] = resolve_citations(cite, self.sources(guild_id))
        fact = before.model_copy(update=update)
        if fact.content() == before.content() and before.guild_id == guild_id:
            raise BadInput(f"`{before.id}` already says exactly that.")
        await self._save(fact, "edit", actor, before)
        return fact

    async def remove_fact(self, guild_id: int, fact_id: str, actor: str) -> Fact:
        before = (await self.view(guild_id, fact_id)).fact
        fact = before.model_copy(update={"removed": True, "guild_id": guild_id})
        await self._save(fact, "remove", actor, before)
        return fact

    async def restore_fact(self, guild_id: int, fact_id: str, actor: str) -> Fact:
        before = (await self.view(guild_id, fact_id, removed_too=True)).fact
        if not before.removed:
            raise BadInput(f"`{before.id}` is not removed.")
        fact = before.model_copy(update={"removed": False})
        await self._save(fact, "restore", actor, before)
        return fact

    async def _save(self, fact: Fact, action: Action, actor: str, before: Fact | None) -> None:
        await self.store.save_fact(fact, action, actor, before)
        self._index_fact(fact)
        log.info("%s: fact %s (guild %s) by %s", action, fact.id, fact.guild_id, actor)

    async def add_source(
        self,
        guild_id: int,
        *,
        title: str,
        text: str,
        actor: str,
        url: str | None = None,
    ) -> Source:
        title = " ".join(title.split())
        if not title:
            raise BadInput("A source needs a `title:`.")
        if url is not None and not re.match(r"^https?://\S+$", url.strip()):
            raise BadInput("`url:` must be a web link starting with http:// or https://.")
        sentences = split_sentences(text)
        if not sentences:
            raise BadInput("That document has no sentences in it.")
        base = _slug(title)
        source_id, n = base, 1
        while source_id in self._sources:  # every guild's sources are loaded at start
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
        await self.store.add_source(source, actor)
        self._sources[source.id] = source
        return source


def _check_answer(answer: str) -> str:
    answer = " ".join(answer.split())
    if not answer:
        raise BadInput("The `answer:` is empty.")
    if len(answer) > MAX_ANSWER_LENGTH:
        raise BadInput(f"Keep the `answer:` under {MAX_ANSWER_LENGTH} characters.")
    return answer


def _slug(text: str, words: int = 6) -> str:
    slug = "-".join(re.findall(r"[a-z0-9]+", clean(text))[:words])[:48].strip("-")
    return slug or "fact"
