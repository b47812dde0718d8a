"""Discord-style messages (`!ask …`, `@FactBot …`, `!fact add question: …`) run straight
against the engine, without Discord: for `factbot chat` and `factbot replay`.

It reads messages the way the Discord adapter does and answers with the same words
(``bot.replies``), so a transcript means the same thing in both places. Commands, flags
and permissions mirror the Discord cogs; the rules themselves all live in the engine.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot import documents, replies
from bot.config import Settings
from bot.curation import change_number
from bot.engine import Engine, check_question
from bot.errors import BadInput
from bot.models import Answer
from bot.parts import asks
from bot.rendering import counted

MENTION = "@FactBot"
CHANNEL_THRESHOLD: float = Settings.model_fields["channel_threshold"].default

# command -> (required flags, optional flags)
COMMANDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "fact add": (("question", "answer", "cite"), ("id",)),
    "fact alias": (("id", "question"), ()),
    "fact unalias": (("id", "question"), ()),
    "fact edit": (("id",), ("answer", "cite")),
    "fact remove": (("id",), ()),
    "fact restore": (("id",), ()),
    "fact revert": (("id",), ("to",)),
    "fact show": (("id",), ()),
    "fact history": (("id",), ()),
    "fact search": (("query",), ()),
    "fact list": ((), ("page",)),
    "fact attach": (("id",), ("question",)),
    "fact ignore": ((), ("question",)),
    "fact unignore": (("question",), ()),
    "source add": (("title",), ("text", "url", "file")),
    "source list": ((), ("page",)),
    "source show": (("id",), ("page",)),
    "source remove": (("id",), ()),
    "source restore": (("id",), ()),
    "unanswered": ((), ()),
    "unsure": ((), ()),
    "pack": ((), ()),
}


@dataclass(frozen=True)
class Reply:
    """What the bot sent back: the words a person reads, plus the answer behind them."""

    text: str
    answer: Answer | None = None
    fields: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Speaker:
    guild_id: int
    moderator: bool
    name: str


def parse_flags(text: str, required: tuple[str, ...], optional: tuple[str, ...]) -> dict[str, str]:
    """``question: a b answer: c`` -> {"question": "a b", "answer": "c"}."""
    names = required + optional
    if not names:
        return {}
    pattern = re.compile(rf"(?:^|\s)({'|'.join(names)}):", re.IGNORECASE)
    found = list(pattern.finditer(text))
    flags: dict[str, str] = {}
    ends = [m.start() for m in found[1:]] + ([len(text)] if found else [])
    for match, end in zip(found, ends, strict=True):
        name = match[1].lower()
        if name in flags:
            raise BadInput(f"`{name}:` given more than once.")
        flags[name] = text[match.end() : end].strip()
    for name in required:
        if not flags.get(name):
            raise BadInput(f"`{name}:` is missing.")
    return flags


class Interpreter:
    def __init__(
        self, engine: Engine, prefix: str = "!", channel_threshold: float = CHANNEL_THRESHOLD
    ) -> None:
        self.engine = engine
        self.prefix = prefix
        self.channel_threshold = channel_threshold
        """The confidence (%) a plain question in an answer channel needs, as in Discord."""
        self.last_question: dict[int, str] = {}
        """Per guild, the last question asked: what `fact attach` and `fact ignore` mean
        without a `question:` (in Discord, they reply to the answer instead)."""

    async def handle(
        self, message: str, speaker: Speaker, *, answer_channel: bool = False
    ) -> Reply | None:
        """The bot's reply to one message, or None when it stays quiet."""
        await self.engine.sync()  # another process may have changed the facts meanwhile
        if message.startswith(MENTION):
            return await self._ask(message[len(MENTION) :], speaker)
        if not message.startswith(self.prefix):
            return await self._plain(message, speaker) if answer_channel else None
        words = message[len(self.prefix) :].split(maxsplit=2)
        if words[:1] == ["ask"]:
            return await self._ask(message[len(self.prefix) + 3 :], speaker, command=True)
        for size in (2, 1):
            name = " ".join(words[:size]).lower()
            if name in COMMANDS:
                rest = " ".join(words[size:])
                return await self._curate(name, rest, speaker)
        if not words:
            return None  # a bare prefix is not a command, as in Discord
        if words[:1] == ["help"]:
            return Reply(self._help())
        typed = " ".join(words[:2]).lower()
        return Reply(replies.unknown_command(typed, [*COMMANDS, "ask"], self.prefix))

    async def _ask(self, question: str, speaker: Speaker, *, command: bool = False) -> Reply:
        if command and not question.strip():
            return Reply(f"`question` is missing. Usage: `{self.prefix}ask <question>`")
        try:
            question = check_question(question, keep_lines=True)
        except BadInput as error:
            return Reply(str(error))
        answer = await self.engine.answer(question, speaker.guild_id)
        await self.engine.record(answer, guild_id=speaker.guild_id)
        self.last_question[speaker.guild_id] = question
        return self._render(answer, example=lambda: self.engine.example_question(speaker.guild_id))

    async def _plain(self, message: str, speaker: Speaker) -> Reply | None:
        """Chat in an answer channel: answered only when it asks something, and the bot
        knows the answer."""
        if not asks(message):
            return None
        answer = await self.engine.answer_if_sure(
            [message], speaker.guild_id, self.channel_threshold
        )
        return self._render(answer) if answer else None

    def _render(self, answer: Answer, example: Callable[[], str | None] | None = None) -> Reply:
        if not answer.answered:
            return Reply(replies.not_answered(answer, self.prefix, example=example), answer)
        fields = dict(map(replies.citation_field, answer.citations))
        text = "\n".join(
            [answer.answer or "", *(f"{k}\n{v}" for k, v in fields.items()), answer.fact_id or ""]
        )
        return Reply(text, answer, fields)

    async def _curate(self, command: str, rest: str, speaker: Speaker) -> Reply:
        if not speaker.moderator:
            return Reply(replies.NOT_MODERATOR)
        try:
            flags = parse_flags(rest, *COMMANDS[command])
        except BadInput as error:
            return Reply(f"{error} Usage: `{self._usage(command)}`")
        try:
            if command == "pack":
                return await self._pack(rest, speaker)
            return await self._run(command, flags, speaker)
        except BadInput as error:
            return Reply(str(error))

    def _usage(self, command: str) -> str:
        """As the Discord adapter words it: ``!fact edit id: … [answer: …] [cite: …]``."""
        if command == "pack":
            return f"{self.prefix}pack on|off"  # a word, not a flag
        required, optional = COMMANDS[command]
        named = [(name, True) for name in required] + [(name, False) for name in optional]
        return f"{self.prefix}{command} {replies.flag_usage(named)}".rstrip()

    def _help(self) -> str:
        lines = [f"`{self.prefix}ask <question>` (or `{MENTION} <question>`)"]
        lines += [f"`{self._usage(command)}`" for command in COMMANDS]
        return "Commands (all but ask are for moderators):\n" + "\n".join(lines)

    async def _pack(self, state: str, speaker: Speaker) -> Reply:
        if state.strip().lower() not in {"on", "off"}:
            raise BadInput(f"Usage: `{self.prefix}pack on` or `{self.prefix}pack off`.")
        on = state.strip().lower() == "on"
        await self.engine.curator.switch_shipped_pack(speaker.guild_id, on, speaker.name)
        return Reply(replies.pack_switched(on))

    async def _which(self, given: str | None, guild: int) -> str:
        if given is None and guild in self.last_question:
            return self.last_question[guild]
        return await self.engine.which_question(guild, given)

    async def _run(self, command: str, flags: dict[str, str], speaker: Speaker) -> Reply:
        engine, guild, actor = self.engine, speaker.guild_id, speaker.name
        match command:
            case "fact add":
                fact = await engine.curator.add_fact(
                    guild,
                    question=flags["question"],
                    answer=flags["answer"],
                    cite=flags["cite"],
                    fact_id=flags.get("id"),
                    actor=actor,
                )
                return Reply(replies.added(fact))
            case "fact unalias":
                fact, question = await engine.curator.remove_phrasing(
                    guild, flags["id"], flags["question"], actor
                )
                return Reply(replies.unaliased(fact, question))
            case "fact alias":
                fact, question = await engine.curator.add_phrasing(
                    guild, flags["id"], flags["question"], actor
                )
                return Reply(replies.aliased(fact, question))
            case "fact edit":
                fact = await engine.curator.edit_fact(
                    guild, flags["id"], answer=flags.get("answer"), cite=flags.get("cite"),
                    actor=actor,
                )  # fmt: skip
                return Reply(replies.updated(fact))
            case "fact remove":
                fact = await engine.curator.remove_fact(guild, flags["id"], actor)
                return Reply(replies.removed(fact, self.prefix))
            case "fact restore":
                fact = await engine.curator.restore_fact(guild, flags["id"], actor)
                return Reply(replies.restored(fact))
            case "fact revert":
                to = change_number(flags["to"]) if "to" in flags else None
                fact, number = await engine.curator.revert_fact(guild, flags["id"], actor, to)
                return Reply(replies.reverted(fact, number, self.prefix))
            case "fact show":
                view = await engine.view(guild, flags["id"], removed_too=True)
                fields = replies.fact_fields(
                    view.fact, engine.citations(view.fact), await engine.stats(guild, view.fact.id)
                )
                body = "\n".join(f"{name}\n{value}" for name, value in fields)
                text = f"{view.fact.id}\n{view.fact.answer}\n{body}\n{replies.fact_origin(view)}"
                return Reply(text, fields=dict(fields))
            case "fact list":
                views = engine.facts(guild)
                page = _page(flags.get("page", "1"))
                listed = replies.fact_list(views, page, self.prefix)
                return Reply(f"{counted(len(views), 'fact')}\n{listed}")
            case "fact search":
                matches = await engine.search(flags["query"], guild)
                return Reply(replies.search_results(matches))
            case "fact history":
                history = await engine.history(guild, flags["id"])
                return Reply(replies.history(flags["id"].strip().lower(), history, self.prefix))
            case "source list":
                page = _page(flags.get("page", "1"))
                return Reply(replies.source_list(engine.sources(guild), page, self.prefix))
            case "source show":
                source = engine.source(guild, flags["id"])
                page = _page(flags.get("page", "1"))
                return Reply(replies.source_page(source, page, self.prefix))
            case "source remove":
                source = await engine.curator.remove_source(guild, flags["id"], actor)
                return Reply(replies.source_removed(source, self.prefix))
            case "source restore":
                source = await engine.curator.restore_source(guild, flags["id"], actor)
                return Reply(replies.source_restored(source))
            case "source add":
                text = flags.get("text") or _document(flags.get("file"))
                source = await engine.curator.add_source(
                    guild, title=flags["title"], text=text, url=flags.get("url"), actor=actor
                )
                return Reply(replies.registered(source))
            case "fact attach":
                question = await self._which(flags.get("question"), guild)
                fact, question = await engine.curator.add_phrasing(
                    guild, flags["id"], question, actor
                )
                return Reply(replies.aliased(fact, question))
            case "fact ignore":
                question = await self._which(flags.get("question"), guild)
                question = await engine.curator.mark_out_of_scope(guild, question, actor)
                return Reply(replies.ignored(question))
            case "fact unignore":
                question = await engine.curator.unmark_out_of_scope(guild, flags["question"])
                return Reply(replies.unignored(question))
            case "unanswered":
                return Reply(replies.unanswered(await engine.unanswered(guild), self.prefix))
            case "unsure":
                return Reply(replies.unsure(await engine.unsure(guild), self.prefix))
        raise AssertionError(f"unhandled command {command}")  # pragma: no cover


def _document(path: str | None) -> str:
    """`source add file: …` in the console: a .txt or .md file on this machine, in place of
    a Discord attachment."""
    if not path:
        raise BadInput(f"Give the document as `text:`, or `file:` naming {documents.KINDS}.")
    file = Path(path).expanduser()
    try:
        data = file.read_bytes()
    except OSError as error:
        raise BadInput(f"{path}: {error.strerror or 'cannot be read'}.") from None
    return documents.document_text(file.name, data)


def _page(given: str) -> int:
    if not given.strip().isdigit():
        raise BadInput("`page:` is not valid: give a number, like `page: 2`.")
    return int(given)
