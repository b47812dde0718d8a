"""From a question to an Answer, as one descending pipeline:

1. **read**: the question as the matcher reads it: chat formatting and mentions taken out
   (``without_markup``), then ``Matcher.read`` (folded, aliases, slips respelled).
2. **candidates**: the matcher's best facts with the chance each is right, plus any fact
   one of whose phrasings the question repeats (so a fact added a moment ago answers its
   own phrasings before the matcher has learned it).
3. **guard**: a pack's fact does not answer a question that names a company, person or
   place the fact does not involve (the names come from the knowledge pack's data, and
   say nothing about a guild's own facts).
4. **decide**: answer when the best chance clears the cut-off; ask back when two facts are
   close; otherwise say so and suggest the nearest facts.
5. **compose**: the fact's answer and every sentence it cites.

A message that asks several things (bot/parts.py) goes through the same steps whole and
per part; :func:`answer_to_parts` then decides what it gets: one answer citing every
part's fact, the whole's answer naming the parts it leaves out, or the parts' facts
offered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from rapidfuzz import fuzz, process

from bot.library import Library
from bot.matcher import Candidate, Vocabulary
from bot.matcher.text import FUNCTION_WORDS, fold, without_markup, wording, words
from bot.models import Answer, Fact, Suggestion
from bot.parts import parts_of
from bot.training import Matchers

REPEATED = 92.0
"""A question this close (rapidfuzz ratio) to one of a fact's phrasings repeats it."""
FULL_SCAN_UP_TO = 20_000
"""Phrasings a question is compared with one by one for a near repeat (about 4 ms)."""


@dataclass(frozen=True)
class Policy:
    answer: float = 50.0
    """The bot answers when it puts the chance that its fact is right at least this high
    (percent). The chance is calibrated per knowledge base (bot/matcher/matcher.py)."""
    ambiguous: float = 25.0
    """Below the cut-off, two facts each at least this likely: the bot asks which."""
    suggest: float = 5.0
    """Facts at least this likely are offered as suggestions when the bot abstains."""
    max_suggestions: int = 3


@dataclass(frozen=True)
class Judged:
    """A candidate fact and what the pipeline made of it, for explaining a decision."""

    fact: Fact
    chance: float
    score: float | None
    likeness: float | None = None
    """How like the question is to the fact's nearest phrasing (:class:`Candidate`)."""
    blocked_by: frozenset[str] = frozenset()
    repeated: bool = False

    @property
    def percent(self) -> float:
        return 0.0 if self.blocked_by else round(100 * self.chance, 1)


@dataclass(frozen=True)
class Explanation:
    question: str
    read_as: str
    candidates: tuple[Judged, ...]
    answer: Answer
    """What the message gets: for one that asks several things, see :func:`answer_to_parts`."""
    matcher_current: bool
    parts: tuple[Explanation, ...] = ()
    """Each question of a message that asks several, explained on its own."""


