"""Facts as moderators add them from chat, with one phrasing each: cross-validation has
nothing to learn the chances from, so a fact's score says how likely it is right. Members'
own words for the same questions are answered, and so are questions in the words of a
fact's answer, which is learned too; what no fact is about is not."""

from __future__ import annotations

import pytest

from bot.engine import Engine

GUILD = 9
HANDBOOK = (
    "Full-time staff get 25 vacation days a year. Staff park in the basement garage. "
    "Salaries are paid on the 25th of each month. Lunch is provided on Tuesdays."
)
FACTS = {
    "vacation-days": "how many vacation days do I get",
    "parking": "where can I park",
    "payroll": "when is payday",
    "lunch": "is lunch provided",
}


@pytest.mark.parametrize("pack", [True, False], ids=["pack on", "pack off"])
async def test_facts_with_one_phrasing_each_answer_members_words(
    engine: Engine, pack: bool
) -> None:
    await _add_handbook(engine, pack)
    for question, fact_id in {
        "how many days of vacation do I get a year": "vacation-days",
        "where should I park my car": "parking",
        "is lunch provided on fridays too": "lunch",
    }.items():
        answer = engine.ask(question, GUILD)
        assert (answer.answered, answer.fact_id) == (True, fact_id), answer
    for question in ("what's the weather tomorrow", "how do I reset my password"):
        assert not engine.ask(question, GUILD).answered, question


@pytest.mark.parametrize("pack", [True, False], ids=["pack on", "pack off"])
async def test_a_question_in_the_words_of_a_facts_answer_finds_it(
    engine: Engine, pack: bool
) -> None:
    """ "Garage", "basement" and "staff" are only in the parking fact's answer; its one
    phrasing is "where can I park". Before answers were learned, neither was answered."""
    await _add_handbook(engine, pack)
    for question in ("is there a garage for staff", "do staff get a spot in the basement"):
        answer = engine.ask(question, GUILD)
        assert (answer.answered, answer.fact_id) == (True, "parking"), answer


async def _add_handbook(engine: Engine, pack: bool) -> None:
    await engine.curator.switch_shipped_pack(GUILD, pack, "t")
    source = await engine.curator.add_source(GUILD, title="Handbook", text=HANDBOOK, actor="t")
    for n, (fact_id, question) in enumerate(FACTS.items(), start=1):
        await engine.curator.add_fact(
            GUILD,
            question=question,
            answer=HANDBOOK.split(". ")[n - 1].rstrip(".") + ".",
            cite=f"{source.id}:s{n}",
            actor="t",
            fact_id=fact_id,
        )
    await engine.ready(GUILD)
