"""The retrieval index on disk: its arrays as ``.npy`` files in a folder.

The two big sparse parts, every phrasing's n-grams (``rows_``) and every n-gram's
phrasings (``postings_``), are hundreds of MB at 100,000 facts, and a question needs a few
hundred of their row ranges. They stay on disk and each question reads just those ranges
with ``pread``. Memory-mapping them instead counted, after a few hundred questions, the
whole files as the process's resident memory: each page fault maps the page cache's
whole folio around the page (15 MB of rows per question for the 1 MB it read), and a host
that limits a process by its resident size (a dyno, a container) counts mapped pages.
Read with ``pread``, those pages sit in the kernel's file cache, shared by every process
that reads the index and dropped first when memory is short. The rest is small and read
into memory whole.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

import numpy as np

from bot.matcher.features import Rows


class FileRows:
    """A sparse matrix by rows, as :class:`Rows`, whose entries stay in their files:
    row pointers in memory, columns and values read range by range."""

    def __init__(self, folder: Path, name: str) -> None:
        self.indptr = np.load(folder / f"{name}indptr.npy")
        self._entries = _Entries(folder / f"{name}entries.npy")
        if len(self.indptr) and int(self.indptr[-1]) > self._entries.length:
            raise ValueError(f"{name}entries.npy holds fewer entries than its rows")

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def ranges(self, starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The entries (columns, values) of rows ``start, …, start + length - 1`` for each
        range, one range after another, as :meth:`Rows.ranges`."""
        entries = self._entries.read(*_joined(np.asarray(starts), np.asarray(lengths)))
        return entries["column"], entries["value"]


_ENTRY = np.dtype([("column", np.int32), ("value", np.float32)])
"""A sparse part's entry on disk: its column and value side by side, so that a range of
entries is one read (and the index one open file per part)."""


class _Entries:
    """A flat ``.npy`` array read with ``pread``: one system call per range. Questions are
    answered on the event loop while a change is learned in a worker thread; ``pread``
    has no shared file position, so both read at once."""

    def __init__(self, path: Path) -> None:
        # Unbuffered: only its descriptor is used. It stays open as long as the index does,
        # so a file replaced or removed meanwhile is still read whole, as a mapping would.
        self._file = path.open("rb", buffering=0)
        version = np.lib.format.read_magic(self._file)
        if version == (1, 0):
            shape, _, self.dtype = np.lib.format.read_array_header_1_0(self._file)
        else:
            shape, _, self.dtype = np.lib.format.read_array_header_2_0(self._file)
        self._offset = self._file.tell()
        self._name = path.name
        self.length = int(shape[0])
        # Checked now, when a damaged file means fitting anew, not on every question.
        if os.fstat(self._file.fileno()).st_size < self._offset + self.length * self.dtype.itemsize:
            raise ValueError(f"{self._name} is shorter than its header says")
        # Where there is no pread (Windows): seek and read, one thread at a time.
        self._read_at = self._pread if hasattr(os, "preadv") else self._seek_and_read
        self._seeking = threading.Lock()

    def read(self, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        out = np.empty(int(lengths.sum()), dtype=self.dtype)
        size, at = self.dtype.itemsize, 0
        for start, length in zip(starts.tolist(), lengths.tolist(), strict=True):
            wanted = length * size
            if self._read_at(out[at : at + length], self._offset + start * size) != wanted:
                raise OSError(f"{self._name} is shorter than its index says")
            at += length
        return out

    def _pread(self, buffer: np.ndarray, offset: int) -> int:
        return os.preadv(self._file.fileno(), [buffer], offset)

    def _seek_and_read(self, buffer: np.ndarray, offset: int) -> int:
        with self._seeking:
            self._file.seek(offset)
            return self._file.readinto(buffer) or 0


def _joined(starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The same entries in fewer ranges: empty ones dropped, each one that goes on where
    the one before it ended joined to it (a fact's phrasings are consecutive rows, so its
    rows are read with one call)."""
    keep = lengths > 0
    starts, lengths = starts[keep], lengths[keep]
    if len(starts) < 2:
        return starts, lengths
    first = np.concatenate(([True], starts[1:] != starts[:-1] + lengths[:-1]))
    joined = np.add.reduceat(lengths, np.flatnonzero(first))
    return starts[first], joined


def save(
    folder: Path,
    on_disk: dict[str, Rows],
    in_memory: dict[str, Rows],
    vectors: dict[str, np.ndarray],
) -> None:
    """Each sparse part read as needed (:class:`FileRows`) as two files
    (``NAMEindptr.npy``, ``NAMEentries.npy``), each one read whole as three
    (``NAMEindptr.npy``, ``NAMEindices.npy``, ``NAMEdata.npy``), each plain array as one."""
    for name, rows in on_disk.items():
        np.save(folder / f"{name}indptr.npy", _compact(rows.indptr))
        entries = np.empty(len(rows.indices), dtype=_ENTRY)
        entries["column"], entries["value"] = rows.indices, rows.data
        np.save(folder / f"{name}entries.npy", entries)
    for name, rows in in_memory.items():
        np.save(folder / f"{name}indptr.npy", rows.indptr)
        np.save(folder / f"{name}indices.npy", rows.indices)
        np.save(folder / f"{name}data.npy", rows.data)
    for name, vector in vectors.items():
        np.save(folder / f"{name}.npy", vector)


def loaded_rows(folder: Path, name: str) -> Rows:
    """A sparse part read into memory whole (the small ones)."""
    return Rows(*(np.load(folder / f"{name}{part}.npy") for part in ("indptr", "indices", "data")))


def _compact(indptr: np.ndarray) -> np.ndarray:
    """Row pointers as 32-bit numbers where they fit: the postings' are one per hashed
    column (4 million), held in memory."""
    fits = len(indptr) == 0 or int(indptr[-1]) < np.iinfo(np.int32).max
    return indptr.astype(np.int32) if fits else indptr


def allow_open_files() -> None:
    """Raise this process's limit on open files to what the system allows it. Each index
    keeps its two files open (read on every question, and still readable after a newer
    fit replaced them), one index per server past a few hundred facts: a bot serving
    hundreds of such servers would pass the usual soft limit of 1,024 long before the
    hard one. Where the platform has no such limit, or refuses, nothing changes."""
    with contextlib.suppress(ImportError, ValueError, OSError):
        import resource  # not on Windows

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft != hard:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
