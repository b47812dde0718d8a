"""Which part of a chat message is the question (bot/framing.py)."""

from __future__ import annotations

import pytest

from bot.framing import the_question


def test_a_question_taken_back_is_not_read() -> None:
    asked = "what's google's budget, wait no, what did meta pay"
    assert the_question(asked) == "what did meta pay"
    assert the_question("how much did google spend? nvm") == "how much did google spend?"


@pytest.mark.parametrize(
    ("message", "asked"),
    [
        ("my boss wants to know if scale will keep data safe", "scale will keep data safe"),
        ("our legal team is asking whether scale stays independent", "scale stays independent"),
        ("for our board deck I need the size of meta's stake", "the size of meta's stake"),
        ("quick sanity check for a memo: meta paid 14.3b?", "meta paid 14.3b?"),
        ("as a scale customer, is our data safe?", "as a scale customer, is our data safe?"),
        ("i read on twitter that meta paid 14.3b, right?", "meta paid 14.3b, right?"),
        ("someone in slack said meta paid 15b", "meta paid 15b"),
        ("scale says it stays independent", "scale says it stays independent"),
        ("i work at amazon, how much did meta pay?", "how much did meta pay?"),
        (
            "2 questions: how much did meta pay and where did wang go",
            "how much did meta pay and where did wang go",
        ),
        ("i'm from nvidia's ai team; what stake did meta take?", "what stake did meta take?"),
        ("for my story, what did meta pay?", "what did meta pay?"),
        (
            "is microsoft rethinking scale? would be great to know by eod",
            "is microsoft rethinking scale?",
        ),
        ("my friend at tesla asked me how much meta paid", "how much meta paid"),
        (
            "does scale work with hospitals, asking for a healthcare client",
            "does scale work with hospitals",
        ),
        ("is google leaving - asking because we use them", "is google leaving"),
        (
            "how much did google plan to spend, for context we're sizing",
            "how much did google plan to spend",
        ),
    ],
)
def test_who_a_question_is_asked_for_is_not_read(message: str, asked: str) -> None:
    assert the_question(message) == asked


@pytest.mark.parametrize(
    ("message", "asked"),
    [
        ("hey, i read on twitter that meta paid 14.3b, right?", "meta paid 14.3b, right?"),
        ("quick q: my boss wants to know if scale is ok", "scale is ok"),
        ("ok so, for my story, what did meta pay?", "what did meta pay?"),
        ("hi there - 2 questions: who and what", "who and what"),
        ("@FactBot saw the news. how much did meta pay?", "how much did meta pay?"),
        ("can you tell me 1) who 2) what", "1) who 2) what"),
        ("also, btw, i read on twitter that meta paid 14.3b", "meta paid 14.3b"),
        ("one more: my boss wants to know if scale is ok", "scale is ok"),
        ("🤔 i read on twitter that meta paid 14.3b", "meta paid 14.3b"),
        ("please, for my story, what did meta pay?", "what did meta pay?"),
        ("dumb question, but who is scale's ceo", "who is scale's ceo"),
        ("I have a question: $14.3 B for 49%?", "$14.3 B for 49%?"),
        ("sorry if this was asked already, what did meta pay", "what did meta pay"),
        ("newbie here, what does scale do", "what does scale do"),
        ("what did meta pay (asking for a report)?", "what did meta pay?"),
        ("(sorry if dumb) what did meta pay", "what did meta pay"),
        ("what did meta (facebook) pay", "what did meta (facebook) pay"),
        ("questions about google", "questions about google"),
        ("good morning! meta stake size?", "meta stake size?"),
        ("out of curiosity, who is wang", "who is wang"),
        ("can anyone tell me meta's stake", "meta's stake"),
        ("meta's stake? any idea?", "meta's stake?"),
        ("how much did meta pay if you know", "how much did meta pay"),
        ("we use scale at work. meta stake size", "meta stake size"),
        ("we use scale. i read on twitter that meta paid 14.3b", "meta paid 14.3b"),
        ("lemme ask: who is wang", "who is wang"),
        ("I mean, also wanted to ask, who is wang", "who is wang"),
        ("one quick thing: who is wang", "who is wang"),
        ("thing is, google left", "thing is, google left"),
        ("sorry to bother you, quick one: who is wang", "who is wang"),
        ("can you check meta's stake for me, thx", "can you check meta's stake for me"),
        ("how much did meta pay? thanks!", "how much did meta pay?"),
        ("how much did meta pay pls", "how much did meta pay"),
        ("thank you so much", "thank you so much"),
        ("hiya! Q for the bot: who is wang", "who is wang"),
        ("i wanna know who is wang", "who is wang"),
        ("did scale reassure its customers in the article?", "did scale reassure its customers?"),
        ("what's in the article", "what's in the article"),
        ("do you know, i read on twitter that meta paid 14.3b", "meta paid 14.3b"),
        ("ok thanks", "ok thanks"),
        ("so what did meta pay", "what did meta pay"),
        ("keep it short: what did meta pay", "keep it short: what did meta pay"),
    ],
)
def test_how_a_message_opens_and_signs_off_is_not_read(message: str, asked: str) -> None:
    """A frame read at a message's start is read after "hey," or "quick q:" too, and
    "…, thx" is no clause; a greeting or thanks that is all the message says is left as it
    is."""
    assert the_question(message) == asked


def test_the_question_is_read_without_what_was_said_before_it() -> None:
    assert the_question("saw the news. how much did meta pay?") == "how much did meta pay?"
    # Here the question leans on the statement, so both stay.
    leaning = "I heard meta paid 14.3b. is that right?"
    assert the_question(leaning) == leaning
    # So does a question about someone the statement names.
    pointing = "i keep seeing alexandr wang's name everywhere. where did he end up"
    assert the_question(pointing) == pointing
    assert the_question("scale is under pressure. are they cutting jobs").startswith("scale")
    # "their" late in a question points at what it says itself.
    own = "we use scale at work. are tech giants rethinking their ai bets"
    assert the_question(own) == "are tech giants rethinking their ai bets"
