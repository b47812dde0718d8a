"""Long knowledge still reaches the member: Discord refuses a whole message past its limits
(2,000 characters of text; an embed of 6,000), so every reply is cut to fit. The harness
fails any test whose bot sends more (``within_discord_limits``)."""

from __future__ import annotations

import datetime as dt

import discord
from hypothesis import given
from hypothesis import strategies as st

from bot import replies
from bot.models import Answer, HistoryEntry, Suggestion
from tests.conftest import DiscordHarness

CLAUSE = "staff who travel for the company keep every receipt and file it within a week"


def _sentence(n: int) -> str:
    return f"Travel rule {n} says that " + ", and ".join([CLAUSE] * 4) + "."


def _phrasing(n: int) -> str:
    return f"what does travel rule {n} say about " + " and ".join([CLAUSE] * 3) + "?"


async def test_long_knowledge_is_cut_to_what_discord_takes(discord_bot: DiscordHarness) -> None:
    bot = discord_bot
    handbook = "\n".join(_sentence(n) for n in range(1, 31)).encode()
    (registered,) = await bot.say(
        "!source add title: Travel handbook", role="moderator", files={"travel.txt": handbook}
    )
    assert "with 30 sentences" in registered.text
    cites = ", ".join(f"travel-handbook:s{n}" for n in range(1, 31))
    answer = "Keep every receipt and file it within a week. " * 20
    (added,) = await bot.say(
        f"!fact add id: travel-rules question: what are the travel rules? answer: {answer} "
        f"cite: {cites}",
        role="moderator",
    )
    assert added.text.startswith("Added `travel-rules` citing travel-handbook:s1, ")
    rows = [f"expense-rules,{_phrasing(n)}," for n in range(1, 13)]
    rows[0] += "Expenses are paid back within a month."
    faq = "fact_id,question,answer\n" + "\n".join(rows) + "\n"
    (imported,) = await bot.say("!fact import", role="moderator", files={"faq.csv": faq.encode()})
    assert "12 phrasings" in imported.text

    (answered,) = await bot.say("!ask what are the travel rules?")
    assert answered.embed is not None
    assert answered.embed.description == answer.strip()
    assert answered.embed.fields[0].value.startswith("> Travel rule 1 says that staff")
    assert answered.embed.fields[-1].value.endswith("more cited sentences.")

    (shown,) = await bot.say("!fact show id: travel-rules", role="moderator")
    assert shown.embed is not None
    assert shown.embed.title == "travel-rules"
    assert [f.name for f in shown.embed.fields][-2:] == ["Asked", "Feedback"]

    (history,) = await bot.say("!fact history id: expense-rules", role="moderator")
    assert history.text.startswith("History of `expense-rules`:\n")
    assert "by moderator" in history.text

    for n in range(1, 11):
        await bot.say(f"!ask zorblax {n} " + "quibbly florp wuzzle " * 22)
    (unanswered,) = await bot.say("!unanswered", role="moderator")
    assert unanswered.text.startswith("Unanswered questions:\n#1 1× zorblax")
    assert "more." in unanswered.text
    assert unanswered.text.endswith("with `!fact ignore question: #1`.")


def test_long_suggestions_are_offered_as_far_as_they_fit() -> None:
    long = "what does the handbook say about " + " and ".join([CLAUSE] * 5) + "?"  # 439 characters
    answer = Answer(
        question="travel?",
        answered=False,
        confidence=30,
        suggestions=tuple(Suggestion(fact_id=f"f{n}", question=long) for n in range(3)),
    )
    said = replies.not_answered(answer, "!")
    assert len(said) <= replies.MESSAGE_LIMIT
    assert said.startswith(f"I don't know that one.\nDid you mean:\n• {long} (`!ask {long}`)")
    assert said.endswith("…and 1 more.")  # the third would pass 2,000 characters


@given(st.text(alphabet="ab *_~`|\\", max_size=60), st.integers(min_value=2, max_value=40))
def test_an_escaped_quote_is_cut_before_it_is_escaped(text: str, limit: int) -> None:
    """Cut after escaping, "5\\*3" could end as "5\\…": a stray backslash on screen."""
    escape = discord.utils.escape_markdown
    shown = replies.clip(text, limit, escape)
    assert len(shown) <= limit
    cut_before_escaping = (escape(text[:n]) + "…" for n in range(len(text)))
    assert shown == escape(text) or shown in cut_before_escaping


def test_a_long_history_keeps_its_newest_changes() -> None:
    """Each change names every phrasing it added: the oldest give way, counted, so the
    numbers `fact revert` takes are the latest ones."""
    at = dt.datetime(2026, 12, 5, 12, 0)
    before = {
        "answer": "a",
        "questions": ["q"],
        "cites": ["s:s1"],
        "keywords": [],
        "removed": False,
    }
    entries = [
        HistoryEntry(
            fact_id="f", guild_id=1, action="alias", actor="mod", at=at, before=before,
            after={**before, "questions": ["q", f"phrasing {n} " + "words " * 30]},
        )
        for n in range(1, 41)
    ]  # fmt: skip
    text = replies.history("f", entries, "!")
    assert len(text) <= 2000
    lines = text.splitlines()
    assert lines[0] == "History of `f`:"
    assert lines[1].startswith("(")
    assert lines[1].endswith("earlier changes before these)")
    assert lines[-2].startswith("#40 ")
    assert lines[-1] == "Go back with `!fact revert id: f to: N`."
    shown = int(lines[1][1:].split()[0])
    assert lines[2].startswith(f"#{shown + 1} ")
