"""Persistence: the store, on SQLite (`sqlite.py`) or PostgreSQL (`postgres.py`), and its schema."""

from bot.store.database import (
    SEED_ACTOR,
    Action,
    Change,
    Choice,
    DislikedAnswer,
    FactStats,
    LoggedReply,
    Store,
    UnansweredQuestion,
    UnsureAnswer,
)

__all__ = [
    "SEED_ACTOR",
    "Action",
    "Change",
    "Choice",
    "DislikedAnswer",
    "FactStats",
    "LoggedReply",
    "Store",
    "UnansweredQuestion",
    "UnsureAnswer",
]
