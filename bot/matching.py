"""The in-memory fuzzy intent index: which facts does a question point at, and how surely?

A fact scores on two things, both 0-100:

* *resemblance*: rapidfuzz similarity between the question and the fact's two closest
  phrasings;
* *coverage*: how much of what the question talks about the fact talks about too, each
  word weighted by how rare it is among facts (so "scale" counts little, "cfo" a lot) and
  unknown words counting against every fact.

A question naming an organisation, person or amount that the fact does not involve is
penalised hard, so "how much did Amazon pay?" never lands on Meta's investment.

The index is updated fact by fact; it never touches the database or the network.
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from rapidfuzz import fuzz, process

from bot.knowledge import Aliases
from bot.models import GLOBAL, Fact
from bot.normalise import (
    STOPWORDS,
    Normaliser,
    alternatives,
    asking_clauses,
    basic_tokens,
    content_words,
    counting,
    is_english_word,
    is_number,
    roughly,
    split_number,
    stem,
    surface_tokens,
    without_filler,
    without_openers,
)
from bot.question_kinds import (
    GROUP_STEMS,
    NOW,
    OFFICERS,
    STILL,
    SUM_WORDS,
    answer_kind,
    asks_who_now,
    claim_told,
    coordinated,
    described,
    group_owners,
    moving_officer,
    role_pairs,
    saying_when,
    set_aside,
    speaker,
    states_a_move,
    subject,
    term_asked,
    verb_objects,
    yes_no_actor,
    yes_no_verb,
)
from bot.spelling import Speller

RESEMBLANCE_WEIGHT = 0.45
"""How much of a fact's score is resemblance; the rest is coverage."""
MISMATCH_PENALTY = 0.55
"""Multiplies the score of a fact that lacks an entity or amount the question names."""
FOREIGN_TOPIC_PENALTY = 0.9
"""Multiplies a fact's score for each question word that other facts use and it does not:
"how much did Google pay for its stake" leans away from Google's budget ("stake")."""
CITED_WORD_CREDIT = 0.25
"""A question word found only in a fact's cited sentences counts this much..."""
OWN_CITED_WORD_CREDIT = 1.0
"""...or in full when no other fact cites a sentence with it: a reader asking in the
article's words ("what had openai previously opted to do") points at one sentence."""
_PARSED_KEPT = 1024
"""At most this many texts read are kept; a long-running bot starts afresh past it."""
CLOSE_PHRASING = 80.0
"""Resemblance at which a question that only names things still counts as asking."""

_YEAR = re.compile(r"(19|20)\d\d")
_MONTHS = frozenset(
    stem(month)
    for month in "january february march april may june july august september october "
    "november december".split()
)
_JUST_ASKING = frozenset(
    stem(word)
    for word in "what whats about how hows is are and the with up going on still or not "
    "doing do did does happening situation status latest news then so also but "
    "according they them gonna in out re any update updates gist summary word x between "
    "from thing things".split()
)
"""Words that ask nothing in particular about what a question names: "google and scale,
what's going on?", "any msft news?"."""
_MONEY = frozenset(stem(word) for word in "money cash dollars bucks".split())
_ACCORDING = stem("according")
_COMPANY = stem("company")
_CORRECTING = frozenset("actual actually real correct".split())
_REFERRING = frozenset("they them their it its he him his she her".split())
_THEM = frozenset("they them their".split())
_POINTING = frozenset("that this it".split())


_UNIT_WORDS = {"b": stem("billion"), "m": stem("million"), "%": stem("percent")}


@dataclass(frozen=True)
class Match:
    fact: Fact
    score: float
    mismatch: frozenset[str] = frozenset()
    """Entities or amounts in the question that the fact does not involve."""
    vague: bool = False
    """The question names things ("google?") without asking anything about them, and is
    not one of the fact's phrasings either ("what does scale do" is)."""
    sole_subject: bool = False
    """The question only names a company, and this is the one fact about that company
    ("what about microsoft?"); facts that merely mention it do not count. Or the question
    asks nothing in particular, and curators made this fact the headline about whom it
    names ("tell me about google and scale")."""