class Answerer:
    def __init__(
        self, library: Library, matchers: Matchers, vocabulary: Vocabulary, policy: Policy
    ) -> None:
        self.library = library
        self.matchers = matchers
        self.vocabulary = vocabulary
        self.policy = policy
        self._names: dict[Fact, frozenset[str]] = {}

    def ask(self, question: str, guild_id: int) -> Answer:
        return self.explain(question, guild_id).answer

    def explain(self, question: str, guild_id: int) -> Explanation:
        """How a message was read and answered: as one question, then part by part when
        it asks several (bot/parts.py)."""
        whole = self._explained(question, guild_id)
        parts = parts_of(without_markup(question))
        if len(parts) == 1:
            return whole
        each = tuple(self._explained(part, guild_id) for part in parts)
        return replace(
            whole, answer=answer_to_parts(question, whole.answer, each, self.policy), parts=each
        )

    def candidates(self, question: str, guild_id: int) -> tuple[Judged, ...]:
        """The facts a text may be asking about, likeliest first, read as one question."""
        return self._explained(question, guild_id).candidates

    def _explained(self, question: str, guild_id: int) -> Explanation:
        matcher = self.matchers.current(guild_id)
        said = without_markup(question)
        read_as = matcher.read(said) if matcher else fold(said)
        ranked = matcher.rank([read_as])[0] if matcher else []
        shipped = self.matchers.shipped(guild_id)
        if shipped is not None and not self._marked_out_of_scope(said, guild_id):
            # The shipped facts, judged by what was taught about them (bot/training.py).
            ranked = [*ranked, *shipped.rank([shipped.read(said)])[0]]
        judged = self._judge(said, read_as, ranked, guild_id)
        # "what about acme?": several facts involve what it names, it asks nothing about it
        # that would choose between them, and the matcher cannot choose either: ask back
        # with them. When the knowledge base's own questions make one of them likely, it
        # answers: of the shipped pack's 47 labelled questions that only name things
        # ("acme + globex?", "acme does what"), 38 are labelled with one fact, and the 9
        # labelled out of scope all score under 25 % (benchmarks/ask_back.py).
        vague = not sure(judged, self.policy) and self.only_names(read_as, guild_id, judged)
        # Moderators gave these very words to more than one fact: which is not ours to pick.
        said_by_several = sum(j.repeated and j.chance == 1.0 for j in judged) > 1
        answer = decide(
            question, judged, self.library, self.policy, ask_back=vague or said_by_several
        )
        return Explanation(
            question, read_as, tuple(judged), answer, self.matchers.is_current(guild_id)
        )

    def _judge(
        self, question: str, read_as: str, ranked: Sequence[Candidate], guild_id: int
    ) -> list[Judged]:
        found: dict[str, Judged] = {}
        for c in ranked:
            fact = self.library.visible_fact(guild_id, c.fact_id)
            if fact is not None and (c.fact_id not in found or found[c.fact_id].chance < c.chance):
                found[c.fact_id] = Judged(fact, c.chance, c.score, c.likeness)
        for fact_id, closeness in self._repeated(question, guild_id):
            chance = 1.0 if closeness == 100 else 0.9
            fact = self.library.visible_fact(guild_id, fact_id)
            if fact is not None and (fact_id not in found or found[fact_id].chance < chance):
                learned = found.get(fact_id, Judged(fact, chance, None))
                found[fact_id] = replace(learned, chance=chance, repeated=True)
        names = self.vocabulary.names(question) if self.library.sees_shipped(guild_id) else None
        # A fact too unlikely to be answered, asked about or offered is not read for the
        # names it involves: reading a fact's texts the first time takes 0.5 ms.
        floor = min(self.policy.answer, self.policy.ambiguous, self.policy.suggest)
        judged = [
            replace(j, blocked_by=names - self._involved(j.fact))
            # The pack's names speak for its own facts only: a guild's fact about parking
            # is not kept from "is parking free at the acme office?".
            if names and j.percent >= floor and self.library.is_shipped(j.fact.id)
            else j
            for j in found.values()
        ]
        return sorted(judged, key=lambda j: (-j.percent, -j.chance, j.fact.id))

    def only_names(self, read_as: str, guild_id: int, judged: Sequence[Judged]) -> bool:
        """Whether a question names only what several of the judged facts involve and asks
        nothing else about it ("what about acme?")."""
        if not self.library.sees_shipped(guild_id) or any(j.repeated for j in judged[:1]):
            return False
        rewritten = self.vocabulary.rewrite(read_as)  # as the pack reads it: "fb" is meta
        named = self.vocabulary.named(rewritten)
        rest = [w for w in words(rewritten) if w not in FUNCTION_WORDS and w not in named]
        involving = [j for j in judged if named and named <= self._involved(j.fact)]
        return bool(named) and not rest and len(involving) >= 2

    def _repeated(self, question: str, guild_id: int) -> list[tuple[str, float]]:
        if self.library.phrasing_count(guild_id) > FULL_SCAN_UP_TO:
            # Too many to compare one by one on every question: only a phrasing said word
            # for word (the matcher has learned the rest, or learns it in a moment).
            return [(i, 100.0) for i in self.library.said(guild_id, question)]
        texts, owners = self.library.phrasings(guild_id)
        if not texts:
            return []
        hits = process.extract(
            wording(question), texts, scorer=fuzz.ratio, score_cutoff=REPEATED, limit=3
        )
        return [(owners[i], score) for _, score, i in hits]

    def _marked_out_of_scope(self, question: str, guild_id: int) -> bool:
        """Whether the question repeats one a guild's moderators said must not be answered:
        the guild's matcher learned that, the global one never did."""
        marked = self.library.out_of_scope_worded(guild_id)
        return bool(marked) and bool(
            process.extractOne(wording(question), marked, scorer=fuzz.ratio, score_cutoff=REPEATED)
        )

    def _involved(self, fact: Fact) -> frozenset[str]:
        """The names a fact involves: in its phrasings, keywords, answer or cited sentences.
        Cached per version of a fact (facts are immutable; sources never change). Each
        text on its own: joined, they were read only as far as a question is
        (``MAX_READ``), and a fact with many phrasings lost the names in its answer and
        citations (a shipped fact with 60 phrasings lost a person its citation names)."""
        if (names := self._names.get(fact)) is None:
            cited = [c.text for c in self.library.citations(fact)]
            texts = (*fact.questions, *fact.keywords, fact.answer, *cited)
            names = self._names[fact] = frozenset().union(*map(self.vocabulary.names, texts))
        return names


