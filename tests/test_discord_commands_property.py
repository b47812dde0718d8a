"""Every Discord command, with flags hypothesis writes: missing, repeated, empty, huge,
control characters, right-to-left overrides, mentions. No exception escapes to the member
(each failure is explained in one line), and a refused command writes no row."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from discord.ext import commands
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.discord_bot.errors import explain
from tests.conftest import DiscordHarness

CURATED = ("facts", "phrasings", "citations", "fact_history", "sources", "sentences")
CURATED += ("out_of_scope", "guild_settings", "answer_channels", "moderator_roles")

_odd = st.sampled_from(
    [
        "",
        " ",
        "s1",
        "s24",
        "#1",
        "#999",
        "meta-investment",
        "on",
        "off",
        "\x00",
        "\u202eevil",
        "\u200b",
        "@everyone",
        "<@123>",
        "x" * 1500,
        "answer:",
        "id: id:",
        "https://example.com/a",
    ]
)
_plain = st.sampled_from(
    ["what is the wifi password", "Ask at reception.", "wifi", "Handbook", "s2", "#1", "on"]
)
value = st.one_of(_plain, _plain, _odd, st.text(max_size=60), st.text(st.characters(), max_size=12))


def _flag_names(command: commands.Command[object, ..., object]) -> list[str]:
    for param in command.clean_params.values():
        converter = param.converter
        if isinstance(converter, type) and issubclass(converter, commands.FlagConverter):
            return list(converter.get_flags())
    return []


@st.composite
def command_line(draw: st.DrawFn, names: list[tuple[str, list[str]]]) -> str:
    name, flags = draw(st.sampled_from(names))
    parts = [f"!{name}"]
    if not flags:
        parts.append(draw(value))
    elif draw(st.booleans()):  # every flag once, in any order: often a valid command
        parts += [f"{flag}: {draw(value)}" for flag in draw(st.permutations(flags))]
    else:  # flags missing, repeated or unknown
        chosen = draw(st.lists(st.sampled_from([*flags, "bogus"]), max_size=5))
        parts += [f"{flag}: {draw(value)}" for flag in chosen]
    return " ".join(parts)


def _counts(db_path: Path) -> dict[str, int]:
    with sqlite3.connect(db_path) as connection:
        return {t: connection.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in CURATED}


@pytest.fixture
def every_command(discord_bot: DiscordHarness) -> list[tuple[str, list[str]]]:
    return [
        (c.qualified_name, _flag_names(c))
        for c in discord_bot.bot.walk_commands()
        if not isinstance(c, commands.Group) and c.name != "help"
    ]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
async def test_no_command_input_escapes_or_leaves_rows_on_refusal(
    discord_bot: DiscordHarness,
    db_path: Path,
    every_command: list[tuple[str, list[str]]],
    data: st.DataObject,
) -> None:
    line = data.draw(command_line(every_command))
    role = data.draw(st.sampled_from(["moderator", "moderator", "member"]))
    failures: list[tuple[commands.Context[object], Exception]] = []

    async def failed(ctx: commands.Context[object], error: Exception) -> None:
        failures.append((ctx, error))

    discord_bot.bot.add_listener(failed, "on_command_error")
    try:
        before = _counts(db_path)
        replies = await discord_bot.say(line, role=role)
    finally:
        discord_bot.bot.remove_listener(failed, "on_command_error")

    assert replies, f"no reply to {line!r}"
    for reply in replies:
        assert "Something went wrong" not in reply.text, line
        assert "\x00" not in reply.text
        assert "\u202e" not in reply.text
    for ctx, error in failures:
        assert explain(ctx, error) is not None, f"{line!r} raised {error!r}"
    if failures:
        assert _counts(db_path) == before, f"{line!r} was refused but wrote rows"
    event("refused" if failures else "carried out")


async def test_nul_and_right_to_left_overrides_never_reach_a_fact(
    discord_bot: DiscordHarness,
) -> None:
    (added,) = await discord_bot.say(
        "!fact add question: who signs\x00 visitors in answer: The front\u202e desk\x00 does. "
        "cite: s2 id: visitors",
        role="moderator",
    )
    assert added.text.endswith(": The front desk does."), added.text
    fact = discord_bot.bot.engine.library.get(discord_bot.guilds[0].id, "visitors")
    assert fact is not None
    assert (fact.answer, fact.questions) == ("The front desk does.", ("who signs visitors in",))
