"""What slash commands offer while an option is typed (Discord's autocomplete): questions
the bot knows, fact ids, sentences to cite, questions to attach or ignore, sources.

Each offer is a function of the interaction and what is typed so far, registered on its
commands' options in the cogs (``fact_show.autocomplete("id")(offers.fact_ids)``).
Discord shows up to 25 choices of up to 100 characters; a choice that would be cut
short is left out where its value matters, since cut it would name something else.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterable
from typing import TYPE_CHECKING, cast

import discord
from discord.app_commands import Choice

from bot.citing import sentences_holding
from bot.engine import WORTH_NAMING, Engine, check_question
from bot.errors import BadInput
from bot.models import GLOBAL, Source
from bot.replies import clip

if TYPE_CHECKING:
    from bot.discord_bot.client import FactBot

CHOICES = 25
CHOICE = 100

Offered = list[Choice[str]]


def _engine(interaction: discord.Interaction) -> Engine:
    return cast("FactBot", interaction.client).engine


async def known_questions(interaction: discord.Interaction, typed: str) -> Offered:
    """`/ask`: the questions of the facts what is typed seems to be about. Picking one asks
    it as a moderator worded it; what was typed can still be sent as it is."""
    try:
        question = check_question(typed)
    except BadInput:  # nothing typed yet, or nothing to read
        return []
    likely = _engine(interaction).candidates(question, interaction.guild_id or GLOBAL)
    worded = [j.fact.questions[0] for j in likely if j.percent >= WORTH_NAMING]
    return _offered(worded, "")


async def fact_ids(interaction: discord.Interaction, typed: str) -> Offered:
    """The facts a moderator may mean while typing an id, each with how it is asked."""
    return _facts(interaction, typed, removed=False)


async def removed_fact_ids(interaction: discord.Interaction, typed: str) -> Offered:
    """`fact restore`: the removed facts only."""
    return _facts(interaction, typed, removed=True)


async def any_fact_ids(interaction: discord.Interaction, typed: str) -> Offered:
    """`fact history`, `fact revert`: the facts, then the removed ones, which have a
    history too."""
    offered = _facts(interaction, typed, removed=False) + _facts(interaction, typed, removed=True)
    return offered[:CHOICES]


def _facts(interaction: discord.Interaction, typed: str, *, removed: bool) -> Offered:
    if interaction.guild_id is None:
        return []
    engine = _engine(interaction)
    facts = engine.fact_choices(interaction.guild_id, typed, removed=removed, limit=CHOICES)
    return [Choice(name=clip(f"{f.id} · {f.questions[0]}", CHOICE), value=f.id) for f in facts]


async def sentences(interaction: discord.Interaction, typed: str) -> Offered:
    """`cite:`: the sentences holding the words typed, so that moderators need not know
    ids. The ids typed before stay in front of the one picked ("s4 meta inv" → "s4 …:s7")."""
    if interaction.guild_id is None:
        return []
    citable = _engine(interaction).curator.citable(interaction.guild_id)
    # Words no sentence holds are looked for in every one: 5 ms a keystroke at 10,000
    # sentences, so in a worker thread, where the loop gets its turn every few ms.
    given, found = await asyncio.to_thread(sentences_holding, typed, citable, CHOICES)
    offered = []
    for sentence in found:
        ref = f"{sentence.source_id}:{sentence.id}"
        value = f"{given} {ref}".strip()
        if len(value) <= CHOICE:
            offered.append(Choice(name=clip(f"{ref} · {sentence.text}", CHOICE), value=value))
    return offered


async def unanswered_questions(interaction: discord.Interaction, typed: str) -> Offered:
    """`fact attach` and `fact ignore`: the questions of `unanswered` holding what is typed,
    most asked first."""
    if interaction.guild_id is None:
        return []
    rows = await _engine(interaction).unanswered(interaction.guild_id, limit=100)
    return _offered((r.question for r in rows), typed)


async def phrasings(interaction: discord.Interaction, typed: str) -> Offered:
    """`fact unalias`: the phrasings of the fact named in `id:` holding what is typed."""
    fact_id = getattr(interaction.namespace, "id", None)
    if interaction.guild_id is None or not fact_id:
        return []
    fact = _engine(interaction).library.visible_fact(interaction.guild_id, str(fact_id))
    return _offered(fact.questions if fact else (), typed)


async def changes(interaction: discord.Interaction, typed: str) -> Offered:
    """`fact revert`'s `to:`: the changes in the history of the fact named in `id:`, newest
    first, each as `fact history` shows it."""
    fact_id = getattr(interaction.namespace, "id", None)
    if interaction.guild_id is None or not fact_id:
        return []
    try:
        entries = await _engine(interaction).history(interaction.guild_id, str(fact_id))
    except BadInput:  # no such fact (yet: the id is still being typed)
        return []
    typed = typed.strip().removeprefix("#")
    newest_first = reversed(list(enumerate(entries, start=1)))
    matching = [(n, h) for n, h in newest_first if str(n).startswith(typed)][:CHOICES]
    return [
        Choice(
            name=clip(f"#{n} · {h.at:%Y-%m-%d %H:%M} {h.action} by {h.actor}", CHOICE), value=str(n)
        )
        for n, h in matching
    ]


async def ignored_questions(interaction: discord.Interaction, typed: str) -> Offered:
    """`fact unignore`: the questions marked out of scope here holding what is typed."""
    if interaction.guild_id is None:
        return []
    return _offered(_engine(interaction).library.out_of_scope(interaction.guild_id), typed)


async def source_ids(interaction: discord.Interaction, typed: str) -> Offered:
    """`source show`, `source remove`: the sources whose id or title holds what is typed."""
    if interaction.guild_id is None:
        return []
    return _sources_offered(_engine(interaction).sources(interaction.guild_id), typed)


async def removed_source_ids(interaction: discord.Interaction, typed: str) -> Offered:
    """`source restore`: the server's removed sources whose id or title holds what is typed."""
    if interaction.guild_id is None:
        return []
    return _sources_offered(_engine(interaction).removed_sources(interaction.guild_id), typed)


def _sources_offered(sources: Iterable[Source], typed: str) -> Offered:
    typed = typed.casefold().strip()
    found = [s for s in sources if typed in s.id or typed in s.title.casefold()]
    return [Choice(name=clip(f"{s.id} · {s.title}", CHOICE), value=s.id) for s in found[:CHOICES]]


def _offered(questions: Iterable[str], typed: str) -> Offered:
    """Questions holding what is typed, each its own choice."""
    typed = " ".join(typed.split()).casefold()
    held = (q for q in questions if typed in q.casefold() and len(q) <= CHOICE)
    return [Choice(name=q, value=q) for q in itertools.islice(held, CHOICES)]
