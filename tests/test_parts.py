"""Where a message splits into questions of its own, and where it is one question with its
circumstances (bot/parts.py). Examples from no knowledge base in particular."""

from __future__ import annotations

import pytest

from bot.parts import asks, parts_of


@pytest.mark.parametrize(
    ("message", "parts"),
    [
        (
            "how many vacation days do I get and who runs payroll?",
            ["how many vacation days do i get", "who runs payroll"],
        ),
        ("parking permits? visitor badges?", ["parking permits", "visitor badges"]),
        ("where do I park\nwhen does lunch start", ["where do i park", "when does lunch start"]),
        ("where do I park; when does lunch start", ["where do i park", "when does lunch start"]),
    ],
)
def test_several_questions_split(message: str, parts: list[str]) -> None:
    assert parts_of(message) == parts


@pytest.mark.parametrize(
    "message",
    [
        "what do acme and globex sell",
        # What comes around a question is its circumstances, not another question.
        "I ordered my badge a week ago and it still isn't here? What do I do?",
        "Can I use my old badge again? I just found it.",
        "I booked a room and noticed the price was wrong.",
        "hi! where do I park?",
        "what is x? what is y? what is z? what is w?",  # more than three: one message
    ],
)
def test_one_question_stays_whole(message: str) -> None:
    assert parts_of(message) == [message]


@pytest.mark.parametrize(
    "message",
    [
        "parking permits?",
        "where do I park",
        "anyone know who runs payroll",
        "tell me the wifi password",
        "Badge is broken again. Who do I call",
        "whats the guest wifi",
    ],
)
def test_a_message_that_asks(message: str) -> None:
    assert asks(message)


@pytest.mark.parametrize(
    "message",
    [
        "the new badges are great",
        "I read that payroll moved to Fridays",
        "wow, parking is free now!",
        "thanks",
        "",
    ],
)
def test_a_message_that_only_tells(message: str) -> None:
    """In an answer channel the bot leaves these alone, however sure of a fact it is."""
    assert not asks(message)
