"""Answers and facts as Discord embeds, within Discord's size limits."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.discord_bot.checks import bot_may
from bot.engine import FactView
from bot.models import Answer, Citation
from bot.rendering import counted, left_out
from bot.replies import (
    MESSAGE_LIMIT,
    answer_footer,
    citation_field,
    clip,
    fact_fields,
    fact_origin,
    listed,
)
from bot.store import FactStats

COLOUR = discord.Colour.blurple()
MAX_FIELDS = 25
EMBED_LIMIT = 6000
"""Discord's limit for all of an embed's text together; past it the message is refused."""
ANSWER_LIMIT = 3000
"""An answer's share of the embed: the rest is kept for the sentences it cites."""
QUOTE_FLOOR = 200
"""Quotes are not shortened below this; cited sentences beyond are counted instead."""


def answer_embed(answer: Answer) -> discord.Embed:
    said = clip(answer.answer or "", ANSWER_LIMIT)
    if note := left_out(answer, as_written):
        said += "\n\n" + clip(note, 500)
    embed = discord.Embed(description=said, colour=COLOUR)
    embed.set_footer(text=answer_footer(answer))
    for name, value in citation_fields(answer.citations, EMBED_LIMIT - len(embed), MAX_FIELDS):
        embed.add_field(name=name, value=value, inline=False)
    return embed


def fact_embed(view: FactView, citations: list[Citation], stats: FactStats) -> discord.Embed:
    fact = view.fact
    state = " (removed)" if fact.removed else ""
    embed = discord.Embed(
        title=f"{fact.id}{state}", description=clip(fact.answer, ANSWER_LIMIT), colour=COLOUR
    )
    embed.set_footer(text=fact_origin(view))
    asked_as, asked, feedback = fact_fields(fact, (), stats)  # citations are fitted below
    room = EMBED_LIMIT - len(embed) - sum(len(n) + len(v) for n, v in (asked_as, asked, feedback))
    cited = citation_fields(citations, room, MAX_FIELDS - 3)
    for name, value in (asked_as, *cited, asked, feedback):
        embed.add_field(name=name, value=value, inline=name in {"Asked", "Feedback"})
    return embed


def citation_fields(citations: Sequence[Citation], room: int, most: int) -> list[tuple[str, str]]:
    """Cited sentences as at most ``most`` fields within ``room`` characters. Long quotes
    are shortened alike; those that would have to be shortened below ``QUOTE_FLOOR`` are
    left out and counted in a last field, but the first is always quoted."""
    for shown in range(min(len(citations), most), 0, -1):
        left = len(citations) - shown
        if left and shown == most:
            continue  # the count takes a field too
        tail = [("More", f"{counted(left, 'more cited sentence')}.")] if left else []
        fields = [citation_field(c, escape=as_written) for c in citations[:shown]]
        budget = room - sum(len(n) + len(v) for n, v in tail) - sum(len(n) for n, _ in fields)
        lengths = [len(v) for _, v in fields]
        level = _water_level(lengths, budget)
        if level >= min(QUOTE_FLOOR, max(lengths)) or shown == 1:
            return [citation_field(c, level, as_written) for c in citations[:shown]] + tail
    return []


def _water_level(lengths: Sequence[int], budget: int) -> int:
    """The largest cap such that the lengths, each cut to it, sum to at most ``budget``:
    short values keep all they have, and the long ones share what is left alike."""
    left = budget
    for i, length in enumerate(sorted(lengths)):
        share = left // (len(lengths) - i)
        if length > share:
            return share
        left -= length
    return max(lengths, default=0)


def as_written(text: str) -> str:
    """Someone else's words, shown as they were written: a quoted sentence's "5*3 and 4*2"
    or "__init__.py" must not turn into italics or underlining."""
    return discord.utils.escape_markdown(text)


def may_embed(channel: discord.abc.Messageable) -> bool:
    """Whether the bot may send embeds there: where a server denies it Embed Links, an
    embed shows nothing at all."""
    return bot_may(channel, "embed_links")


def embed_or_text(embed: discord.Embed, channel: discord.abc.Messageable) -> dict[str, object]:
    """What to send for ``embed`` in ``channel``: the embed, or where embeds are denied
    the same text as a message (``send(**embed_or_text(...))``)."""
    return {"embed": embed} if may_embed(channel) else {"content": as_text(embed)}


def as_text(embed: discord.Embed) -> str:
    """An embed's title, text, fields and footer as one message, cut between lines to fit."""
    head = f"**{embed.title}**" if embed.title else ""
    # The text's half, when fields share the message; cut between lines below either way.
    room = MESSAGE_LIMIT // 2 if embed.fields else MESSAGE_LIMIT
    lines = clip(embed.description or "", room).splitlines()
    for field in embed.fields:
        lines += [f"**{field.name}**", *(field.value or "").splitlines()]
    return listed(head, lines, embed.footer.text or "")
