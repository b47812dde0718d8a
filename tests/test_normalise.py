"""Different ways of typing the same thing become the same tokens."""

from __future__ import annotations

import pytest

from bot.normalise import (
    Normaliser,
    alternatives,
    asking_clauses,
    basic_tokens,
    one_line,
    roughly,
    split_question,
    surface_tokens,
    without_openers,
)


@pytest.mark.parametrize(
    "typed",
    [
        "$14.3B",
        "14.3 billion",
        "14,3 bn",
        "$14.3bn",
        "14.3 billion dollars",
        "$14,300,000,000",
        "14.3-billion",
    ],
)
def test_amounts_in_any_format_become_one_token(typed: str) -> None:
    """Every way of writing Meta's payment reads as 14.3b."""
    assert "14.3b" in surface_tokens(typed)


@pytest.mark.parametrize(
    ("typed", "token"),
    [
        ("fourteen billion", "14b"),
        ("two billion dollars", "2b"),
        ("two hundred million", "200m"),
        ("forty-nine percent", "49%"),
        ("fourteen point three billion", "14.3b"),
        ("14 and a half billion", "14.5b"),
        ("fourteen and a half billion", "14.5b"),
        ("14 point 3 billion", "14.3b"),
        ("14.3bln", "14.3b"),
        ("14.3 billions", "14.3b"),
        ("2 hundred million", "200m"),
        ("200 mln", "200m"),
        ("a fifth of a billion", "200m"),
        ("half a billion", "500m"),
        ("14.3 thousand million", "14.3b"),  # a British billion
        ("14,3 mrd", "14.3b"),  # a European one
        ("0.49 of scale", "49%"),
    ],
)
def test_amounts_spelt_out_become_digits(typed: str, token: str) -> None:
    assert token in surface_tokens(typed)


def test_amounts_offered_as_alternatives_share_their_unit() -> None:
    assert surface_tokens("was it 14.3 or 13.4 billion") == ["was", "it", "14.3b", "or", "13.4b"]


def test_amounts_names_and_words_can_be_offered_as_alternatives() -> None:
    assert alternatives(["49%", "or", "51%"]) == [frozenset({"49%", "51%"})]
    assert alternatives(["meta", "or", "googl"]) == [frozenset({"meta", "googl"})]
    assert alternatives(["calm", "or", "worri"]) == [frozenset({"calm", "worri"})]
    assert alternatives(["meta", "or", "not"]) == []
    assert alternatives(["49%", "or", "more"]) == []


def test_bounds_keep_their_direction() -> None:
    """ "over 10 billion" is any amount above 10b; "over the years" is no number."""
    assert surface_tokens("over 10 billion") == [">10b"]
    assert surface_tokens("less than half") == ["<50%"]
    assert surface_tokens("over the years") == ["over", "the", "years"]


@pytest.mark.parametrize(
    ("typed", "tokens"),
    [
        ("north of 10 billion", [">10b"]),
        ("just shy of 50%", ["just", "<50%"]),
        ("under a billion", ["<1b"]),
        ("more than a quarter of scale", [">25%", "of", "scale"]),
        ("in the tens of billions", ["in", "the", ">10b", "<100b"]),
        ("between 10 and 20 billion", [">10b", "<20b"]),
        ("10-20bn", [">10b", "<20b"]),
        ("40 to 60%", [">40%", "<60%"]),
        ("14+ billion", [">14b"]),
        ("14ish billion", ["14b"]),
        ("a billion-dollar question", ["a", "billion", "dollar", "question"]),
    ],
)
def test_rough_amounts_become_bounds(typed: str, tokens: list[str]) -> None:
    assert surface_tokens(typed) == tokens


def test_a_bound_holds_across_units() -> None:
    assert roughly("<1b", "200m")
    assert not roughly(">1b", "200m")


