"""Conversations written down: who says what, and what the bot's reply must show.

A transcript is YAML, validated here; the same file replays through the real Discord bot
in the test suite (tests/test_conversations.py) and through the engine with
``factbot replay``. Example::

    title: A member asks about the deal
    guilds: [Alpha, Beta]          # optional; the first is where turns happen by default
    answer_channels: [Alpha]       # optional; guilds whose channel answers plain questions
    turns:
      - say: "!ask how many vacation days do I get?"
        expect:
          answered: true
          contains: ["$14.3 billion"]
          cites: [s4]
      - say: "!fact remove id: vacation-days"
        as: member                 # member (default) or moderator
        name: ana                  # optional: who, within that role
        guild: Beta                # optional
        expect: {refused: true}
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from bot import replies
from bot.chat_commands import Interpreter, Reply, Speaker
from bot.engine import Engine
from bot.errors import BadInput
from bot.knowledge import read_yaml_file
from bot.models import Answer
from bot.store import Store


class Expectation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answered: bool | None = None
    """true: an answer with citations; false: no answer (I don't know / not sure)."""
    contains: list[str] = []
    not_contains: list[str] = []
    cites: list[str] = []
    """Sentence ids (``s4``, ``source:s4``) or sentence text that must be quoted."""
    refused: bool | None = None
    """true: refused for lack of permission."""
    silent: bool = False
    """The bot says nothing at all."""
    fields: dict[str, str] = {}
    """Embed field name -> text its value must contain."""


class Turn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    say: str = Field(min_length=1)
    role: Literal["member", "moderator"] = Field("member", alias="as")
    name: str | None = None
    guild: str | None = None
    expect: Expectation = Expectation()

    @property
    def speaker_name(self) -> str:
        return self.name or self.role


class Transcript(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str
    guilds: list[str] = Field(default_factory=lambda: ["Alpha"], min_length=1)
    answer_channels: list[str] = []
    turns: list[Turn] = Field(min_length=1)

    @model_validator(mode="after")
    def _known_guilds(self) -> Transcript:
        for number, turn in enumerate(self.turns, start=1):
            if turn.guild is not None and turn.guild not in self.guilds:
                raise ValueError(f"turn {number}: guild {turn.guild!r} is not in guilds")
        unknown = set(self.answer_channels) - set(self.guilds)
        if unknown:
            raise ValueError(f"answer_channels names unknown guilds: {sorted(unknown)}")
        return self

    def guild_index(self, turn: Turn) -> int:
        return self.guilds.index(turn.guild) if turn.guild else 0


def load_transcript(path: Path) -> Transcript:
    """A validated transcript, or :class:`BadInput` naming the file and the turn."""
    data = read_yaml_file(path)
    try:
        return Transcript.model_validate(data)
    except ValidationError as error:
        problems = [f"{_where(e['loc'])}: {e['msg']}" for e in error.errors()]
        raise BadInput(f"{path}: " + "; ".join(problems)) from None


def _where(loc: tuple[int | str, ...]) -> str:
    """("turns", 2, "expect", "cites") -> "turn 3, expect.cites"."""
    if len(loc) > 1 and loc[0] == "turns" and isinstance(loc[1], int):
        inner = ".".join(map(str, loc[2:]))
        return f"turn {loc[1] + 1}" + (f", {inner}" if inner else "")
    return ".".join(map(str, loc)) or "transcript"


@dataclass(frozen=True)
class Observed:
    """A reply reduced to what expectations look at, from Discord or from the engine."""

    text: str
    answered: bool | None
    citations: tuple[tuple[str | None, str, str], ...]
    """(source id if known, sentence id, sentence text) for each quoted sentence."""
    fields: dict[str, str]
    silent: bool = False

    @classmethod
    def nothing(cls) -> Observed:
        return cls("", None, (), {}, silent=True)

    @classmethod
    def from_reply(cls, reply: Reply | None) -> Observed:
        if reply is None:
            return cls.nothing()
        answer: Answer | None = reply.answer
        return cls(
            text=reply.text,
            answered=None if answer is None else answer.answered,
            citations=tuple(
                (c.source_id, c.sentence_id, c.text) for c in (answer.citations if answer else ())
            ),
            fields=reply.fields,
        )


def check(expect: Expectation, seen: Observed) -> list[str]:
    """Each way the reply falls short of the expectation, in words."""
    problems: list[str] = []
    if expect.silent != seen.silent:
        problems.append("expected no reply" if expect.silent else "expected a reply, got none")
        return problems
    if expect.answered is not None and seen.answered != expect.answered:
        problems.append("expected an answer" if expect.answered else "expected no answer")
    problems += [f"expected it to contain {t!r}" for t in expect.contains if t not in seen.text]
    problems += [f"expected it not to contain {t!r}" for t in expect.not_contains if t in seen.text]
    for wanted in expect.cites:
        if not any(_cites(wanted, c) for c in seen.citations):
            problems.append(f"expected it to cite {wanted!r}")
    if expect.refused is not None and (replies.NOT_MODERATOR in seen.text) != expect.refused:
        problems.append("expected a permission refusal" if expect.refused else "was refused")
    for name, value in expect.fields.items():
        if value not in seen.fields.get(name, ""):
            problems.append(f"expected field {name!r} to contain {value!r}")
    return problems


def _cites(wanted: str, citation: tuple[str | None, str, str]) -> bool:
    source_id, sentence_id, text = citation
    wanted_source, _, wanted_sentence = wanted.rpartition(":")
    if wanted_sentence == sentence_id and " " not in wanted:
        return not wanted_source or source_id is None or wanted_source == source_id
    return wanted in text


def failure(
    path: Path | str, number: int, turn: Turn, problems: Sequence[str], seen: Observed
) -> str:
    """The message a failed turn reports: file, turn, what was expected, what was sent."""
    actual = "nothing" if seen.silent else repr(seen.text)
    return (
        f"{path}, turn {number} ({turn.say!r}): {'; '.join(problems)}.\n  The bot replied: {actual}"
    )


@dataclass(frozen=True)
class TurnResult:
    number: int
    turn: Turn
    problems: list[str]
    seen: Observed

    @property
    def passed(self) -> bool:
        return not self.problems


async def replay(
    transcript: Transcript, database: Path | str | None, *, first_guild_id: int = 1
) -> list[TurnResult]:
    """Replay through the engine on a scratch copy of the database (never the original)."""
    with tempfile.TemporaryDirectory(prefix="factbot-replay-") as folder:
        scratch = Path(folder) / "replay.sqlite3"
        if isinstance(database, Path) and await asyncio.to_thread(database.exists):
            from bot.store.sqlite import copy_database

            await asyncio.to_thread(copy_database, database, scratch)
        elif isinstance(database, str):
            await _copy_knowledge(database, scratch)
        # else a fresh database is seeded from the shipped knowledge base instead
        async with await Engine.open(scratch) as engine:
            return await _replay(transcript, Interpreter(engine), first_guild_id)


async def _copy_knowledge(original: str, scratch: Path) -> None:
    """What answering needs of a PostgreSQL database, into a scratch SQLite file: every
    source, fact, out-of-scope question and switched-off pack (not the history)."""
    reading, writing = await Store.open(original), await Store.open(scratch)
    try:
        sources, facts = await reading.sources(), await reading.facts()
        out_of_scope = await reading.out_of_scope()
        guilds = sorted({f.guild_id for f in facts} | out_of_scope.keys())
        for n, guild in enumerate(guilds):
            await writing.import_knowledge(
                guild,
                sources if n == 0 else (),
                [(f, "add", None) for f in facts if f.guild_id == guild],
                out_of_scope.get(guild, ()),
                actor="replay",
            )
        for guild in await reading.shipped_pack_off():
            await writing.set_shipped_pack(guild, False, actor="replay")
    finally:
        await reading.close()
        await writing.close()


async def _replay(
    transcript: Transcript, interpreter: Interpreter, first_guild_id: int
) -> list[TurnResult]:
    guild_ids = {name: first_guild_id + i for i, name in enumerate(transcript.guilds)}
    results = []
    for number, turn in enumerate(transcript.turns, start=1):
        guild = transcript.guilds[transcript.guild_index(turn)]
        speaker = Speaker(guild_ids[guild], turn.role == "moderator", turn.speaker_name)
        reply = await interpreter.handle(
            turn.say, speaker, answer_channel=guild in transcript.answer_channels
        )
        seen = Observed.from_reply(reply)
        results.append(TurnResult(number, turn, check(turn.expect, seen), seen))
    return results


def expectation_of(reply: Reply | None) -> Expectation:
    """What a recorded reply must show next time: its answer and citations, or its words."""
    if reply is None:
        return Expectation(silent=True)
    answer = reply.answer
    if answer is None:
        return Expectation(contains=[reply.text.splitlines()[0]])
    if not answer.answered:
        return Expectation(answered=False)
    return Expectation(
        answered=True,
        contains=[answer.answer or ""],
        cites=[f"{c.source_id}:{c.sentence_id}" for c in answer.citations],
    )


def dump_transcript(transcript: Transcript) -> str:
    data = transcript.model_dump(by_alias=True, exclude_defaults=True, mode="json")
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
