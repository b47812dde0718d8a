"""Every transcript in tests/conversations/ replayed through the real bot under dpytest.

One test per file, named after it. A failing turn names the file, the turn number, what
was expected and the reply the bot actually sent. The same files also replay through the
engine alone (what `factbot replay` does), so both front ends keep saying the same thing.
"""

from __future__ import annotations

from pathlib import Path

import discord.ext.test as dpytest
import pytest

from bot.rendering import ASK_BACK, NOT_ANSWERED
from bot.replies import HELLO, WELCOME
from bot.transcripts import Observed, check, failure, load_transcript, replay
from tests.conftest import Sent, discord_settings, start_bot

CONVERSATIONS = sorted((Path(__file__).parent / "conversations").glob("*.yaml"))


def observe(sent: list[Sent]) -> Observed:
    """What the bot sent in Discord, reduced to what expectations look at."""
    if not sent:
        return Observed.nothing()
    text = "\n".join(s.text for s in sent)
    embeds = [s.embed for s in sent if s.embed is not None]
    answered = any("confidence" in (e.footer.text or "") for e in embeds)
    if not answered and not text.startswith((NOT_ANSWERED, ASK_BACK, HELLO, WELCOME)):
        answered = None  # not a reply to a question at all
    citations = []
    fields = {}
    for embed in embeds:
        for f in embed.fields:
            name, value = f.name or "", f.value or ""
            fields[name] = value
            if value.startswith("> "):
                quote = value[2:].split("\n— [", 1)[0]
                citations.append((None, name.rsplit(" · ", 1)[-1], quote))
    return Observed(text, answered, tuple(citations), fields)


@pytest.mark.parametrize("path", CONVERSATIONS, ids=[p.stem for p in CONVERSATIONS])
async def test_conversation_in_discord(path: Path, db_path: Path) -> None:
    transcript = load_transcript(path)
    harness = await start_bot(discord_settings(db_path), guilds=tuple(transcript.guilds))
    harness.bot.settings.answer_channel_ids = [
        harness.channel(transcript.guilds.index(name)).id for name in transcript.answer_channels
    ]
    try:
        for number, turn in enumerate(transcript.turns, start=1):
            sent = await harness.say(
                turn.say, guild=transcript.guild_index(turn), role=turn.role, name=turn.name
            )
            seen = observe(sent)
            problems = check(turn.expect, seen)
            if problems:
                pytest.fail(failure(path.name, number, turn, problems, seen), pytrace=False)
    finally:
        await dpytest.empty_queue()
        await harness.bot.engine.close()


@pytest.mark.parametrize("path", CONVERSATIONS, ids=[p.stem for p in CONVERSATIONS])
async def test_conversation_through_the_engine(path: Path, db_path: Path) -> None:
    """`factbot replay` reaches the same verdicts without Discord."""
    results = await replay(load_transcript(path), db_path)
    failures = [
        failure(path.name, r.number, r.turn, r.problems, r.seen) for r in results if not r.passed
    ]
    assert not failures, "\n".join(failures)


def test_there_are_enough_conversations() -> None:
    assert len(CONVERSATIONS) >= 12
