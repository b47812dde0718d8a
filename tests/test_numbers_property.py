"""Numbers of every odd shape in phrasings and questions never make asking fail.

A phrasing with a bound amount ("for under $250") once made every later question with a
number in that server raise. Here hypothesis writes amounts, bounds, ranges and odd
numerals into phrasings a moderator adds and into questions members ask, in one server
whose knowledge keeps growing: every question gets an answer object, every answer cites.
"""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine import Engine
from bot.errors import BadInput
from bot.models import Answer

GUILD = 77

_plain = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=2).map(str),
)
_odd = st.sampled_from(
    ["½", "٣", "1e308", "0x1F", "10^9", "1,000,000", "14,3", "1.2.3", "−5", "5%", "NaN", "∞"]
)
number = st.one_of(_plain, _odd)
amount = st.one_of(
    number,
    st.tuples(st.sampled_from(["<", ">", "<=", "~", "$", "€", "under ", "more than "]), number).map(
        "".join
    ),
    st.tuples(number, st.sampled_from(["-", "–", " to ", "..", "/"]), number).map("".join),
    st.tuples(number, st.sampled_from(["k", "m", "bn", " billion", "%", "x"])).map("".join),
)


async def _fact(engine: Engine) -> str:
    if engine.library.get(GUILD, "parking-fee") is None:
        source = await engine.curator.add_source(
            GUILD, title="Parking", text="Parking costs $5 a day.", actor="test"
        )
        await engine.curator.add_fact(
            GUILD,
            question="how much is parking",
            answer="Parking costs $5 a day.",
            cite=f"{source.id}:s1",
            actor="test",
            fact_id="parking-fee",
        )
    return "parking-fee"


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(in_phrasing=amount, in_question=amount)
async def test_odd_numbers_in_phrasings_and_questions_never_break_asking(
    engine: Engine, in_phrasing: str, in_question: str
) -> None:
    fact_id = await _fact(engine)
    # Said once already, or not a question in words: refused with one line.
    with contextlib.suppress(BadInput):
        await engine.curator.add_phrasing(
            GUILD, fact_id, f"is parking {in_phrasing} a day", actor="test"
        )
    for question in (f"does parking cost {in_question}", in_question, f"{in_phrasing}?"):
        answer = engine.ask(question, GUILD)
        assert isinstance(answer, Answer)
        assert not answer.answered or answer.citations
    assert engine.ask("how much is parking", GUILD).fact_id == fact_id
