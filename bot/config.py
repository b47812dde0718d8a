"""Settings from the environment and ``.env`` (pydantic-settings).

The Discord token is a secret: it is a ``SecretStr`` so it never shows up in a repr or a
log line, and it is the only setting without a usable default.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import platformdirs
from pydantic import DirectoryPath, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.answering import Policy
from bot.store.backend import is_postgres

IdList = Annotated[list[int], NoDecode]


def database_location(text: str) -> Path | str:
    """A ``postgresql://`` URL as it is (a path would fold its ``//``), else a file path.

    Another database's URL is refused rather than taken for a file name (``mysql://x``
    would become a folder ``mysql:`` holding a SQLite file ``x``)."""
    if is_postgres(text):
        return text
    if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*://", text):
        raise ValueError(
            f"{text.split('://')[0]}:// is not supported: give a SQLite file or a postgresql:// URL"
        )
    return Path(text)


def default_db_path() -> Path:
    return platformdirs.user_data_path("factbot", appauthor=False) / "factbot.sqlite3"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    discord_token: SecretStr | None = None
    factbot_db: Path | str = Field(default_factory=default_db_path)
    """A SQLite file, or a ``postgresql://`` URL (which may hold a password: never logged)."""
    command_prefix: str = Field(default="!", min_length=1)
    moderator_role_ids: IdList = []
    answer_channel_ids: IdList = []
    """Channels where plain (non-command) questions are answered, when confident."""
    dev_guild_id: int | None = None
    """Sync slash commands to this guild only (instant), instead of globally (slow)."""
    answer_threshold: float = Field(default=Policy.answer, ge=0, le=100)
    """Answer when the calibrated chance that the fact is right is at least this (%)."""
    ambiguity_threshold: float = Field(default=Policy.ambiguous, ge=0, le=100)
    factbot_cache: Path | None = None
    """Where fitted matchers are kept (default: the user cache folder)."""
    factbot_knowledge: DirectoryPath | None = None
    """A knowledge pack folder to ship instead of the built-in one."""
    factbot_shipped_pack: bool = True
    """Off: no guild sees the shipped pack's facts (each guild can switch it too)."""
    channel_threshold: float = Field(default=75.0, ge=0, le=100)
    """Plain questions in answer channels are answered only above this confidence."""
    ask_cooldown_rate: int = Field(default=5, ge=1)
    ask_cooldown_seconds: float = Field(default=30.0, gt=0)
    """Each member may ask ``ask_cooldown_rate`` questions per ``ask_cooldown_seconds``
    (a rate of 0 would refuse every question)."""
    shard_id: int | None = Field(default=None, ge=0)
    shard_count: int | None = Field(default=None, ge=1)
    """Run one shard of several (``shard_id`` of ``shard_count``), each in a process of its
    own, all on one PostgreSQL database; unset, one process serves every server."""

    @field_validator("moderator_role_ids", "answer_channel_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [int(part) for part in value.replace(",", " ").split()]
        return value

    @field_validator("factbot_db", mode="before")
    @classmethod
    def _database(cls, value: object) -> object:
        return database_location(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _one_shard_of_several(self) -> Settings:
        if (self.shard_id is None) != (self.shard_count is None):
            raise ValueError("set SHARD_ID and SHARD_COUNT together, or neither")
        if self.shard_count is not None and (self.shard_id or 0) >= self.shard_count:
            raise ValueError("SHARD_ID counts from 0, so it must be below SHARD_COUNT")
        return self

    @property
    def policy(self) -> Policy:
        return Policy(answer=self.answer_threshold, ambiguous=self.ambiguity_threshold)
