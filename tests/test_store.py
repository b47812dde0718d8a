"""The store seeds once, keeps moderators' edits, and records every change."""

from __future__ import annotations

from pathlib import Path

import aiosqlite
import pytest
import yaml

from bot.engine import Engine
from bot.knowledge import load_knowledge
from bot.models import GLOBAL
from bot.store import FactStats, LoggedReply, Store
from bot.store import database as store_module
from bot.store.schema import MIGRATIONS


async def test_new_database_is_migrated_and_seeded(database: Path | str) -> None:
    """A fresh database gets the latest schema and every shipped fact."""
    store = await Store.open(database)
    try:
        assert await store.seed(load_knowledge())
        assert await store.count("facts") == len(load_knowledge().facts)
    finally:
        await store.close()
    if isinstance(database, Path):
        async with aiosqlite.connect(database) as db, db.execute("PRAGMA user_version") as cursor:
            assert (await cursor.fetchone()) == (len(MIGRATIONS),)
    else:  # opening it again finds the tables made and the knowledge seeded
        store = await Store.open(database)
        try:
            assert not await store.seed(load_knowledge())
        finally:
            await store.close()


async def test_seeding_twice_changes_nothing(database: Path | str) -> None:
    """Re-seeding the same files writes no rows and no history."""
    store = await Store.open(database)
    try:
        await store.seed(load_knowledge())
        history = await store.count("fact_history")
        assert not await store.seed(load_knowledge())
        assert await store.count("fact_history") == history
    finally:
        await store.close()


async def test_facts_round_trip_through_the_store(database: Path | str) -> None:
    """What is read back is exactly what the knowledge base says (the store adds only the
    revision it counts writes with)."""
    knowledge = load_knowledge()
    store = await Store.open(database)
    try:
        await store.seed(knowledge)
        stored = {f.id: f for f in await store.facts(GLOBAL)}
        sources = await store.sources()
    finally:
        await store.close()
    assert {f.id: f.model_dump() for f in knowledge.facts} == {
        i: f.model_dump() for i, f in stored.items()
    }
    assert {f.revision for f in stored.values()} == {1}
    assert [s.sentences for s in sources] == [s.sentences for s in knowledge.sources]


async def test_reseeding_changed_files_keeps_an_edit(
    database: Path | str, knowledge_copy: Path
) -> None:
    """A fact edited through the store survives a new knowledge base; others update."""
    engine = await Engine.open(database, knowledge_root=knowledge_copy)
    try:
        await engine.curator.edit_fact(
            GLOBAL, "meta-investment", actor="mod", answer="Edited answer."
        )
    finally:
        await engine.close()

    path = knowledge_copy / "facts/scale-meta-article.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for fact in data["facts"][:2]:
        fact["answer"] = "Rewritten in the files."
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    engine = await Engine.open(database, knowledge_root=knowledge_copy)
    try:
        edited = await engine.view(GLOBAL, "meta-investment")
        updated = await engine.view(GLOBAL, "scale-ceo-joins-meta")
        history = await engine.history(GLOBAL, "scale-ceo-joins-meta")
    finally:
        await engine.close()
    assert edited.fact.answer == "Edited answer."
    assert updated.fact.answer == "Rewritten in the files."
    assert [h.action for h in history] == ["seed", "seed"]


async def test_a_reply_logged_again_answers_the_edited_question(database: Path | str) -> None:
    """A member edits a question and the bot edits its reply: votes and a moderator's
    reply to it concern the new question; the old one stays in the log."""
    store = await Store.open(database)
    try:
        logged = {"guild_id": 1, "channel_id": 2, "confidence": 0.0, "reply_id": 7}
        logged |= {"message_id": 5}
        assert await store.reply_to(5) is None
        await store.log_question(question="lunch?", fact_id=None, answered=False, **logged)
        await store.log_question(question="pay?", fact_id="pay", answered=True, **logged)
        assert await store.asked(7) == (1, "pay?")
        assert [q.question for q in await store.unanswered(1)] == ["lunch"]
        assert await store.reply_to(5) == LoggedReply(
            channel_id=2, reply_id=7, question="pay?", answered_with="pay"
        )
    finally:
        await store.close()


async def test_every_change_is_in_the_history(engine: Engine) -> None:
    """Who, what and the before/after of each change are recorded."""
    await engine.curator.edit_fact(GLOBAL, "read-more", actor="ana", answer="See TechCrunch.")
    await engine.curator.remove_fact(GLOBAL, "read-more", actor="bo")
    await engine.curator.restore_fact(GLOBAL, "read-more", actor="cy")
    history = await engine.history(GLOBAL, "read-more")
    assert [(h.action, h.actor) for h in history] == [
        ("seed", "knowledge base"),
        ("edit", "ana"),
        ("remove", "bo"),
        ("restore", "cy"),
    ]
    assert history[1].after is not None
    assert history[1].after["answer"] == "See TechCrunch."
    assert history[2].after is not None
    assert history[2].after["removed"] is True


