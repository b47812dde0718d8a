"""Shared fixtures: every test gets its own database, seeded from the shipped knowledge."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.knowledge import default_root


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "factbot.sqlite3"


@pytest.fixture
async def engine(db_path: Path) -> AsyncIterator[Engine]:
    engine = await Engine.open(db_path)
    yield engine
    await engine.close()


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A scratch copy of the shipped knowledge base, for tests that change it."""
    root = tmp_path / "knowledge"
    shutil.copytree(default_root(), root, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    return root