def test_a_number_typed_without_its_unit_is_the_facts_number_in_its_unit() -> None:
    """ "meta paid 14.3?" means the $14.3B; a unit that differs still rules it out."""
    assert roughly("14.3", "14.3b")
    assert roughly("200", "200m")
    assert not roughly("15", "14.3b")
    assert not roughly("14.3m", "14.3b")


def test_a_scale_word_alone_is_no_amount() -> None:
    """ "how many billions" asks for an amount; it does not name one."""
    assert surface_tokens("how many billions") == ["how", "many", "billions"]


def test_mentions_are_not_words() -> None:
    assert surface_tokens("@everyone <@123> how much") == ["how", "much"]


def test_a_lone_one_stays_a_word() -> None:
    """ "one of the biggest" is not the number 1."""
    assert surface_tokens("one of the biggest") == ["one", "of", "the", "biggest"]


@pytest.mark.parametrize(
    "typed", ["49%", "49 percent", "49 per cent", "49 pct", "49 pc", "49 out of 100"]
)
def test_percentages_become_one_token(typed: str) -> None:
    assert surface_tokens(typed) == ["49%"]


def test_millions_and_plain_numbers() -> None:
    assert surface_tokens("$200M, 200 million, 200 mil") == ["200m", "200m", "200m"]
    assert surface_tokens("in 2025") == ["in", "2025"]


def test_curly_quotes_possessives_and_invisible_characters_are_flattened() -> None:
    """Meta’s, Meta's and a zero-width joiner inside a word read the same."""
    assert basic_tokens("Meta’s") == basic_tokens("meta's") == basic_tokens("me\u200bta")


def test_inflections_share_a_stem() -> None:
    assert basic_tokens("planned planning plans") == ["plan", "plan", "plan"]


@pytest.mark.parametrize(
    ("question", "parts"),
    [
        (
            "how much did meta pay and who is scale's ceo?",
            ["how much did meta pay", "who is scale's ceo"],
        ),
        ("meta stake? google budget?", ["meta stake", "google budget"]),
        ("trend with tech giants and ai startups", ["trend with tech giants and ai startups"]),
        ("who invested and how much?", ["who invested", "how much"]),
        ("google's budget and what's it doing now", ["google's budget", "what's it doing now"]),
        ("meta's price + where wang went", ["meta's price", "where wang went"]),
        ("google's budget and whether it's cut", ["google's budget", "whether it's cut"]),
        (
            "name scale's clients and say how they feel",
            ["name scale's clients", "say how they feel"],
        ),
    ],
)
def test_a_question_splits_where_a_new_question_starts(question: str, parts: list[str]) -> None:
    assert split_question(question) == parts


def test_a_company_described_reads_as_its_name_without_the_article() -> None:
    normaliser = Normaliser({"google": ["search giant"], "plan": ["game plan"]}, ["google"])
    assert normaliser.tokens("did the search giant quit") == ["did", "googl", "quit"]
    # Only before a name: other aliases keep what comes before them.
    assert normaliser.tokens("what is the game plan") == ["what", "is", "the", "plan"]


def test_a_verb_finds_its_particle_a_few_words_later() -> None:
    normaliser = Normaliser({"invest": ["put ... into"]})
    assert normaliser.tokens("meta put how much into scale") == [
        "meta",
        "invest",
        "how",
        "much",
        "scale",
    ]
    # Too far apart to be one verb: the words stay as typed.
    assert "invest" not in normaliser.tokens("put the kettle on and walk into the room")


def test_struck_out_words_are_not_read() -> None:
    assert surface_tokens("~~google~~ meta hired scale's ceo") == ["meta", "hired", "scale", "ceo"]


def test_a_question_set_after_a_scene_without_a_comma_is_found() -> None:
    scene = asking_clauses("i work at amazon how much did meta pay for scale")
    assert scene == ("how much did meta pay for scale", "i work at amazon")
    # A question word the asking verb does not follow asks in place.
    assert asking_clauses("bruh google paid HOW much for scale") is None


def test_a_negative_contraction_is_one_word() -> None:
    assert surface_tokens("isn't google leaving") == ["isnt", "google", "leaving"]


