"""Transcript files: validation that names file and turn, `factbot replay`, `chat --record`."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.errors import BadInput
from bot.transcripts import load_transcript
from tests.conftest import CommandRunner

CONVERSATIONS = Path(__file__).parent / "conversations"


def test_a_bad_transcript_names_the_file_and_the_turn(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "title": "broken",
                "turns": [
                    {"say": "!ask hi"},
                    {"say": "!ask hi", "expect": {"answerd": True}},
                ],
            }
        )
    )
    with pytest.raises(BadInput) as error:
        load_transcript(path)
    assert str(error.value).startswith(f"{path}: turn 2, expect.answerd: Extra inputs")


def test_replay_passes_the_shipped_conversations(factbot: CommandRunner) -> None:
    result = factbot("replay", str(CONVERSATIONS / "meta-deal.yaml"))
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines()[-1] == "6 passed, 0 failed"


def test_replay_fails_with_file_turn_expected_and_actual(
    factbot: CommandRunner, tmp_path: Path
) -> None:
    """A knowledge base that changed under a transcript makes replay say exactly where."""
    path = tmp_path / "pay.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "title": "pay",
                "turns": [{"say": "!ask how much did meta pay", "expect": {"contains": ["$15B"]}}],
            }
        )
    )
    result = factbot("replay", str(path))
    assert result.returncode == 1
    assert (
        f"FAIL {path}, turn 1 ('!ask how much did meta pay'): expected it to contain '$15B'."
        in result.stdout
    )
    assert '  The bot replied: "Meta paid $14.3 billion for a 49% stake' in result.stdout
    assert result.stdout.splitlines()[-1] == "0 passed, 1 failed"


def test_replay_never_changes_the_database_it_checks(factbot: CommandRunner, db_path: Path) -> None:
    factbot("ask", "warm up")
    before = db_path.read_bytes()
    result = factbot("replay", str(CONVERSATIONS / "moderator-lifecycle.yaml"))
    assert result.returncode == 0, result.stdout
    assert db_path.read_bytes() == before


def test_replay_of_a_missing_file_is_bad_input(factbot: CommandRunner) -> None:
    result = factbot("replay", "nope.yaml")
    assert result.returncode == 2
    assert "nope.yaml: cannot read" in result.stderr


def test_replay_of_a_file_that_is_not_utf8_is_bad_input(
    factbot: CommandRunner, tmp_path: Path
) -> None:
    (tmp_path / "latin.yaml").write_bytes(b"turns: [\xff")
    result = factbot("replay", "latin.yaml")
    assert result.returncode == 2
    assert result.stderr.strip() == "factbot: latin.yaml: not UTF-8 text (byte 9)."


def test_chat_record_writes_a_transcript_that_replays(
    factbot: CommandRunner, tmp_path: Path
) -> None:
    """A good console conversation becomes a regression test in one step."""
    record = tmp_path / "recorded.yaml"
    chat = factbot(
        "chat",
        "--record",
        str(record),
        stdin="how much did meta pay\nwhat's the weather\n!fact show id: read-more\n\n",
    )
    assert chat.returncode == 0, chat.stderr
    transcript = load_transcript(record)
    assert [t.say for t in transcript.turns] == [
        "!ask how much did meta pay",
        "!ask what's the weather",
        "!fact show id: read-more",
    ]
    assert transcript.turns[0].expect.cites == ["scale-meta-article:s4"]
    assert transcript.turns[1].expect.answered is False
    replayed = factbot("replay", str(record))
    assert replayed.returncode == 0, replayed.stdout
