"""The channels where a server's moderators let plain questions be answered.

Kept in memory for every message the bot reads, written through to the store, and taken in
from other processes through the change feed (``Engine.sync``), as facts are.
"""

from __future__ import annotations

import asyncio

from bot.store import Store


class AnswerChannels:
    def __init__(self, store: Store, lock: asyncio.Lock) -> None:
        self._store = store
        self._lock = lock
        """The library's: what ``Engine.sync`` read a moment ago is never applied over a
        newer switch made here."""
        self._channels: dict[int, frozenset[int]] = {}

    async def load(self) -> None:
        self._channels = {g: frozenset(c) for g, c in (await self._store.answer_channels()).items()}

    def of(self, guild_id: int) -> frozenset[int]:
        return self._channels.get(guild_id, frozenset())

    async def switch(self, guild_id: int, channel_id: int, on: bool, actor: str) -> bool:
        """Let plain questions be answered in a channel (its threads and a forum's posts
        too), or stop; False when it was so already."""
        async with self._lock:
            if (channel_id in self.of(guild_id)) == on:
                return False
            await self._store.set_answer_channel(guild_id, channel_id, on, actor)
            await self._reload(guild_id)
            return True

    async def take_in(self, guild_id: int) -> bool:
        """Another process switched a channel of this guild (the caller holds the lock)."""
        before = self.of(guild_id)
        await self._reload(guild_id)
        return self.of(guild_id) != before

    async def _reload(self, guild_id: int) -> None:
        channels = (await self._store.answer_channels(guild_id)).get(guild_id, set())
        self._channels[guild_id] = frozenset(channels)