def test_a_long_message_splits_into_what_it_asks_and_the_scene() -> None:
    message = "saw meta did a deal with scale, anyway how much did meta pay"
    assert asking_clauses(message) == ("how much did meta pay", "saw meta did a deal with scale")
    assert asking_clauses("how much did meta pay") is None
    assert asking_clauses("so how much did meta pay") is None
    assert asking_clauses("how much did meta, like, pay") is None


def test_dotted_abbreviations_are_words() -> None:
    assert surface_tokens("did scale's c.e.o. join meta") == ["did", "scale", "ceo", "join", "meta"]


@pytest.mark.parametrize(
    "asked",
    [
        "quote the line about meta's stake",
        "which sentence says meta's stake",
        "where does it say meta's stake",
    ],
)
def test_asking_for_the_sentence_itself_opens_a_question(asked: str) -> None:
    assert without_openers(surface_tokens(asked)) == ["meta", "stake"]


def test_chat_spellings_of_short_words_are_the_words() -> None:
    assert surface_tokens("hw much r u sure") == ["how", "much", "are", "you", "sure"]
    assert surface_tokens("wht dz scale hav") == ["what", "does", "scale", "have"]
    assert surface_tokens("is micro$oft out") == ["is", "microsoft", "out"]
    assert surface_tokens("is $MSFT out") == ["is", "msft", "out"]  # a ticker, not a sum


@pytest.mark.parametrize(
    ("typed", "tokens"),
    [
        ("what led wang to leave scale", ["why", "did", "wang", "leave", "scale"]),
        ("what caused the shift", ["why", "did", "the", "shift"]),
        (
            "what did the deal lead google to do",
            ["what", "did", "google", "do", "after", "the", "deal"],
        ),
    ],
)
def test_what_caused_something_asks_why_it_happened(typed: str, tokens: list[str]) -> None:
    assert surface_tokens(typed) == tokens


def test_starting_to_do_something_is_doing_it() -> None:
    """ "what did google start doing" asks what Google does; "wang started scale" stays."""
    assert surface_tokens("what did google start doing") == ["what", "did", "google", "doing"]
    assert surface_tokens("google started to cut back") == ["google", "cut", "back"]
    assert surface_tokens("why did wang start scale") == ["why", "did", "wang", "start", "scale"]
    assert surface_tokens("what did meta agree to pay") == ["what", "did", "meta", "pay"]


def test_a_request_is_read_without_its_opening_and_whom_it_is_for() -> None:
    asked = without_openers(surface_tokens("can you check meta's stake for me"))
    assert asked == ["meta", "stake"]
    # Not asked as a request to look something up, "for us" is what the question is about.
    for message in ("hey what does this mean for us", "can you tell me what it means for us"):
        assert without_openers(surface_tokens(message))[-2:] == ["for", "us"]
    # "one more" alone asks nothing, as "ok" alone does; "tell me" alone is still a request.
    assert without_openers(surface_tokens("one more: lol")) == []
    assert without_openers(surface_tokens("tell me")) == ["tell", "me"]


@pytest.mark.parametrize(
    ("message", "line"),
    [
        (
            "- how much did meta pay\n- where did wang go",
            "how much did meta pay; where did wang go",
        ),
        ("1. meta stake?\n2. google budget?", "meta stake? google budget?"),
        ("saw the news.\nhow much did meta pay?", "saw the news. how much did meta pay?"),
        ("how much did meta pay / where did wang go", "how much did meta pay; where did wang go"),
        ("1) meta stake 2) google budget", "meta stake; google budget"),
        ("**how much did meta pay**?", "how much did meta pay?"),
        ('"how much did meta pay"', "how much did meta pay"),
        ('"$14.3 billion" is that the meta number?', '"$14.3 billion" is that the meta number?'),
        ('"a" or "b"', '"a" or "b"'),
    ],
)
def test_each_line_of_a_message_is_a_clause_of_its_own(message: str, line: str) -> None:
    assert one_line(message) == line