def sure(judged: Sequence[Judged], policy: Policy) -> bool:
    """Whether the likeliest of the judged facts is likely enough to be the answer."""
    return bool(judged) and judged[0].percent >= policy.answer


def decide(
    question: str,
    judged: Sequence[Judged],
    library: Library,
    policy: Policy,
    *,
    ask_back: bool = False,
) -> Answer:
    """Answer with the best fact if it is likely enough, unless told to ``ask_back``;
    otherwise say so, offering the nearest facts (asking which, when two are close)."""
    if sure(judged, policy) and not ask_back:
        return compose(question, judged[0].fact, judged[0].percent, library)
    close = [j for j in judged[:2] if j.percent >= policy.ambiguous]
    suggestions = tuple(
        _suggested(j.fact) for j in judged[: policy.max_suggestions] if j.percent >= policy.suggest
    )
    return Answer(
        question=question,
        answered=False,
        confidence=judged[0].percent if judged else 0.0,
        suggestions=suggestions,
        # Told to ask back ("what about acme?"), it asks which, however unsure of each.
        ambiguous=(ask_back and bool(suggestions)) or len(close) == 2,
    )


def _suggested(fact: Fact) -> Suggestion:
    return Suggestion(fact_id=fact.id, question=fact.canonical_question)


def compose(question: str, fact: Fact, confidence: float, library: Library) -> Answer:
    return Answer(
        question=question,
        answered=True,
        answer=fact.answer,
        confidence=confidence,
        fact_id=fact.id,
        citations=tuple(library.citations(fact)),
    )


def answer_to_parts(
    question: str, whole: Answer, parts: Sequence[Explanation], policy: Policy
) -> Answer:
    """The answer to a message that asks several things: when every part gets a fact of
    its own, one answer citing them all; otherwise the whole message's answer, naming the
    parts it leaves out, or, when the whole is not answered, no answer with the parts'
    facts offered first. A part no fact is sure of but whose likeliest fact (worth
    suggesting) is the whole's leans on the message ("do you have pets and what kind":
    "what kind"), so the whole's answer covers it. On CLINC150 and BANKING77 the whole's
    fact was the right one for every message whose part no fact answered
    (docs/matching.md, "Several questions in one message")."""
    answers = [_covered(part, whole, policy) for part in parts]
    ids = [a.fact_id for a in answers]
    if all(a.answered for a in answers) and len(set(ids)) == len(ids):
        return combine(question, answers)
    if not whole.answered:
        return _offering(whole, parts, policy)
    if all(a.answered for a in answers):
        return whole
    left_out = tuple(
        part.question for part, a in zip(parts, answers, strict=True) if a.fact_id != whole.fact_id
    )
    if len(left_out) == len(parts):
        return whole  # no part is the whole's: it answers the message as one question
    return whole.model_copy(update={"unanswered_parts": left_out})


def _covered(part: Explanation, whole: Answer, policy: Policy) -> Answer:
    best = part.candidates[0] if part.candidates else None
    leans = best is not None and best.fact.id == whole.fact_id and best.percent >= policy.suggest
    return whole if whole.answered and not part.answer.answered and leans else part.answer


def _offering(whole: Answer, parts: Sequence[Explanation], policy: Policy) -> Answer:
    """No answer to the message, but the facts that answer some of its parts offered
    first: "how much did acme pay and what's the weather?" is not answered whole (what it
    asks besides is unknown), and the member can still ask for the part that is known."""
    known = [_suggested(p.candidates[0].fact) for p in parts if p.answer.answered and p.candidates]
    offered = {s.fact_id: s for s in (*known, *whole.suggestions)}
    return whole.model_copy(
        update={"suggestions": tuple(offered.values())[: policy.max_suggestions]}
    )


def combine(question: str, parts: Sequence[Answer]) -> Answer:
    """One answer to a message that asked several things, citing every sentence used."""
    citations = {(c.source_id, c.sentence_id): c for part in parts for c in part.citations}
    return Answer(
        question=question,
        answered=True,
        answer=" ".join(part.answer or "" for part in parts),
        confidence=min(part.confidence for part in parts),
        fact_id="+".join(part.fact_id or "" for part in parts),
        citations=tuple(citations.values()),
    )


__all__ = ["Answerer", "Explanation", "Judged", "Policy"]
