"""A server's own facts beside the shipped pack: each is judged by the matcher taught about
it, so a team's facts with three phrasings each are not drowned by the pack's thousands of
labelled questions, and the pack still answers what it knows there."""

from __future__ import annotations

from pathlib import Path

from bot.engine import Engine
from bot.evaluation import load_labelled
from bot.models import GLOBAL

GUILD = 7
HANDBOOK = (
    "Full-time staff get 25 vacation days a year. Staff park in the basement garage. "
    "Salaries are paid on the 25th of each month. Lunch is provided on Tuesdays."
)
FAQ = {
    "vacation-days": (
        "how many vacation days do I get",
        "how much annual leave do we have",
        "what is the holiday allowance",
    ),
    "parking": ("where can I park", "is there parking at the office", "where do visitors park"),
    "payroll": ("when is payday", "when do we get paid", "what day is salary paid"),
    "lunch": ("is lunch provided", "do we get free food", "what days is lunch catered"),
}


async def _handbook(engine: Engine, guild: int) -> None:
    source = await engine.curator.add_source(guild, title="Handbook", text=HANDBOOK, actor="t")
    for n, (fact_id, questions) in enumerate(FAQ.items(), start=1):
        await engine.curator.add_fact(
            guild,
            question=questions[0],
            answer=questions[0],
            cite=f"{source.id}:s{n}",
            actor="t",
            fact_id=fact_id,
        )
        for question in questions[1:]:
            await engine.curator.add_phrasing(guild, fact_id, question, "t")
    await engine.ready(guild)


async def test_a_servers_facts_answer_as_well_with_the_pack_on_as_off(engine: Engine) -> None:
    await _handbook(engine, GUILD)
    await engine.curator.switch_shipped_pack(GUILD + 1, False, "t")
    await _handbook(engine, GUILD + 1)
    asked = {
        "how many days of holiday do I get": "vacation-days",
        "where should I park my car": "parking",
        "when is the salary paid": "payroll",
        "is there free lunch": "lunch",
    }
    for guild in (GUILD, GUILD + 1):
        for question, fact_id in asked.items():
            answer = engine.ask(question, guild)
            assert (answer.answered, answer.fact_id) == (True, fact_id), (guild, answer)
    # The pack still answers there, and still knows what it must not answer.
    meta = engine.ask("what did meta pay for its stake in scale", GUILD)
    assert (meta.answered, meta.fact_id) == (True, "meta-investment")
    assert not engine.ask("how much did apple pay for scale", GUILD).answered
    assert not engine.ask("what did meta pay for its stake in scale", GUILD + 1).answered


async def test_a_question_a_server_marked_is_not_answered_there_by_a_shipped_fact(
    engine: Engine,
) -> None:
    question = "what did meta pay for its stake in scale"
    await _handbook(engine, GUILD)
    assert engine.ask(question, GUILD).answered
    await engine.curator.mark_out_of_scope(GUILD, question, "t")
    await engine.ready(GUILD)
    assert not engine.ask(question, GUILD).answered
    assert not engine.ask(question.upper() + "?", GUILD).answered
    assert engine.ask(question, GUILD + 1).answered


async def test_the_packs_names_do_not_keep_a_servers_own_fact_from_answering(
    engine: Engine,
) -> None:
    """The pack's names guard its own facts ("how much did apple pay for scale" is not the
    article's deal); a server's parking fact is still about parking when a question names
    a company the pack knows."""
    await _handbook(engine, GUILD)
    answer = engine.ask("where can I park at the google office", GUILD)
    assert (answer.answered, answer.fact_id) == (True, "parking")
    assert not engine.ask("how much did apple pay for scale", GUILD).answered


async def test_a_phrasing_added_to_a_shipped_fact_changes_nothing_else(engine: Engine) -> None:
    """A server's own version of a shipped fact is judged with the rest of the pack: taught
    alone, beside no other shipped fact, it claimed 27 of the held-out traps there."""
    await engine.curator.add_phrasing(GUILD, "meta-investment", "what did zuck pay", "t")
    await engine.ready(GUILD)
    assert engine.ask("what did zuck pay", GUILD).fact_id == "meta-investment"
    held_out = load_labelled(Path(__file__).parent / "questions" / "test.yaml")
    differ = [
        item.question
        for item in held_out
        if engine.ask(item.question, GUILD).fact_id != engine.ask(item.question, GLOBAL).fact_id
    ]
    assert differ == []


async def test_a_servers_questions_are_read_with_the_packs_names_not_its_synonyms(
    engine: Engine,
) -> None:
    """The pack's synonyms were chosen for its article ("account" is "customer" there,
    "annual" is "year"); a server's own matcher reads with the pack's names of things
    only, and `--why` shows that reading."""
    await _handbook(engine, GUILD)
    why = engine.explain("can I use my annual leave for my fb account?", GUILD)
    assert why.read_as == "can i use my annual leave for my meta account ?"
    assert why.answer.fact_id == "vacation-days"
