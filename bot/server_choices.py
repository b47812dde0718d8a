"""What a server's moderators choose for it: the channels where plain questions are
answered (`answers on`), and the roles that may curate (`moderators add`).

Kept in memory, as the bot reads them for every message and command; written through to
the store, and taken in from other processes through the change feed (``Engine.sync``),
as facts are.
"""

from __future__ import annotations

import asyncio

from bot.store import Choice, Store


class ServerChoices:
    """One kind of choice: a set of Discord ids per server."""

    def __init__(self, store: Store, lock: asyncio.Lock, kind: Choice) -> None:
        self._store = store
        self._lock = lock
        """The library's: what ``Engine.sync`` read a moment ago is never applied over a
        newer choice made here."""
        self._kind: Choice = kind
        self._chosen: dict[int, frozenset[int]] = {}

    async def load(self) -> None:
        chosen = await self._store.chosen(self._kind)
        self._chosen = {guild: frozenset(ids) for guild, ids in chosen.items()}

    def of(self, guild_id: int) -> frozenset[int]:
        return self._chosen.get(guild_id, frozenset())

    async def switch(self, guild_id: int, item_id: int, on: bool, actor: str) -> bool:
        """Choose an id for a server, or take it back; False when it was so already."""
        async with self._lock:
            if (item_id in self.of(guild_id)) == on:
                return False
            await self._store.choose(self._kind, guild_id, item_id, on, actor)
            await self._reload(guild_id)
            return True

    async def take_in(self, guild_id: int) -> bool:
        """Another process changed this server's choice (the caller holds the lock)."""
        before = self.of(guild_id)
        await self._reload(guild_id)
        return self.of(guild_id) != before

    async def _reload(self, guild_id: int) -> None:
        chosen = (await self._store.chosen(self._kind, guild_id)).get(guild_id, set())
        self._chosen[guild_id] = frozenset(chosen)
