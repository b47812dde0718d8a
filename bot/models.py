"""The data FactBot deals in: sources and their sentences, facts, and answers.

Plain pydantic models, no I/O. ``guild_id`` 0 means "global": the shipped knowledge base,
visible everywhere. A guild's own facts and overrides carry its Discord id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

GLOBAL = 0
"""The guild id of facts and sources that every guild sees (the shipped knowledge base)."""

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
FactId = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")
]


_FIELDS_SETS: dict[frozenset[str], set[str]] = {}


def shared_fields_set(names: Iterable[str]) -> set[str]:
    """The one set of these field names that models share as the fields they had set:
    one per combination rather than one per model (see ``_Model.__getstate__``)."""
    key = frozenset(names)
    if key not in _FIELDS_SETS:
        _FIELDS_SETS[key] = set(key)
    return _FIELDS_SETS[key]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    def __getstate__(self) -> dict[Any, Any]:
        """As pydantic pickles a model, but naming a set of the fields set that models with
        the same ones share: pickle then writes it once, and an unpickled model takes the
        one copy instead of a set of its own. Those sets were over a third of what a large
        library restored from its snapshot held (about 110 MB at 100,000 facts). Sharing is
        safe: the models are frozen, and pydantic copies the set before a ``model_copy``
        changes it."""
        state = super().__getstate__()
        state["__pydantic_fields_set__"] = shared_fields_set(state["__pydantic_fields_set__"])
        return state


class Sentence(_Model):
    source_id: str
    id: str
    text: NonEmpty


class Source(_Model):
    id: FactId
    title: NonEmpty
    publisher: str = "unknown"
    url: str | None = None
    date: dt.date | None = None
    guild_id: int = GLOBAL
    sentences: tuple[Sentence, ...]
    removed: bool = False
    """Taken back by its server's moderators: no longer cited anew, listed or exported; the
    facts that cited it before still show what they quoted."""

    def sentence(self, sentence_id: str) -> Sentence | None:
        return self.sentences_by_id.get(sentence_id)

    @cached_property
    def sentences_by_id(self) -> dict[str, Sentence]:
        # A source imported from a large FAQ has a sentence per answer: look up, not scan.
        return {s.id: s for s in self.sentences}


class SentenceRef(_Model):
    """A pointer to one sentence of one source, written ``source:s4``."""

    source_id: str
    sentence_id: str

    def __str__(self) -> str:
        return f"{self.source_id}:{self.sentence_id}"


class Fact(_Model):
    id: FactId
    answer: NonEmpty
    questions: tuple[NonEmpty, ...] = Field(min_length=1)
    cites: tuple[SentenceRef, ...] = Field(min_length=1)
    keywords: tuple[NonEmpty, ...] = ()
    guild_id: int = GLOBAL
    removed: bool = False
    revision: int = Field(default=0, exclude=True)
    """How many times the store has written this fact: a change based on an older
    revision is refused, so one moderator never silently undoes another."""

    @field_validator("questions")
    @classmethod
    def _distinct_questions(cls, questions: tuple[str, ...]) -> tuple[str, ...]:
        seen: set[str] = set()
        distinct = []
        for question in questions:
            if question.casefold() not in seen:
                seen.add(question.casefold())
                distinct.append(question)
        return tuple(distinct)

    @property
    def canonical_question(self) -> str:
        return self.questions[0]

    def content(self) -> dict[str, object]:
        """What a moderator can change: compared, stored in history, hashed for seeding."""
        return {
            "answer": self.answer,
            "questions": list(self.questions),
            "cites": [str(ref) for ref in self.cites],
            "keywords": list(self.keywords),
            "removed": self.removed,
        }


class Citation(_Model):
    source_id: str
    sentence_id: str
    text: str
    title: str
    url: str | None = None


class Suggestion(_Model):
    fact_id: str
    question: str


class Answer(_Model):
    """What the bot says to one question; its JSON form is the CLI contract."""

    question: str
    answered: bool
    answer: str | None = None
    confidence: float = Field(ge=0, le=100)
    fact_id: str | None = None
    citations: tuple[Citation, ...] = ()
    suggestions: tuple[Suggestion, ...] = ()
    # Several facts matched equally well: the bot asks back instead of guessing.
    ambiguous: bool = Field(default=False, exclude=True)
    # The parts of a message that asks several things which this answer leaves out.
    unanswered_parts: tuple[str, ...] = Field(default=(), exclude=True)


Action = Literal["seed", "add", "edit", "alias", "unalias", "remove", "restore", "revert"]
"""What a change to a fact did, as its history says."""


class HistoryEntry(_Model):
    fact_id: str
    guild_id: int
    action: Action
    actor: str
    at: dt.datetime
    before: dict[str, object] | None
    after: dict[str, object] | None
