"""How a question is read before matching: chat formatting taken out, and words the
knowledge base never uses respelled as the closest word it does."""

from __future__ import annotations

from bot.matcher import Vocabulary
from bot.matcher.matcher import KNOWN_SETS, Example, Matcher, _worked_out, read_as
from bot.matcher.text import without_markup


def test_a_slip_is_read_as_the_known_word() -> None:
    known = frozenset({"how", "many", "vacation", "days", "do", "i", "get"})
    assert read_as("how many vaction days do i get", Vocabulary(), known) == (
        "how many vacation days do i get"
    )
    assert read_as("how many vacation days", Vocabulary(), known) == "how many vacation days"


def test_a_word_of_english_is_not_read_as_a_known_word_it_resembles() -> None:
    """A member who says "card" means a card, not the knowledge base's "car"; only a word
    that is no word ("raedy") is taken for a slip."""
    known = frozenset({"is", "my", "car", "ready", "increase", "the", "garbage"})
    assert read_as("is my card ready", Vocabulary(), known) == "is my card ready"
    assert read_as("is my card raedy", Vocabulary(), known) == "is my card ready"
    assert read_as("decrease the garage", Vocabulary(), known) == "decrease the garage"


def test_the_knowledge_base_in_use_keeps_its_work_while_many_others_come_and_go() -> None:
    """One server's words stay worked out however many other servers' matchers are read
    in between (a bot serves many servers, each with knowledge of its own)."""
    busy = frozenset({"parking", "lunch", "visitors"})
    kept = _worked_out(busy)
    for n in range(2 * KNOWN_SETS):
        others = frozenset({f"word{n}", f"other{n}"})
        assert read_as(f"wrd{n}", Vocabulary(), others) in {f"wrd{n}", f"word{n}"}
        assert read_as("parkng at lunch", Vocabulary(), busy) == "parking at lunch"
    assert _worked_out(busy) is kept


def test_chat_formatting_and_mentions_are_not_read_as_words() -> None:
    assert without_markup("@everyone **how much** did _acme_ pay?? <@123>") == (
        "how much did acme pay??"
    )
    assert without_markup("> ||spoiler|| ~~old~~ `code`") == "spoiler old code"
    # Markers inside a word are part of it; an address is not a mention.
    assert without_markup("is snake_case 5*3? mail ops@here.com") == (
        "is snake_case 5*3? mail ops@here.com"
    )
    assert without_markup("first line\n<#42>\n*second* line") == "first line\nsecond line"


def test_a_fact_learned_quickly_keeps_its_own_words() -> None:
    """A new fact's words are what the matcher comes to know, not slips of the words it
    knew: "park" must not be read as "part"."""
    taught = [
        Example("which part of the office opens first", "opening"),
        Example("what part of the building is open early", "opening"),
        Example("when does the cafe open", "cafe"),
        Example("what time is the cafe open", "cafe"),
    ]
    matcher = Matcher().fit(taught)
    learned = matcher.learned([*taught, Example("where do visitors park", "parking")])
    assert learned is not None
    assert learned.read("where should visitors park") == "where should visitors park"
    assert learned.rank([learned.read("where do visitors park")])[0][0].fact_id == "parking"


def test_a_contraction_typed_without_its_apostrophe_keeps_its_meaning() -> None:
    """Chat drops apostrophes: "cant" is "can't", not a slip for "can" (which says the
    opposite), whether or not the knowledge base writes it with one."""
    known = frozenset({"why", "can", "can't", "i", "join", "the", "server", "don't", "work"})
    assert read_as("i cant join", Vocabulary(), known) == "i can't join"
    assert read_as("why dont it work", Vocabulary(), known) == "why don't it work"
    # Phrasings are read the same way when the matcher learns them.
    assert read_as("i cant join", Vocabulary(), frozenset()) == "i can't join"


def test_a_question_without_apostrophes_finds_the_fact_that_has_them() -> None:
    taught = [
        Example("why can't I join the server", "whitelist"),
        Example("I can't get in", "whitelist"),
        Example("how do I join the server", "address"),
        Example("what is the server address", "address"),
        Example("can I join with bedrock", "version"),
        Example("which version can I play on", "version"),
    ]
    matcher = Matcher().fit(taught)
    assert matcher.rank([matcher.read("i cant join the server")])[0][0].fact_id == "whitelist"
