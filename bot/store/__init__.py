"""Persistence: the SQLite store and its schema."""

from bot.store.database import SEED_ACTOR, Action, Change, FactStats, Store, UnansweredQuestion

__all__ = ["SEED_ACTOR", "Action", "Change", "FactStats", "Store", "UnansweredQuestion"]
