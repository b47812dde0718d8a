"""Answers and facts as Discord embeds, within Discord's size limits."""

from __future__ import annotations

import discord

from bot.engine import FactView
from bot.models import Answer, Citation
from bot.replies import citation_field, clip, fact_fields, fact_origin
from bot.store import FactStats

COLOUR = discord.Colour.blurple()
MAX_FIELDS = 25


def answer_embed(answer: Answer) -> discord.Embed:
    embed = discord.Embed(description=clip(answer.answer or "", 4096), colour=COLOUR)
    for name, value in map(citation_field, answer.citations[: MAX_FIELDS - 1]):
        embed.add_field(name=name, value=value, inline=False)
    embed.set_footer(text=f"{answer.fact_id} · confidence {answer.confidence:.0f}% · 👍/👎?")
    return embed


def fact_embed(view: FactView, citations: list[Citation], stats: FactStats) -> discord.Embed:
    fact = view.fact
    state = " (removed)" if fact.removed else ""
    embed = discord.Embed(
        title=f"{fact.id}{state}", description=clip(fact.answer, 4096), colour=COLOUR
    )
    for name, value in fact_fields(fact, citations, stats)[:MAX_FIELDS]:
        embed.add_field(name=name, value=value, inline=name in {"Asked", "Feedback"})
    embed.set_footer(text=fact_origin(view))
    return embed
