"""Answers and facts as Discord embeds, within Discord's size limits."""

from __future__ import annotations

import discord

from bot.models import Answer, Citation, Fact
from bot.rendering import ASK_BACK, NOT_ANSWERED
from bot.store import FactStats

COLOUR = discord.Colour.blurple()
FIELD_LIMIT = 1024
MAX_CITATION_FIELDS = 10


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _quote(citation: Citation) -> tuple[str, str]:
    name = _clip(f"{citation.title} · {citation.sentence_id}", 256)
    where = f"\n— [{citation.source_id}]({citation.url})" if citation.url else ""
    body = _clip("> " + citation.text, FIELD_LIMIT - len(where))
    return name, body + where


def answer_embed(answer: Answer) -> discord.Embed:
    embed = discord.Embed(description=_clip(answer.answer or "", 4096), colour=COLOUR)
    for citation in answer.citations[:MAX_CITATION_FIELDS]:
        name, value = _quote(citation)
        embed.add_field(name=name, value=value, inline=False)
    embed.set_footer(text=f"{answer.fact_id} · confidence {answer.confidence:.0f}%")
    return embed


def not_answered_text(answer: Answer, prefix: str) -> str:
    lines = [ASK_BACK if answer.ambiguous else NOT_ANSWERED]
    if answer.suggestions:
        lines.append("Did you mean:")
        lines += [f"• {s.question} (`{prefix}ask {s.question}`)" for s in answer.suggestions]
    return "\n".join(lines)


def fact_embed(
    fact: Fact, citations: list[Citation], stats: FactStats, *, local: bool
) -> discord.Embed:
    origin = "this server's own" if local else "shipped with FactBot"
    state = " (removed)" if fact.removed else ""
    embed = discord.Embed(
        title=f"{fact.id}{state}", description=_clip(fact.answer, 4096), colour=COLOUR
    )
    questions = "\n".join(f"• {q}" for q in fact.questions)
    embed.add_field(name="Asked as", value=_clip(questions, FIELD_LIMIT), inline=False)
    for citation in citations[:MAX_CITATION_FIELDS]:
        name, value = _quote(citation)
        embed.add_field(name=name, value=value, inline=False)
    embed.add_field(name="Asked", value=f"{stats.asked} times", inline=True)
    embed.add_field(
        name="Feedback", value=f"👍 {stats.helpful} · 👎 {stats.unhelpful}", inline=True
    )
    embed.set_footer(text=origin)
    return embed
