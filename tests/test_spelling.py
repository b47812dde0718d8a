"""The speller fixes slips towards the knowledge base's words and leaves real words alone."""

from __future__ import annotations

import pytest

from bot.spelling import Speller


@pytest.fixture
def speller() -> Speller:
    known = {"scale", "meta", "pay", "much", "how", "investment", "change"}
    speller = Speller(known, names=frozenset({"meta"}), knows_stem=lambda stemmed: False)
    speller.learn(["scale", "scale", "meta", "pay", "much", "how", "investment"])
    return speller


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("scael", "scale"),  # two letters swapped
        ("investmnet", "investment"),  # in a long word, two slips
        ("metl", "meta"),  # any slip in a four-letter name
        ("pya", "pay"),  # a rare dictionary word that is a swap of the facts' word
        ("hw", "how"),  # typed without vowels
        ("mch", "much"),
    ],
)
def test_a_slip_becomes_the_word_the_facts_use(speller: Speller, typed: str, meant: str) -> None:
    assert speller.correct(typed) == meant


@pytest.mark.parametrize("typed", ["charge", "giphy", "cto", "suing"])
def test_real_words_and_unknown_names_are_left_alone(speller: Speller, typed: str) -> None:
    assert speller.correct(typed) == typed


def test_a_message_has_its_chat_words_respelled_and_nothing_else(speller: Speller) -> None:
    """Frames and openers are read on the text, so their slips are fixed there first."""
    assert speller.respelled("soeone said Scael paid") == "someone said Scael paid"
    assert speller.respelled("our team wantj to know, see wantj.com") == (
        "our team want to know, see wantj.com"
    )


def test_a_word_drawn_out_is_read_as_typed_plainly(speller: Speller) -> None:
    assert speller.respelled("heyyy sooo how muuuch") == "hey so how much"
    assert speller.respelled("scaaale") == "scale"
    # Not a link, and not a run of two: "www.techcrunch.com", "google".
    assert speller.respelled("www.techcrunch.com google") == "www.techcrunch.com google"


def test_a_unit_after_a_number_is_read_as_a_unit(speller: Speller) -> None:
    assert speller.correct_after("14.3", "billon") == "billion"
    assert speller.correct_after("the", "billon") == "billon"
