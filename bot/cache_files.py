"""Files kept in the cache folder (``FACTBOT_CACHE``): the parsed knowledge pack and the
fitted matchers. Each is written whole or not at all, so that several processes can share
the folder, and is read back only if it is what it should be; anything else is made again.
"""

from __future__ import annotations

import contextlib
import logging
import mmap
import os
import pickle
import re
import shutil
import struct
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

UNREADABLE = (OSError, ValueError, pickle.UnpicklingError, EOFError, AttributeError)
"""What reading a damaged or outdated cache file raises."""


MAGIC = b"factbot-kept-1\n"
"""How a kept file begins; anything else is unreadable (and made again)."""

LARGE = 1 << 16
"""Bytes from which an array is kept beside the pickle rather than in it."""

_ALIGN = 64
_COUNT = struct.Struct("<Q")
"""How many arrays are kept beside the pickle."""
_HEADER = struct.Struct("<QQ")
"""Of the pickle, then of each array kept beside it: where it starts and how long it is."""


def read_kept(path: Path, kind: type[T]) -> T | None:
    """What is kept at ``path``, if it is there and a ``kind``.

    Its large arrays are not read but mapped, copy-on-write: a question touches only the
    pages it uses, processes on one machine share them, and a matcher's 12.5 MB of example
    vectors cost `factbot ask` nothing to read (11 ms of its 0.3 s when they were copied
    out of the pickle)."""
    try:
        with path.open("rb") as f:
            whole = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_COPY)
        if whole[: len(MAGIC)] != MAGIC:
            raise ValueError("not a file this version keeps")
        view = memoryview(whole)
        (count,) = _COUNT.unpack_from(whole, len(MAGIC))
        first = len(MAGIC) + _COUNT.size
        spans = [_HEADER.unpack_from(whole, first + i * _HEADER.size) for i in range(count + 1)]
        (start, length), *arrays = spans
        value = pickle.loads(
            view[start : start + length], buffers=[view[a : a + n] for a, n in arrays]
        )
    except FileNotFoundError:
        return None
    except (*UNREADABLE, struct.error) as error:
        log.warning("cannot read %s (%s): making it again", path, error)
        return None
    return value if isinstance(value, kind) else None


def keep(path: Path, value: object) -> None:
    """Keep ``value`` at ``path`` for :func:`read_kept` (OSError when it cannot): pickled,
    with each large array after the pickle at an aligned offset of its own."""
    arrays: list[pickle.PickleBuffer] = []

    def in_band(buffer: pickle.PickleBuffer) -> bool:
        if buffer.raw().nbytes < LARGE:
            return True
        arrays.append(buffer)
        return False

    body = pickle.dumps(value, protocol=5, buffer_callback=in_band)
    header_size = len(MAGIC) + _COUNT.size + (len(arrays) + 1) * _HEADER.size
    spans, end = [(header_size, len(body))], header_size + len(body)
    for array in arrays:
        start = -(-end // _ALIGN) * _ALIGN
        end = start + array.raw().nbytes
        spans.append((start, end - start))
    with written_whole(path) as partial, partial.open("wb") as f:
        f.write(MAGIC + _COUNT.pack(len(arrays)))
        f.write(b"".join(_HEADER.pack(*span) for span in spans))
        f.write(body)
        for array, (start, _) in zip(arrays, spans[1:], strict=True):
            f.seek(start)
            f.write(array.raw())


@contextlib.contextmanager
def written_whole(path: Path) -> Iterator[Path]:
    """A path of this process's own to write a file or a folder at; moved to ``path``
    once written, and removed if anything goes wrong (OSError when the move fails, as it
    does for a folder another process has just put there)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(f".partial-{os.getpid()}")
    try:
        yield partial
        partial.replace(path)
    finally:
        if partial.is_dir():
            shutil.rmtree(partial, ignore_errors=True)
        else:
            partial.unlink(missing_ok=True)


_KEPT = re.compile(r"(factbot-[a-z]+)-\d+-")
"""How a kept file's name begins: its kind and its format's number."""

ABANDONED_AFTER = 3600.0
"""Seconds after its last write when a half-written file is taken for one whose writer
was killed (a fit at 100,000 facts writes for about two minutes)."""


def remove_outdated(folder: Path, formats: Iterable[str]) -> None:
    """Remove what is of no more use in ``folder``: the files and folders of another format
    of a kind one of ``formats`` names (``factbot-matcher-17-…`` beside
    ``factbot-matcher-18``: an earlier version's), and half-written ones abandoned by a
    process that was killed while writing (an index's is hundreds of MB). Anything else is
    left alone."""
    current = {f.rsplit("-", 1)[0]: f"{f}-" for f in formats}
    try:
        entries = list(folder.iterdir())
    except OSError:
        return
    now = time.time()
    for entry in entries:
        kept = _KEPT.match(entry.name)
        if kept is None or kept[1] not in current:
            continue
        if ".partial-" in entry.name:
            with contextlib.suppress(OSError):
                if now - entry.stat().st_mtime < ABANDONED_AFTER:
                    continue  # perhaps still being written
        elif entry.name.startswith(current[kept[1]]):
            continue
        if entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        log.info("removed %s: an earlier version's, or abandoned half-written", entry.name)