@dataclass
class _Entry:
    fact: Fact
    phrasings: list[str]
    words: frozenset[str]
    cited_words: frozenset[str]
    context: frozenset[str]
    """Words it uses only to say when ("after Meta's investment")."""
    entities: frozenset[str]
    numbers: frozenset[str]
    has_date: bool
    has_count: bool
    """It has a plain number, not a sum or a share, for "how many X"."""
    answers: frozenset[str]
    """The kinds of answer its phrasings ask for (see `Query.wants`)."""
    roles: frozenset[tuple[str, str]]
    """Whose roles (or strategy, customers) it names: ("scale", "ceo") for "Scale's CEO"."""
    defines: frozenset[frozenset[str]]
    """The terms its phrasings ask the meaning of ("what is scale ai")."""
    speakers: frozenset[str]
    """Who its phrasings say spoke ("what did scale say")."""
    subjects: frozenset[str]
    """Who its yes/no phrasings say acts ("did meta invest in scale")."""
    done_to: frozenset[tuple[str, str]]
    """What its phrasings say is done to whom ("did wang leave scale")."""
    done_by: frozenset[tuple[str, str, str]]
    """Who its yes/no phrasings say does what to whom: ("wang", "reduc", "scale")."""
    movers: frozenset[tuple[str, str]]
    """Whose officers its yes/no phrasings say move: ("scale", "ceo")."""
    subject: str | None
    """Whom its answer is about: the first company or person it names, not counting words
    that say when ("Microsoft" in "Microsoft is also reevaluating…")."""
    named: frozenset[str]
    """The companies and people it names as such, not as the owner of a group it does not
    name ("Scale's competitors"): what it can answer "which companies…" with."""
    headlines: frozenset[frozenset[str]]
    """Whom its phrasings only name ("what about google?"): curators made it the answer to
    questions that ask nothing in particular about them ("google and scale, what's up?")."""


@dataclass
class Query:
    text: str
    tokens: list[str]
    words: list[str]
    entities: frozenset[str] = field(default_factory=frozenset)
    numbers: frozenset[str] = field(default_factory=frozenset)
    wants: str | None = None
    """The kind of answer asked for, if a particular one (bot/question_kinds.py): "amount"
    (how much…), "count" (how many shares…), "date" (when…), "person" (who is X's CEO…),
    "names" (which companies…), "statement" (what did X say), "reason" (why…),
    "definition" (what is X), "how-to" (how do I…, can I…), "method" (how exactly…),
    "opinion" (should…), "source" (who said…), "comparison" (is google a bigger customer
    than openai) or "order" (when…, before or after the deal?)."""
    roles: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    """Whose roles it asks about: ("meta", "ceo") for "who is Meta's CEO"."""
    term: frozenset[str] = field(default_factory=frozenset)
    """The term it asks the meaning of: "what is data annotation"."""
    speaker: str | None = None
    """Who it says spoke: Meta in "what did meta say"."""
    subject: str | None = None
    """Who it says acts: Scale in "did scale invest in meta"."""
    context: list[str] = field(default_factory=list)
    """The words that say when it asks about: "after the meta deal" (not in `words`)."""
    verb: str | None = None
    """What a yes/no question says its actor does: "invest" in "did google invest in…"."""
    done_to: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    """What a yes/no question says is done to whom: ("reduc", "meta") in "did wang leave
    meta"."""
    mover: tuple[str, str] | None = None
    """Whose officer a yes/no question says moves: ("openai", "cfo") in "did openai's cfo
    leave"."""
    counts: frozenset[str] = frozenset()
    """Numbers typed without a unit before the thing they count: "200 deals", "14.3 shares"."""
    alternatives: list[frozenset[str]] = field(default_factory=list)
    """Amounts, names or words offered as alternatives, of which one is enough: "49% or
    51%", "meta or google", "calm or rattled"."""
    set_aside: frozenset[str] = field(default_factory=frozenset)
    """Whom it asks about others than: Google in "who is rethinking scale besides google"."""

    def offered(self, word: str) -> set[str]:
        """The word and whatever the question offers instead of it ("meta or google")."""
        return {word}.union(*(pair for pair in self.alternatives if word in pair))

    @property
    def topics(self) -> frozenset[str]:
        """What the question asks about, beyond the names and amounts it mentions."""
        return frozenset(self.words) - self.entities - self.numbers

    @property
    def sorted_phrase(self) -> str:
        """Its tokens sorted, so that a plain ratio compares them as token_sort_ratio does.
        "According" (what aliases.yaml makes of "in the article", "according to the
        article"…) counts only where it opens the question: "according to which report…"
        asks whom, "…in the article?" only says where."""
        return " ".join(sorted(self.tokens[:1] + [t for t in self.tokens[1:] if t != _ACCORDING]))

    def about(self, entities: frozenset[str]) -> Query:
        """The same question, asked about these companies or people as well."""
        added = sorted(entities - self.entities)
        return replace(
            self,
            tokens=[*self.tokens, *added],
            words=[*self.words, *added],
            entities=self.entities | entities,
        )

    def without(self, *left_out: str) -> Query:
        """The same question with some of the companies or people it names (or other
        words) left out."""
        return replace(
            self,
            tokens=[t for t in self.tokens if t not in left_out],
            words=[w for w in self.words if w not in left_out],
            entities=self.entities - set(left_out),
        )


