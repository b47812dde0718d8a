"""What a question asks for is read from its words, before any fact is compared."""

from __future__ import annotations

import pytest

from bot.normalise import basic_tokens, surface_tokens
from bot.question_kinds import (
    answer_kind,
    asks_who_now,
    role_pairs,
    saying_when,
    set_aside,
    subject,
    term_asked,
    verb_objects,
    yes_no_verb,
)

ORGANISATIONS = frozenset({"meta", "scale", "googl"})


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("how much did meta pay", "amount"),
        ("how many billions did meta spend", "amount"),
        ("how many shares did meta buy", "count"),
        ("what do you think about the deal", "opinion"),
        ("whats the dollar figure", "amount"),
        ("whats the deal value", "amount"),
        ("how big was meta's stake", "amount"),
        ("how large a stake did meta take", "amount"),
        ("how big of a deal is this", None),
        ("how big a role does scale play", None),
        ("how will scale protect customer data exactly", "method"),
        ("how exactly is microsoft reevaluating, what steps", "method"),
        ("how much exactly did meta pay", "amount"),
        ("what is scale's valuation", None),
        ("what shouldnt growth cost them", None),
        ("when did wang join meta", "date"),
        ("who is scale's ceo", "person"),
        ("who wrote the report", "person"),
        ("who spearheads meta's push", "person"),
        ("who did meta get from scale", "person"),
        ("who did meta bring over from scale", "person"),
        ("who did google get its data from", None),
        ("which self driving companies use scale", "names"),
        ("how do i train a model", "how-to"),
        ("can i buy shares of scale", "how-to"),
        ("why did openai leave scale", "reason"),
        ("how come google is leaving", "reason"),
        ("is google leaving scale", None),
        ("what did scale say about the fallout", "statement"),
        ("what does this say about big tech", None),
        ("who said google is pulling back", "source"),
        ("list scale's competitors", "names"),
        ("list scale's other kinds of clients", None),
        ("who are the analysts watching scale", "names"),
        ("what are the names of the analysts watching scale", "names"),
        ("who are scale's other clients", None),
        ("is google a bigger customer than openai", "comparison"),
        ("did meta pay more than 10 billion", None),
        ("is openai scale's largest customer", "comparison"),
        ("is openai one of scale's largest customers", None),
        ("is google a top client", None),
        ("we use scale should we switch", "how-to"),
    ],
)
def test_the_kind_of_answer_asked(question: str, kind: str | None) -> None:
    assert answer_kind(surface_tokens(question)) == kind


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("what is superintelligence", ["superintelligence"]),
        ("what's a bellwether", ["bellwether"]),
        ("define data annotation", ["data", "annotation"]),
        ("what's the meaning of bellwether", ["bellwether"]),
        ("what does bellwether mean", ["bellwether"]),
        ("what is google doing", []),
        ("what is the broader trend", []),
        ("what does it mean for scale", []),
        ("what does openai do", ["openai"]),
        ("what does google do about scale", []),
    ],
)
def test_the_term_whose_meaning_is_asked(question: str, term: list[str]) -> None:
    assert term_asked(surface_tokens(question)) == term


def test_what_people_are_doing_is_not_a_term() -> None:
    assert term_asked(surface_tokens("what are analysts watching")) == []


def test_whose_role_is_asked() -> None:
    assert role_pairs(basic_tokens("who is meta's ceo"), ORGANISATIONS) == {("meta", "ceo")}
    assert role_pairs(basic_tokens("the ceo of scale"), ORGANISATIONS) == {("scale", "ceo")}
    assert role_pairs(basic_tokens("who is the ceo"), ORGANISATIONS) == frozenset()
    # One describing word may stand between: "Meta's AI strategy".
    assert role_pairs(basic_tokens("meta's ai strategy"), ORGANISATIONS) == {("meta", "strategi")}


def test_words_that_only_say_when() -> None:
    tokens = basic_tokens("is scale ok after the meta deal")
    assert [tokens[i] for i in sorted(saying_when(tokens, ORGANISATIONS))] == [
        "after",
        "meta",
        "deal",
    ]
    assert saying_when(basic_tokens("what did meta do after that"), ORGANISATIONS) == set()
    # A company alone says when too, at the end: after its deal. Not "before google".
    tokens = basic_tokens("scale's strategy after meta")
    assert [tokens[i] for i in sorted(saying_when(tokens, ORGANISATIONS))] == ["after", "meta"]
    assert saying_when(basic_tokens("did meta react before google"), ORGANISATIONS) == set()
    # What something reacts to is said the same way.
    tokens = basic_tokens("how did openai respond to the meta investment")
    assert [tokens[i] for i in sorted(saying_when(tokens, ORGANISATIONS))] == [
        "to",
        "meta",
        "invest",
    ]


@pytest.mark.parametrize(
    ("question", "actor"),
    [
        ("did scale invest in meta", "scale"),
        ("did meta buy a stake in scale", "meta"),
        ("did scale's ceo join meta", None),
        ("is scale owned by meta", None),
        ("how much did scale pay meta", "scale"),
        ("how much did scale get", None),
        ("why did meta invest", None),
        ("did scale get 14.3b from meta", "meta"),
        ("did scale get money", None),
    ],
)
def test_who_a_yes_no_question_says_acts(question: str, actor: str | None) -> None:
    assert subject(basic_tokens(question), ORGANISATIONS) == actor


def test_what_is_done_to_which_company() -> None:
    assert verb_objects(basic_tokens("did wang join meta"), ORGANISATIONS) == {("join", "meta")}
    assert verb_objects(basic_tokens("did meta invest in scale"), ORGANISATIONS) == {
        ("invest", "scale")
    }
    assert verb_objects(basic_tokens("is scale ok"), ORGANISATIONS) == frozenset()


def test_what_a_yes_no_question_says_its_actor_does() -> None:
    tokens = basic_tokens("did google invest in scale's competitors")
    assert yes_no_verb(tokens, ORGANISATIONS) == "invest"
    assert yes_no_verb(basic_tokens("how much did meta pay"), ORGANISATIONS) is None
    # Whoever acts, a company or not.
    assert yes_no_verb(basic_tokens("did the government invest in scale"), ORGANISATIONS) == (
        "invest"
    )
    # What it plans to do, not that it plans.
    planning = basic_tokens("does meta plan to invest in scale")
    assert yes_no_verb(planning, ORGANISATIONS) == "invest"


def test_a_company_set_aside_is_not_what_is_asked_about() -> None:
    tokens = ["which", "compani", "is", "reevalu", "scale", "other", "googl"]
    assert [tokens[i] for i in sorted(set_aside(tokens, ORGANISATIONS))] == ["other", "googl"]
    # "other google products" are Google's own.
    assert set_aside(["what", "other", "googl", "product"], ORGANISATIONS) == set()


@pytest.mark.parametrize(
    ("question", "now"),
    [
        ("who runs scale now", True),
        ("scale ai, who's the ceo now?", True),
        ("who is scale's ceo currently", True),
        ("who was scale's ceo and where is he now", False),
        ("where is wang now", False),
        ("who leads meta's superintelligence work now that the deal is done", False),
    ],
)
def test_who_holds_a_role_now_is_asked_in_the_clause_that_asks_who(
    question: str, now: bool
) -> None:
    assert asks_who_now(surface_tokens(question)) is now
