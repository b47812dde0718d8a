"""What the bot says back to curating commands, in words shared by every front end.

Discord and the text-command interpreter (``factbot chat`` / ``factbot replay``) use the
same sentences, so a transcript's expectations hold in both.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from rapidfuzz import process

from bot.answering import Judged
from bot.chatter import Chatter, chatter
from bot.engine import FactView
from bot.errors import BadInput
from bot.models import Answer, Citation, Fact, HistoryEntry, Sentence, Source
from bot.rendering import ASK_BACK, NOT_ANSWERED, counted, left_out
from bot.store import DislikedAnswer, FactStats, UnansweredQuestion, UnsureAnswer

NOT_MODERATOR = (
    "Only moderators can change facts (the moderator role, Manage Messages or Manage Server)."
)
SOURCE_PREVIEW = 10
CHANGE_LIMIT = 80
"""How much of a changed value a history line shows."""
FIELD_LIMIT = 1024
"""Discord's limit for one embed field's value; replies keep to it everywhere."""
MESSAGE_LIMIT = 2000
"""Discord's limit for a message's text. A reply past it is refused whole, so the member
would see nothing: every reply here keeps to it."""


WELCOME = "You're welcome!"
HELLO = "Hi! I answer questions from this server's facts and quote the sources they come from."
"""What the bot says to thanks, and to a greeting or "what can you do?" (then how to ask)."""


Escape = Callable[[str], str]
"""Makes words show as written where they are read as markup (Discord's markdown)."""


def _as_is(text: str) -> str:
    return text


def clip(text: str, limit: int, escape: Escape = _as_is) -> str:
    """``text`` escaped, in at most ``limit`` characters: cut (with "…") before it is
    escaped, so that no escape is cut in two."""
    room = limit
    while len(shown := escape(text if len(text) <= room else text[: room - 1] + "…")) > limit:
        room = max(room - (len(shown) - limit), 1)
    return shown


def listed(head: str, lines: Sequence[str], foot: str = "", limit: int = MESSAGE_LIMIT) -> str:
    """``head``, then as many ``lines`` as fit within ``limit`` characters and a count of
    the rest, then ``foot``. A list is cut between its lines; only a first line too long
    to fit alone is clipped."""
    more = "…and {} more."
    room = limit - len(head) - len(foot) - len(more.format(len(lines))) - 3
    shown: list[str] = []
    for line in lines:
        line = line if shown else clip(line, room - 1)
        if len(line) + 1 > room:
            break
        shown.append(line)
        room -= len(line) + 1
    if len(shown) < len(lines):
        shown.append(more.format(len(lines) - len(shown)))
    return "\n".join(part for part in (head, *shown, foot) if part)


OTHER_WAYS_TO_ASK = (
    "Ask for someone: on their message, Apps → Ask FactBot. Follow up by replying to my "
    "answer. Edit a question I answered and my reply follows."
)


def cooldown(retry_after: float) -> str:
    return f"Easy there: you can ask again in {retry_after:.0f} s."


def flag_usage(flags: Iterable[tuple[str, bool]]) -> str:
    """``id: … [answer: …]`` from (name, required) pairs: how flags are typed, worded alike
    in Discord's help and usage lines and in `factbot chat`'s."""
    return " ".join(f"{name}: …" if required else f"[{name}: …]" for name, required in flags)


def unknown_command(typed: str, commands: Iterable[str], prefix: str) -> str:
    """A command nobody has, named by its first word, with the nearest one there is."""
    close = process.extractOne(typed, list(commands), score_cutoff=70) if typed else None
    hint = f" Did you mean `{prefix}{close[0]}`?" if close else ""
    first = clip(typed.split()[0], 40) if typed.strip() else ""
    return f"I don't know the command `{first}`.{hint} Try `{prefix}help`."


def citation_field(
    citation: Citation, limit: int = FIELD_LIMIT, escape: Escape = _as_is
) -> tuple[str, str]:
    """A cited sentence as (heading, quote): the source and sentence id, then the words,
    the quote clipped so that the whole value keeps within ``limit`` characters."""
    name = clip(f"{citation.title} · {citation.sentence_id}", 256)
    where = f"\n— [{citation.source_id}]({citation.url})" if citation.url else ""
    return name, "> " + clip(citation.text, max(limit - len(where) - 2, 40), escape) + where


def answer_footer(answer: Answer) -> str:
    return f"{answer.fact_id} · confidence {answer.confidence:.0f}% · 👍/👎?"


def answer_message(answer: Answer, escape: Escape = _as_is) -> str:
    """An answer as a message's text, for where the bot may not send embeds: the answer,
    each cited sentence quoted (as written: ``escape``) with where it is from, then the
    embed's footer line."""
    cited = [
        f"> {escape(c.text)}\n— {c.title} · {c.sentence_id}" + (f" <{c.url}>" if c.url else "")
        for c in answer.citations
    ]
    # At most half the message: the rest is for the sentences it cites.
    said = clip(answer.answer or "", MESSAGE_LIMIT // 2)
    if note := left_out(answer, escape):
        said += "\n" + clip(note, 500)
    return listed(said, cited, answer_footer(answer))


def not_answered(
    answer: Answer,
    prefix: str,
    escape: Escape = _as_is,
    *,
    example: Callable[[], str | None] | None = None,
    buttons: bool = False,
) -> str:
    """No answer: say so, then offer the nearest facts as questions to ask instead (each
    with the command that asks it, unless it comes with ``buttons`` that do).

    ``example``, given when the message was said to the bot itself: a question it can
    answer, to offer when the message greets or thanks it (then answered in kind)."""
    if example is not None and (kind := chatter(answer.question)) is not None:
        return chatted(kind, prefix, example(), escape)
    said = ASK_BACK if answer.ambiguous else NOT_ANSWERED
    if not answer.suggestions:
        return said
    offered = [
        f"• {escape(s.question)}" + ("" if buttons else f" (`{prefix}ask {s.question}`)")
        for s in answer.suggestions
    ]
    return listed(f"{said}\nDid you mean:", offered)


def chatted(kind: Chatter, prefix: str, example: str | None, escape: Escape = _as_is) -> str:
    """The reply to thanks, or to a greeting (or "what can you do?"): how to ask, with a
    question the bot can answer."""
    if kind is Chatter.THANKS:
        return WELCOME
    hello = HELLO
    if example is not None:
        hello += f" Ask me something, for example: {clip(example, 300, escape)}"
    return f"{hello}\n`{prefix}help` lists what I can do."


def fact_fields(
    fact: Fact, citations: Sequence[Citation], stats: FactStats
) -> list[tuple[str, str]]:
    fields = [("Asked as", clip("\n".join(f"• {q}" for q in fact.questions), FIELD_LIMIT))]
    fields += [citation_field(c) for c in citations]
    fields += [
        ("Asked", f"{stats.asked} times"),
        ("Feedback", f"👍 {stats.helpful} · 👎 {stats.unhelpful}"),
    ]
    return fields


def fact_origin(view: FactView) -> str:
    return "this server's own" if view.local else "shipped with FactBot"


def added(fact: Fact) -> str:
    cited = ", ".join(str(ref) for ref in fact.cites)
    return clip(f"Added `{fact.id}` citing {cited}: {fact.answer}", MESSAGE_LIMIT)


def aliased(fact: Fact, question: str) -> str:
    return f"`{fact.id}` now also answers “{question.strip()}”."


def unaliased(fact: Fact, question: str) -> str:
    return f"`{fact.id}` no longer answers “{question}” (it was one of its phrasings)."


def updated(fact: Fact) -> str:
    return clip(f"Updated `{fact.id}`: {fact.answer}", MESSAGE_LIMIT)


def restored(fact: Fact) -> str:
    return clip(f"Restored `{fact.id}`: {fact.answer}", MESSAGE_LIMIT)


def reverted(fact: Fact, to: int, prefix: str) -> str:
    if fact.removed:
        return (
            f"`{fact.id}` is as it was after change #{to}: removed. "
            f"Bring it back with `{prefix}fact restore id: {fact.id}`."
        )
    return clip(f"`{fact.id}` is as it was after change #{to}: {fact.answer}", MESSAGE_LIMIT)


def removed(fact: Fact, prefix: str) -> str:
    return f"Removed `{fact.id}`. Bring it back with `{prefix}fact restore id: {fact.id}`."


def source_removed(source: Source, prefix: str) -> str:
    return (
        f"Removed source `{source.id}`: facts here can no longer cite it. "
        f"Bring it back with `{prefix}source restore id: {source.id}`."
    )


def source_restored(source: Source) -> str:
    return f"Restored source `{source.id}`: facts here can cite it again."


def registered(source: Source) -> str:
    ids = [s.id for s in source.sentences]
    preview = "\n".join(f"`{s.id}` {s.text[:90]}" for s in source.sentences[:SOURCE_PREVIEW])
    more = f"\n…and {len(ids) - SOURCE_PREVIEW} more." if len(ids) > SOURCE_PREVIEW else ""
    span = ids[0] if len(ids) == 1 else f"{ids[0]}–{ids[-1]}"
    return (
        f"Registered `{source.id}` with {counted(len(ids), 'sentence')} ({span}). "
        f"Cite them as `{source.id}:s1`.\n{preview}{more}"
    )


PAGE = 15
"""Lines a page of a list shows: 15 lines of at most 120 characters fit a message."""

T = TypeVar("T")


def paged(
    items: Sequence[T],
    page: int,
    command: str,
    prefix: str = "!",
    limit: int = MESSAGE_LIMIT,
    line: Callable[[T], str] = str,
) -> str:
    """Page ``page`` of ``items``, each shown as its ``line``, and the command that shows
    the next page, in at most ``limit`` characters. Only the page's items are worded: a
    server may have 100,000 facts."""
    pages = max(1, -(-len(items) // PAGE))
    if not 1 <= page <= pages:
        raise BadInput(f"`page:` goes from 1 to {pages}.")
    shown = [clip(line(item), 120) for item in items[(page - 1) * PAGE : page * PAGE]]
    foot = f"Page {page} of {pages}." if pages > 1 else ""
    if page < pages:
        foot += f" Next: `{prefix}{command} page: {page + 1}`"
    return listed("", shown, foot, limit)


def fact_list(
    views: Sequence[FactView], page: int = 1, prefix: str = "!", escape: Escape = _as_is
) -> str:
    """A page of one line per fact, and how to see the next one."""

    def line(view: FactView) -> str:
        own = " ✎" if view.local else ""
        return f"`{view.fact.id}`{own} — {escape(view.fact.canonical_question)}"

    return paged(views, page, "fact list", prefix, line=line) or "No facts."


def source_list(sources: Sequence[Source], page: int = 1, prefix: str = "!") -> str:
    """A page of the sources facts here may cite."""

    def line(source: Source) -> str:
        return f"`{source.id}` — {source.title} ({counted(len(source.sentences), 'sentence')})"

    hint = f"See one's sentences: `{prefix}source show id: …`"
    body = paged(sources, page, "source list", prefix, MESSAGE_LIMIT - len(hint) - 1, line)
    return f"{body or 'No sources.'}\n{hint}"


def source_page(source: Source, page: int = 1, prefix: str = "!", escape: Escape = _as_is) -> str:
    """A source's title and where it is from, then a page of its sentences (as written:
    ``escape``) with their ids: what a moderator cites."""
    where = f" <{source.url}>" if source.url else ""
    gone = f" — removed: `{prefix}source restore id: {source.id}`" if source.removed else ""
    head = clip(f"**{clip(source.title, 200)}** (`{source.id}`){where}{gone}", 400)

    def line(sentence: Sentence) -> str:  # a FAQ's source has a sentence for every answer
        return f"`{sentence.id}` {clip(sentence.text, 110, escape)}"

    command, room = f"source show id: {source.id}", MESSAGE_LIMIT - len(head) - 1
    return f"{head}\n{paged(source.sentences, page, command, prefix, room, line)}"


def search_results(matches: Sequence[Judged], escape: Escape = _as_is) -> str:
    if not matches:
        return "No fact matches that."
    found = [
        f"`{m.fact.id}` ({m.percent:.0f}%) — {escape(m.fact.canonical_question)}" for m in matches
    ]
    return listed("", found)


def history(fact_id: str, entries: Sequence[HistoryEntry], prefix: str, limit: int = 15) -> str:
    """The latest changes (at most ``limit``, as many as fit), oldest first, numbered from
    the first as `fact revert` takes them; each names what changed, in short."""
    head = f"History of `{fact_id}`:"
    foot = f"Go back with `{prefix}fact revert id: {fact_id} to: N`." if len(entries) > 1 else ""
    lines = [
        f"#{n} {h.at:%Y-%m-%d %H:%M} **{h.action}** by {h.actor} {_change(h)}".rstrip()
        for n, h in enumerate(entries, start=1)
    ]
    # The newest changes matter most: the oldest make way when they do not all fit.
    shown = lines[-limit:]
    note_room = "(999 earlier changes before these)"
    while len(shown) > 1 and len("\n".join([head, note_room, *shown, foot])) > MESSAGE_LIMIT:
        shown = shown[1:]
    earlier = len(lines) - len(shown)
    note = [f"({counted(earlier, 'earlier change')} before these)"] if earlier else []
    return listed(head, [*note, *shown], foot)


def _change(entry: HistoryEntry) -> str:
    before, after = entry.before or {}, entry.after or {}
    parts = []
    for key in after if before else []:
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if key == "questions" and isinstance(old, list) and isinstance(new, list):
            said = []
            if added := [q for q in new if q not in old]:
                said.append("+ " + "; ".join(added))
            if gone := [q for q in old if q not in new]:
                said.append("− " + "; ".join(gone))
            parts.append(clip(" ".join(said), CHANGE_LIMIT))
        else:
            parts.append(f"{key}: {_short(old)} → {_short(new)}")
    return ", ".join(parts)


def _short(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)[:CHANGE_LIMIT]


Listed = TypeVar("Listed", DislikedAnswer, UnsureAnswer)


def _answers(
    rows: Sequence[Listed],
    mark: Callable[[Listed], str],
    escape: Escape,
    link: Callable[[Listed], str] | None,
) -> list[str]:
    """One line per answer: its number, ``mark``, the question, its fact and its link."""
    return [
        f"#{n} {mark(r)} “{escape(clip(r.question, 150))}” → `{r.fact_id}`"
        + (f" {link(r)}" if link else "").rstrip()
        for n, r in enumerate(rows, 1)
    ]


def disliked(
    rows: Sequence[DislikedAnswer],
    prefix: str = "!",
    escape: Escape = _as_is,
    link: Callable[[DislikedAnswer], str] | None = None,
) -> str:
    """Answers members marked 👎, each with where it is (``link``), and how to teach."""
    if not rows:
        return "No answer here has a 👎 left to deal with."
    return listed(
        "Answers members marked 👎, latest first:",
        _answers(rows, lambda r: f"{r.votes}× 👎", escape, link),
        f"Reply to one with `{prefix}fact attach id: …` (the fact that answers it) or "
        f"`{prefix}fact ignore` (leave it unanswered).",
    )


def unsure(
    rows: Sequence[UnsureAnswer],
    prefix: str = "!",
    escape: Escape = _as_is,
    link: Callable[[UnsureAnswer], str] | None = None,
) -> str:
    """The answers the bot was least sure of, each with where it is (``link``), and how to
    say whether it was right."""
    if not rows:
        return "No answer here is left to check."
    how = (
        f"Reply to one with `{prefix}fact attach id: …`"
        if link
        else f"Teach me with `{prefix}fact attach id: … question: …`"
    )
    leave = f"`{prefix}fact ignore`" if link else f"`{prefix}fact ignore question: …`"
    return listed(
        "Answers I was least sure of:",
        _answers(rows, lambda r: f"{r.confidence:.0f}%", escape, link),
        f"{how} (the fact that answers it: the same one if it was right) or {leave} "
        "(leave it unanswered).",
    )


def unanswered(
    rows: Sequence[UnansweredQuestion], prefix: str = "!", escape: Escape = _as_is
) -> str:
    if not rows:
        return "Every question asked here got an answer."
    return listed(
        "Unanswered questions:",
        [f"#{n} {r.times}× {escape(r.question)}" for n, r in enumerate(rows, 1)],
        f"Teach me one with `{prefix}fact attach id: … question: #1`, or tell me to leave it "
        f"with `{prefix}fact ignore question: #1`.",
    )


def ignored(question: str) -> str:
    return f"I'll leave questions like “{question}” unanswered."


def unignored(question: str) -> str:
    return f"I'll try to answer questions like “{question}” again."


def pack_switched(on: bool) -> str:
    if on:
        return "The shipped knowledge pack is on here again."
    return "The shipped knowledge pack is off here: I answer from this server's facts only."