class FactIndex:
    def __init__(self, aliases: Aliases) -> None:
        self._normaliser = Normaliser({**aliases.entities, **aliases.words}, aliases.entities)
        self._entity_names = frozenset(w for name in aliases.entities for w in basic_tokens(name))
        self._people = frozenset(w for name in aliases.people for w in basic_tokens(name))
        self._companies = self._entity_names - self._people
        self._qualifiers = frozenset(stem(word) for word in aliases.qualifiers) | {NOW, STILL}
        self._alias_surface = frozenset(
            w
            for name, variants in {**aliases.entities, **aliases.words}.items()
            for text in (name, *variants)
            for w in surface_tokens(text)
        )
        self._entries: dict[tuple[int, str], _Entry] = {}
        self._document_frequency: Counter[str] = Counter()
        self._cited_frequency: Counter[str] = Counter()
        """How many facts cite a sentence with each word."""
        four_letter_names = frozenset(
            text
            for name, variants in aliases.entities.items()
            for text in (name, *variants)
            if text.isalpha() and len(text) == 4
        )
        self._speller = Speller(self._alias_surface, four_letter_names, self._knows_stem)
        self._phrasing_tables: dict[int, tuple[list[str], list[str]]] = {}
        """Per guild: the fact id and sorted text of every phrasing it can see."""
        self._parsed: dict[str, Query] = {}
        """Texts already read since the facts last changed: answering one message reads the
        same text about twice (its readings, then the second opinion)."""

    # -- keeping the index in step with the store ------------------------------------

    def upsert(self, fact: Fact, cited_texts: Iterable[str] = ()) -> None:
        """Add or replace one fact (a guild's own facts shadow the global ones)."""
        self.discard(fact.guild_id, fact.id)
        core = [fact.answer, *fact.questions, *fact.keywords]
        typed = [w for text in core for w in surface_tokens(text)]
        self._speller.learn(typed)
        # Its phrasings are read as questions are, so that what they ask says what it answers.
        asked = [self._read(q, surface_tokens(q)) for q in fact.questions]
        # "After Meta's investment, Google's strategy is shifting" is about Google's
        # strategy: the words that say when count for questions that say when too.
        told = self._read(fact.answer, surface_tokens(fact.answer))
        words = {w for text in fact.keywords for w in self._words(text)} | set(told.words)
        words |= {w for q in asked for w in q.words}
        context = frozenset(told.context) | {w for q in asked for w in q.context}
        # "$14.3 billion" also answers "how many billions".
        units = {split_number(w)[1] for w in words if is_number(w)}
        words |= {_UNIT_WORDS[unit] for unit in units if unit in _UNIT_WORDS}
        words = frozenset(words)
        entry = _Entry(
            fact=fact,
            phrasings=[q.sorted_phrase for q in asked],
            words=words,
            cited_words=frozenset(w for text in cited_texts for w in self._words(text)),
            context=context,
            # Google's reaction to Meta's deal involves Meta, if only as context.
            entities=(words | context) & self._entity_names,
            numbers=frozenset(w for w in words if is_number(w)),
            has_date=any(_YEAR.fullmatch(w) or w in _MONTHS for w in words),
            has_count=any(
                is_number(w) and not split_number(w)[1] and not _YEAR.fullmatch(w) for w in words
            ),
            answers=frozenset(q.wants for q in asked if q.wants),
            defines=frozenset(q.term for q in asked if q.term),
            subjects=frozenset(q.subject for q in asked if q.subject),
            named=(words & self._entity_names) - group_owners(told.tokens, self._entity_names),
            subject=next((w for w in told.words if w in self._entity_names), None),
            done_to=frozenset(
                pair for q in asked for pair in verb_objects(q.tokens, self._companies)
            ),
            movers=frozenset(q.mover for q in asked if q.mover),
            done_by=frozenset(
                (q.subject, verb, whom)
                for q in asked
                if q.subject
                for verb, whom in verb_objects(q.tokens, self._companies)
            ),
            speakers=frozenset(q.speaker for q in asked if q.speaker),
            headlines=frozenset(q.entities for q in asked if q.entities and _just_names(q)),
            roles=frozenset(pair for q in (told, *asked) for pair in q.roles)
            | frozenset(
                pair
                for text in (*fact.keywords, *cited_texts)
                for pair in role_pairs(self._normaliser.tokens(text), self._entity_names)
            ),
        )
        self._entries[(fact.guild_id, fact.id)] = entry
        if not fact.removed:
            self._document_frequency.update(words)
            self._cited_frequency.update(entry.cited_words)
        self._changed()

    def discard(self, guild_id: int, fact_id: str) -> None:
        old = self._entries.pop((guild_id, fact_id), None)
        if old is not None:
            if not old.fact.removed:
                self._document_frequency.subtract(old.words)
                self._cited_frequency.subtract(old.cited_words)
            self._changed()

    def _changed(self) -> None:
        """Forget what was derived from the facts as they were."""
        self._speller.forget()
        self._phrasing_tables.clear()
        self._parsed.clear()

    def get(self, guild_id: int, fact_id: str) -> Fact | None:
        """One guild's own row for a fact (removed or not), exactly as stored."""
        entry = self._entries.get((guild_id, fact_id))
        return entry.fact if entry else None

    def respelled(self, text: str) -> str:
        """The message with slips in chat's own words fixed (see `Speller.respelled`)."""
        return self._speller.respelled(text)

    def has_amount(self, guild_id: int, fact_id: str) -> bool:
        """Whether the fact a guild sees under this id gives a sum or a share."""
        entry = self._visible_entry(guild_id, fact_id)
        return entry is not None and any(split_number(n)[1] for n in entry.numbers)

    def visible(self, guild_id: int) -> list[Fact]:
        return [entry.fact for entry in self._visible(guild_id)]

    def _visible_entry(self, guild_id: int, fact_id: str) -> _Entry | None:
        return next((e for e in self._visible(guild_id) if e.fact.id == fact_id), None)

    def _visible(self, guild_id: int) -> list[_Entry]:
        """Global facts, with the guild's own versions (or removals) in their place."""
        chosen: dict[str, _Entry] = {}
        for (owner, fact_id), entry in self._entries.items():
            if owner == guild_id or (owner == GLOBAL and fact_id not in chosen):
                chosen[fact_id] = entry
        return [entry for entry in chosen.values() if not entry.fact.removed]

    # -- asking ----------------------------------------------------------------------

    def parse(self, question: str) -> Query:
        """What a question asks, read once per text while the facts stay the same. Callers
        derive other readings with `replace` and never change a Query in place, so one
        may be handed out again."""
        if (query := self._parsed.get(question)) is None:
            if len(self._parsed) >= _PARSED_KEPT:
                self._parsed.clear()
            query = self._parsed[question] = self._parse(question)
        return query

    def _parse(self, question: str) -> Query:
        typed = surface_tokens(question)
        surface = [
            self._speller.correct_after(before, word)
            for before, word in zip(["", *typed], typed, strict=False)
        ]
        if surface != typed:
            # A fixed unit makes an amount of the number before it: "14.3 billoin", "less
            # than 20 biillion" (a bound, "<20", read again as words).
            rejoined = " ".join(surface).replace("<", " under ").replace(">", " over ")
            surface = surface_tokens(rejoined)
        surface = without_openers(surface)  # "couuld you tell me…" opens as "could you…" does
        query = self._read(question, surface)
        strangers = self._unknown_names(surface) | self._unknown_actor(query.tokens)
        query = replace(query, entities=query.entities | strangers)
        if query.entities and _just_names(query):
            # "any google news?", "msft x scale update": names, and words that only ask
            # what is new about them, which say nothing about which fact.
            query = replace(query, words=[w for w in query.words if w not in _JUST_ASKING])
        if query.wants is None and (clauses := asking_clauses(question)):
            # "we were talking about google, who is their ceo" asks for a person.
            asking, _ = clauses
            query = replace(query, wants=answer_kind(without_openers(surface_tokens(asking))))
        return query

    def _read(self, text: str, surface: list[str]) -> Query:
        """What a question (or a fact's phrasing) asks, from its words as typed."""
        tokens = without_filler(self._normaliser.canonical([stem(t) for t in surface]))
        # "is scale ok after the meta deal" asks whether Scale is ok: the words that say
        # when count for resemblance only, and Meta is not required of the fact.
        context = saying_when(tokens, self._entity_names)
        aside = set_aside(tokens, self._entity_names)
        wants = answer_kind(surface)
        claim = claim_told(tokens) if wants == "source" else set()
        # "which company invested in scale" asks who, as "who invested in scale" does; but
        # "which companies use scale" asks for companies, as a list of customers gives.
        asks_who = ("which", "company") in itertools.pairwise(surface)
        kind = {
            i
            for i, t in enumerate(tokens)
            if asks_who and t == _COMPANY and i and tokens[i - 1] == "which"
        }
        words = content_words(
            t for i, t in enumerate(tokens) if i not in context | claim | aside | kind
        )
        if wants == "amount" and _CORRECTING & set(surface):
            # "wasn't it like 15b? how much did meta actually pay": the amount it asks for
            # is the fact's, whatever the asker remembered.
            words = [w for w in words if not is_number(w)]
        if asks_who_now(surface):
            words.append(NOW)  # a qualifier no fact knows
        if "still" in surface:
            words.append(STILL)  # a qualifier that facts know from their "still" phrasings
        term = self._term(surface)
        return Query(
            text=text,
            tokens=tokens,
            words=words,
            # Whoever a claim is about still has to be the fact's: "who said amazon is
            # pulling back" is not Reuters' report on Google.
            entities=frozenset(
                t
                for i, t in enumerate(tokens)
                if i not in context | aside and t in self._entity_names
            ),
            set_aside=frozenset(tokens[i] for i in aside if tokens[i] in self._entity_names),
            numbers=frozenset(w for w in words if is_number(w)),
            counts=counting(tokens),
            alternatives=alternatives(tokens),
            wants=wants or ("definition" if term else None),
            roles=role_pairs(tokens, self._entity_names),
            term=term,
            speaker=speaker(tokens, self._entity_names),
            subject=subject(tokens, self._entity_names),
            verb=yes_no_verb(tokens, self._entity_names),
            done_to=verb_objects(tokens, self._companies)
            if yes_no_actor(tokens) or states_a_move(tokens, self._entity_names)
            else frozenset(),
            mover=moving_officer(tokens, self._companies),
            context=content_words(t for i, t in enumerate(tokens) if i in context | claim),
        )

    def resolve(self, parts: list[str]) -> list[Query]:
        """The parts of a two-part question, each about what it names or, naming nothing,
        about what the part before it named: in "how much was google spending and is it
        pulling out", "it" is Google."""
        queries: list[Query] = []
        for part in parts:
            query = self.parse(part)
            if not query.entities and queries:
                before = queries[-1]
                tokens = set(query.tokens)
                # "will scale stay independent from meta and why does that matter": "that"
                # is what the part before asked about, its companies only the scene; so is
                # "it" when that part names no company ("what's data annotation and why is
                # it important").
                if {"that", "this"} & tokens or (not before.entities and _REFERRING & tokens):
                    added = sorted(before.topics - set(query.words))
                    scene = sorted(before.entities)
                    query = replace(
                        query, words=[*query.words, *added], context=[*query.context, *scene]
                    )
                else:
                    query = query.about(before.entities)
                    if _THEM & tokens and (groups := before.topics & GROUP_STEMS):
                        # "who are scale's customers and are they nervous": customers.
                        query = replace(query, words=[*query.words, *sorted(groups)])
            elif queries and (scene := sorted(queries[-1].entities - query.entities)):
                # "what did meta pay and who came over from scale": Meta sets the scene.
                query = replace(query, context=[*query.context, *scene])
            queries.append(query)
        return queries

    def focused(self, asking: str, scene: str) -> Query:
        """A long message read for the clauses that ask, the rest counting as context.
        Its qualifiers still bind ("scale is hiring a new ceo, who is it" asks about
        someone new); so do the companies it names when the asking clause names none or
        points back at them ("my manager keeps talking about the meta scale thing, how
        much did they invest"), and its amounts when the asking clause asks for an amount,
        points back at one or asks nothing else ("i heard 15b, is that right?"); not in
        "meta paid 14.3b, but what did google do?". Its other words only help facts that
        know them."""
        main, aside = self.parse(asking), self.parse(scene)
        # "google's pulling back, but what about microsoft?" asks about Microsoft alone.
        # A scene of a word or two is part of the question: "to amazon, how much did meta
        # pay" asks about Amazon; so is whom it is according to: "according to bloomberg, is
        # google pulling back" needs a fact that involves Bloomberg.
        refers_back = (
            not main.entities
            or bool(_REFERRING & set(main.tokens))
            or len(aside.tokens) <= 2
            or aside.tokens[:1] == [_ACCORDING]
        )
        # "i keep hearing 14 billion, is that what meta put into scale" checks the amount.
        checks_amount = (
            main.wants == "amount"
            or not (main.topics or main.entities)
            or bool(_POINTING & set(main.tokens))
        )

        def binds(word: str) -> bool:
            if word in aside.entities:
                return refers_back
            return word in self._qualifiers or (is_number(word) and checks_amount)

        binding = [w for w in aside.words if binds(w) and w not in main.words]
        loose = [w for w in aside.words if w not in binding and w not in main.words]
        # "someone said scale is hiring a new ceo, who is it" asks for a person.
        wants = main.wants or answer_kind(surface_tokens(f"{asking} {scene}"))
        return replace(
            main,
            words=[*main.words, *binding],
            entities=main.entities | (aside.entities if refers_back else frozenset()),
            numbers=main.numbers | (aside.numbers if checks_amount else frozenset()),
            context=[*main.context, *loose, *aside.context],
            wants=wants,
        )

    def one_by_one(self, query: Query) -> list[Query]:
        """ "what are google and microsoft doing" as a question about each of them, for
        when no one fact answers for both; empty unless it names them side by side."""
        listed = coordinated(query.tokens, self._entity_names)
        # "each" and "both" ask of every company listed; of one alone they say nothing.
        parts = [
            query.without(*(other for other in listed if other != name), "each", "both")
            for name in listed
        ]
        if query.subject in listed:  # "are google and microsoft pulling back": each acts
            parts = [replace(part, subject=name) for part, name in zip(parts, listed, strict=True)]
        return parts

    def search(
        self, question: str | Query, guild_id: int = GLOBAL, limit: int | None = 5
    ) -> list[Match]:
        """The best facts for a question, best first; empty when it has no content words."""
        query = question if isinstance(question, Query) else self.parse(question)
        entries = self._visible(guild_id)
        if not (query.words or query.context) or not entries:
            return []
        resemblance = self._resemblance(query, guild_id, entries)
        weights = {word: self._weight(word) for word in (*query.words, *query.context)}
        # "are scale's customers calm or rattled": a fact that speaks of either answers.
        offered = {word: query.offered(word) for word in query.words}
        topics = query.topics
        asks_nothing = not (topics or query.numbers or query.context)
        sole: set[str] = set()
        if _just_names(query):
            sole = self._sole_subjects(query.entities, entries)
        if query.wants is None and _just_names(query, when_too=True):
            sole |= _headlines(query.entities, entries)
        elif query.wants is None and _just_names(query, when_too=True, money_too=True):
            # "meta money in scale?": Meta's headline has an amount; Microsoft's does not.
            sole |= _headlines(query.entities, [e for e in entries if e.numbers])
        matches = []
        for entry in entries:
            score = RESEMBLANCE_WEIGHT * resemblance[entry.fact.id] + (
                1 - RESEMBLANCE_WEIGHT
            ) * 100 * self._coverage(query, weights, offered, entry)
            mismatch = self._mismatch(query, entry)
            if mismatch:
                score *= MISMATCH_PENALTY
            # Each thing asked about that other facts know but this one never mentions.
            foreign = [
                w
                for w in topics
                if self._document_frequency.get(w, 0) > 0
                and not self._knows(entry, w)
                and w not in entry.cited_words
            ]
            score *= FOREIGN_TOPIC_PENALTY ** len(foreign)
            matches.append(
                Match(
                    entry.fact,
                    round(score, 1),
                    mismatch,
                    vague=asks_nothing and resemblance[entry.fact.id] < CLOSE_PHRASING,
                    sole_subject=entry.fact.id in sole,
                )
            )
        matches.sort(key=lambda m: m.score, reverse=True)
        return matches[:limit]

    def mismatch(self, query: Query, guild_id: int, fact_id: str) -> frozenset[str]:
        """What a question asks that the fact a guild sees under this id cannot answer
        (another company or amount, another kind of answer…: see `_mismatch`)."""
        entry = self._visible_entry(guild_id, fact_id)
        assert entry is not None, f"{fact_id} is not a fact guild {guild_id} sees"
        return self._mismatch(query, entry)

    @staticmethod
    def _sole_subjects(names: frozenset[str], entries: list[_Entry]) -> set[str]:
        """The facts that are the only one about a company or person named."""
        subjects = Counter(entry.subject for entry in entries)
        return {e.fact.id for e in entries if e.subject in names and subjects[e.subject] == 1}

    def _mismatch(self, query: Query, entry: _Entry) -> frozenset[str]:
        """What the question asks that this fact cannot answer: another company or amount,
        another kind of answer, someone else's CEO, "new" where the fact says nothing new."""
        topics = query.topics
        mismatch = {
            named
            for named in query.entities - entry.entities
            if not query.offered(named) & entry.entities
        } | {asked for asked in query.numbers if not self._fits(asked, query, entry)}
        # "previously" is no mismatch for a fact whose sentence says "previously".
        known = entry.words | entry.cited_words
        mismatch |= {
            w
            for w in topics & self._qualifiers
            if w not in known and not query.offered(w) & known  # "this year or next"
        }
        if topics and not any(self._knows(entry, w) or self._cites_alone(entry, w) for w in topics):
            # It names the right companies but asks something else about them.
            mismatch |= topics
        # A fact that cannot answer the kind of question asked, unless one of its phrasings
        # asks that kind of question: curators know what their fact answers.
        if query.wants not in entry.answers and (
            (query.wants == "amount" and not entry.numbers)
            or (query.wants == "date" and not entry.has_date)
            or (query.wants == "person" and entry.entities.isdisjoint(self._people))
            or (query.wants == "names" and entry.named <= query.entities)
            or (query.wants == "count" and not entry.has_count)
            or query.wants
            in ("how-to", "method", "reason", "statement", "opinion", "source", "comparison")
        ):
            mismatch.add(query.wants)
        if query.term and query.term not in entry.defines:
            mismatch.add("definition")
        # "Did scale invest in meta": the fact's own yes/no phrasings say who acts.
        if query.subject and entry.subjects and query.subject not in entry.subjects:
            mismatch.add("subject")
        # "Did google invest in scale's competitors": a fact that never speaks of investing
        # does not answer it, whatever else it shares with the question.
        if (
            query.verb
            and self._document_frequency.get(query.verb, 0) > 0
            and not self._knows(entry, query.verb)
        ):
            mismatch.add("verb")
        # "Did wang leave meta": the fact's phrasings have him leave someone else.
        for verb, done_to in query.done_to:
            objects = {o for v, o in entry.done_to if v == verb}
            if objects and done_to not in objects:
                mismatch.add("object")
            # "Is meta done with scale": Wang left Scale, not Meta.
            doers = {s for s, v, o in entry.done_by if (v, o) == (verb, done_to)}
            if query.subject and doers and query.subject not in doers:
                mismatch.add("subject")
        # "Did openai's cfo leave": OpenAI moved its work away; its CFO did not move.
        if query.mover and query.mover not in entry.movers:
            mismatch.add("mover")
        if entry.subject in query.set_aside:
            mismatch.add("set aside")
        if query.wants == "statement" and query.speaker and query.speaker not in entry.speakers:
            mismatch.add("statement")
        # "Who is Meta's CEO" is not asked of a fact that names Scale's CEO only.
        # Nor "did scale's cfo leave" of one that names Scale's CEO and no other officer.
        mismatch |= {
            role
            for owner, role in query.roles - entry.roles
            if any(
                known == role or (whose == owner and {known, role} <= OFFICERS)
                for whose, known in entry.roles
            )
        }
        return frozenset(mismatch)

    def _resemblance(self, query: Query, guild_id: int, entries: list[_Entry]) -> dict[str, float]:
        fact_ids, phrasings = self._phrasing_table(guild_id, entries)
        scores: dict[str, list[float]] = {entry.fact.id: [] for entry in entries}
        # ratio of sorted tokens is rapidfuzz's token_sort_ratio, with the sorting done once
        for _, score, index in process.extract(
            query.sorted_phrase, phrasings, scorer=fuzz.ratio, processor=None, limit=None
        ):
            scores[fact_ids[index]].append(score)
        # The mean of a fact's two closest phrasings: one phrasing that happens to share
        # words with the question weighs less than two that ask the same thing. A fact
        # with a single phrasing counts it twice.
        return {
            fact_id: statistics.fmean(heapq.nlargest(2, found if len(found) > 1 else found * 2))
            if found
            else 0.0
            for fact_id, found in scores.items()
        }

    def _phrasing_table(self, guild_id: int, entries: list[_Entry]) -> tuple[list[str], list[str]]:
        table = self._phrasing_tables.get(guild_id)
        if table is None:
            pairs = [(entry.fact.id, p) for entry in entries for p in entry.phrasings]
            table = self._phrasing_tables[guild_id] = (
                [fact_id for fact_id, _ in pairs],
                [p for _, p in pairs],
            )
        return table

    def _coverage(
        self,
        query: Query,
        weights: dict[str, float],
        offered: dict[str, set[str]],
        entry: _Entry,
    ) -> float:
        total = found = 0.0
        for word in query.words:
            weight = weights[word]
            total += weight
            if any(self._knows(entry, w) for w in offered[word]):
                found += weight
            elif word in entry.cited_words:
                alone = self._cites_alone(entry, word)
                found += (OWN_CITED_WORD_CREDIT if alone else CITED_WORD_CREDIT) * weight
        # When the question is asked ("after the meta deal") counts for a fact that knows it
        # and against none.
        for word in query.context:
            if word in entry.words or word in entry.context:
                total += weights[word]
                found += weights[word]
        return found / total if total else 0.0

    @staticmethod
    def _fits(amount: str, query: Query, entry: _Entry) -> bool:
        """Whether a fact has an amount the question names, or one it offers instead
        ("14.3 or 13.4 billion")."""
        offered = query.offered(amount)
        # A number without a unit is the fact's in whatever unit it has ("meta paid 14.3?"),
        # unless it counts something else ("200 deals").
        known = [n for n in entry.numbers if amount not in query.counts or not split_number(n)[1]]
        return any(roughly(asked, n) for asked in offered for n in known)

    @staticmethod
    def _knows(entry: _Entry, word: str) -> bool:
        """Whether a fact speaks of a question's word: "14b" of $14.3B, "figure" of any sum."""
        if word in entry.words:
            return True
        if is_number(word):
            return any(roughly(word, known) for known in entry.numbers)
        return word in SUM_WORDS and bool(entry.numbers)

    def _cites_alone(self, entry: _Entry, word: str) -> bool:
        """Whether the fact is the only one citing a sentence with the word."""
        return word in entry.cited_words and self._cited_frequency[word] == 1

    def _weight(self, word: str) -> float:
        facts = max(1, len(self._entries))
        # A word no fact uses weighs as much as the rarest word: the question is about
        # something the knowledge base may not know.
        frequency = max(1, self._document_frequency.get(word, 0))
        return math.log(1 + facts / frequency)

    # -- helpers -----------------------------------------------------------------------

    def _term(self, surface: list[str]) -> frozenset[str]:
        """The words of the term a "what is X?" question asks about, if it asks one."""
        named = content_words(self._normaliser.canonical([stem(w) for w in term_asked(surface)]))
        if not named:
            # "what does the search giant do" asks what Google is; "what does the startup do"
            # is left to the facts' phrasings.
            named = content_words(self._normaliser.canonical([stem(w) for w in described(surface)]))
            named = named if set(named) <= self._entity_names and len(named) == 1 else []
        entities = [w for w in named if w in self._entity_names]
        # "what is scale ai" asks what a company is; "what is meta's superintelligence lab"
        # asks about something of Meta's, which a fact may well describe.
        return frozenset(named) if not entities or len(named) == 1 else frozenset()

    def _unknown_actor(self, tokens: list[str]) -> frozenset[str]:
        """Who a yes/no question says acts, when no fact knows them: "did *regulators* look
        at the deal" is about someone the knowledge base never mentions."""
        actor = yes_no_actor(tokens)
        if actor is None or actor in STOPWORDS or is_number(actor) or self._knows_stem(actor):
            return frozenset()
        return frozenset({actor})

    def _unknown_names(self, surface: list[str]) -> frozenset[str]:
        """Words (typos already fixed) that are neither the knowledge base's nor English: most
        likely names it does not know ("how much did meta pay for giphy"), which no fact may
        answer for."""
        return frozenset(
            stem(word)
            for word in surface
            if len(word) > 2
            and not is_number(word)
            and word not in STOPWORDS
            and word not in self._speller.known
            and not self._knows_stem(stem(word))
            and not is_english_word(word)
        )

    def _knows_stem(self, stemmed: str) -> bool:
        return stemmed in self._document_frequency or stemmed in self._normaliser.words

    def _words(self, text: str) -> list[str]:
        return content_words(self._normaliser.tokens(text))


def _just_names(query: Query, *, when_too: bool = False, money_too: bool = False) -> bool:
    """ "what about microsoft?", "msft and scale, what's up?": names, and nothing asked of
    them; not "what should microsoft do?" or "msft bag in scale?". With `when_too`, the
    words that say when may be there too: "goog scale status after meta"; with
    `money_too`, money: "meta money in scale?"."""
    if query.numbers or (query.context and not when_too):
        return False
    asking = _JUST_ASKING | _MONEY if money_too else _JUST_ASKING
    return set(query.tokens) - set(query.context) <= query.entities | asking


def _headlines(names: frozenset[str], entries: list[_Entry]) -> set[str]:
    """The facts curators made the headline about some of these names, if they involve all."""
    return {
        entry.fact.id
        for entry in entries
        if names <= entry.entities and any(named <= names for named in entry.headlines)
    }