async def test_an_earlier_sqlite_database_is_upgraded_keeping_its_votes(db_path: Path) -> None:
    """Migration 6 moves each 👍/👎 from the reply to the question it judged."""
    async with aiosqlite.connect(db_path) as db:
        for number, script in enumerate(MIGRATIONS[:5], start=1):
            await db.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
        await db.execute(
            "INSERT INTO questions (guild_id, question, fact_id, answered, confidence, reply_id,"
            " asked_at) VALUES (7, 'pay?', 'pay', 1, 90, 9, '2026-01-01')"
        )
        await db.execute(
            "INSERT INTO feedback (reply_id, user_id, vote, at) VALUES (9, 3, -1, '2026-01-01')"
        )
        await db.commit()
    store = await Store.open(db_path)
    try:
        assert await store.fact_stats(7, "pay") == FactStats(asked=1, helpful=0, unhelpful=1)
    finally:
        await store.close()


async def test_votes_count_for_the_answer_they_judged(database: Path | str) -> None:
    """A 👎 given before the member edited the question stays with the first answer."""
    store = await Store.open(database)
    try:
        logged = {"guild_id": 1, "channel_id": 2, "confidence": 90.0, "reply_id": 7}
        await store.log_question(question="pay?", fact_id="pay", answered=True, **logged)
        await store.record_vote(7, user_id=3, vote=-1)
        await store.record_vote(8, user_id=3, vote=-1)  # no such answer: nothing
        await store.log_question(question="who runs it?", fact_id="ceo", answered=True, **logged)
        await store.record_vote(7, user_id=4, vote=1)
        assert await store.fact_stats(1, "pay") == FactStats(asked=1, helpful=0, unhelpful=1)
        assert await store.fact_stats(1, "ceo") == FactStats(asked=1, helpful=1, unhelpful=0)
        (disliked,) = await store.disliked(1)
        assert (disliked.question, disliked.fact_id, disliked.reply_id) == ("pay?", "pay", None)
        await store.withdraw_vote(7, user_id=4, vote=1)
        assert await store.fact_stats(1, "ceo") == FactStats(asked=1, helpful=0, unhelpful=0)
        assert not await store.voted_on(7)
        await store.record_vote(7, user_id=4, vote=-1)
        assert await store.voted_on(7)
        await store.forget_reply(7)  # the bot deleted it: its votes stay, its link goes
        assert not await store.voted_on(7)
        disliked_now = {(d.question, d.reply_id) for d in await store.disliked(1)}
        assert disliked_now == {("who runs it?", None), ("pay?", None)}
    finally:
        await store.close()


async def test_answers_are_listed_least_sure_first_once_per_question(
    database: Path | str,
) -> None:
    """`unsure`: each question once with the fact it was answered with (its latest
    reply), the least sure first, never an unanswered one, one a member 👍'd (however
    often it was asked) or another guild's."""
    store = await Store.open(database)
    try:
        for guild, question, fact, confidence, reply in [
            (1, "Can I bring my dog?", "parking", 97.0, 1),
            (1, "where do i park", "parking", 99.0, 2),
            (1, "can i bring my dog", "parking", 96.0, 3),  # asked again: the latest counts
            (1, "when is lunch", "lunch", 55.0, 4),
            (1, "is lunch free?", "lunch", 62.0, 5),
            (1, "Is lunch free", "lunch", 60.0, 8),  # the same, after a 👍 on its first answer
            (1, "tell me a joke", None, 30.0, 6),  # not answered
            (2, "lunch?", "lunch", 51.0, 7),
        ]:
            await store.log_question(
                guild_id=guild,
                channel_id=9,
                question=question,
                fact_id=fact,
                answered=fact is not None,
                confidence=confidence,
                reply_id=reply,
            )
        await store.record_vote(5, user_id=3, vote=1)  # a member says it was right
        listed = [(u.question, u.fact_id, u.reply_id, u.confidence) for u in await store.unsure(1)]
        assert listed == [
            ("when is lunch", "lunch", 4, 55.0),
            ("can i bring my dog", "parking", 3, 96.0),
            ("where do i park", "parking", 2, 99.0),
        ]
        assert len(await store.unsure(1, limit=2)) == 2
    finally:
        await store.close()


async def test_unanswered_counts_the_latest_questions_only(
    database: Path | str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A busy server's whole log would take long to count on every keystroke of the
    autocomplete: `unanswered` counts the latest ones (here three)."""
    monkeypatch.setattr(store_module, "RECENT_QUESTIONS", 3)
    store = await Store.open(database)
    try:
        for question in ["parking?", "parking?", "lunch?", "gym?", "lunch?"]:
            await store.log_question(
                guild_id=1,
                channel_id=2,
                question=question,
                fact_id=None,
                answered=False,
                confidence=0.0,
            )
        assert [(q.question, q.times) for q in await store.unanswered(1)] == [
            ("lunch", 2),
            ("gym", 1),
        ]
    finally:
        await store.close()
