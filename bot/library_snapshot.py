"""A large knowledge base's library, kept in the cache folder (``FACTBOT_CACHE``) when the
engine closes, so that the next start reads one file instead of every row of the store
(at 100,000 facts: about 1.5 s instead of 6).

A snapshot is named after the database it was read from and says where that database's
change feed stood. A start takes it only if it was kept for this very database (its
:meth:`~bot.store.Store.identity`), the feed still holds that change as it was (the
database was not rewound), and few changes came after; those are then taken in through
the feed, as another process's are (:meth:`Engine.sync <bot.engine.Engine.sync>`).
Anything else reads every row, as a start without a snapshot does.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

from bot.cache_files import keep, read_kept
from bot.errors import BadInput
from bot.library import KeptLibrary, Library
from bot.models import Fact, Sentence, SentenceRef, Source
from bot.store import Change, Store

log = logging.getLogger(__name__)

FORMAT = "factbot-library-5"
"""Bump when :class:`KeptLibrary` or :class:`Snapshot` change their meaning."""

KEEP_FROM = 5_000
"""Fact rows from which a library is kept: below, reading every row takes under 0.3 s."""

REREAD_AFTER = 2_000
"""Changes after a snapshot past which a start reads every row instead (taking in each
change costs a read of its fact)."""

KEEP_AGAIN_AFTER = 100
"""Changes taken in since a snapshot after which closing keeps a new one."""

_MODELS = tuple((m.__name__, *m.model_fields) for m in (Fact, SentenceRef, Source, Sentence))
"""A snapshot pickles these: one made when they had other fields is not taken."""


@dataclass(frozen=True)
class Snapshot:
    identity: str
    seen_change: int
    change: Change | None
    """Change ``seen_change`` as the feed had it: another one there means a rewound
    database (a restored backup that went on differently)."""
    library: KeptLibrary
    models: tuple[tuple[str, ...], ...] = _MODELS


@dataclass(frozen=True)
class Opened:
    library: Library
    seen_change: int
    """The last change of the feed the library holds (later ones may be there too)."""
    kept_change: int | None
    """Where the snapshot it was restored from stood; None when every row was read."""


def snapshot_path(cache_dir: Path, store: Store) -> Path:
    digest = hashlib.sha256(store.where.encode()).hexdigest()[:32]
    return cache_dir / f"{FORMAT}-{digest}.pickle"


async def open_library(store: Store, cache_dir: Path, *, shipped_pack: bool) -> Opened:
    """The library of what ``store`` holds: from its snapshot if there is a good one (the
    changes after it still to be taken in), else read row by row."""
    library = Library(shipped_pack=shipped_pack)
    path = snapshot_path(cache_dir, store)
    snapshot = await asyncio.to_thread(read_kept, path, Snapshot)
    if snapshot is not None and await _still_good(snapshot, store):
        library.restore(snapshot.library)
        log.info("restored %d facts from %s", library.row_count(), path)
        return Opened(library, snapshot.seen_change, snapshot.seen_change)
    # Before loading: what is written meanwhile is then taken in by the first sync.
    seen_change = await store.last_change()
    library.load(
        await store.facts(),
        await store.sources(),
        await store.out_of_scope(),
        await store.shipped_pack_off(),
    )
    return Opened(library, seen_change, None)


async def _still_good(snapshot: Snapshot, store: Store) -> bool:
    return (
        snapshot.models == _MODELS
        and snapshot.identity == await store.identity()
        and snapshot.change == await store.change_at(snapshot.seen_change)
        and await store.count_changes_since(snapshot.seen_change) <= REREAD_AFTER
    )


def large_enough_to_keep(library: Library) -> bool:
    return library.row_count() >= KEEP_FROM


def kept_long_ago(kept_change: int | None, seen_change: int) -> bool:
    """Whether a library restored from the snapshot at ``kept_change`` (None: read row by
    row) has taken in enough changes since to be worth keeping again."""
    return kept_change is None or seen_change - kept_change >= KEEP_AGAIN_AFTER


async def keep_library(store: Store, cache_dir: Path, library: Library, seen_change: int) -> None:
    """Keep ``library`` (holding the store's changes up to ``seen_change``, and perhaps
    later ones) for the next start. A failure is logged: that start reads every row."""
    try:
        snapshot = Snapshot(
            await store.identity(),
            seen_change,
            await store.change_at(seen_change),
            library.kept(),
        )
        await asyncio.to_thread(keep, snapshot_path(cache_dir, store), snapshot)
    except (OSError, BadInput) as error:
        log.warning("cannot keep the library for the next start: %s", error)
    else:
        log.info("kept %d facts for the next start", library.row_count())
