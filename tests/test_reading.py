"""How a question is read before matching: words the knowledge base never uses are
respelled as the closest word it does."""

from __future__ import annotations

from bot.matcher import Vocabulary
from bot.matcher.matcher import KNOWN_SETS, _worked_out, read_as


def test_a_slip_is_read_as_the_known_word() -> None:
    known = frozenset({"how", "many", "vacation", "days", "do", "i", "get"})
    assert read_as("how many vaction days do i get", Vocabulary(), known) == (
        "how many vacation days do i get"
    )
    assert read_as("how many vacation days", Vocabulary(), known) == "how many vacation days"


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
