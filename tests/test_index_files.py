"""The retrieval index's big parts are read from their files range by range: the same
entries as the arrays they were saved from, and a clear error for a damaged file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.cache_files import UNREADABLE
from bot.matcher import index_files
from bot.matcher.features import Rows
from bot.matcher.index_files import FileRows


@pytest.fixture
def rows() -> Rows:
    rng = np.random.default_rng(0)
    lengths = rng.integers(0, 6, size=40)  # some rows empty
    indptr = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
    return Rows(
        indptr,
        rng.integers(0, 1 << 22, size=int(indptr[-1])).astype(np.int32),
        rng.random(int(indptr[-1])).astype(np.float32),
    )


def _saved(rows: Rows, folder: Path) -> FileRows:
    index_files.save(folder, {"rows_": rows}, {}, {})
    return FileRows(folder, "rows_")


def test_ranges_read_from_the_files_are_the_saved_entries(rows: Rows, tmp_path: Path) -> None:
    on_disk = _saved(rows, tmp_path)
    assert len(on_disk) == len(rows)
    # Rows out of order, repeated, consecutive (joined into one read) and empty.
    for picked in ([3, 4, 5, 6], [10, 2, 2, 39], [0], [], list(range(40))):
        chosen = np.array(picked, dtype=np.int64)
        starts = rows.indptr[chosen]
        lengths = rows.indptr[chosen + 1] - starts
        columns, values = on_disk.ranges(on_disk.indptr[chosen], lengths)
        expected_columns, expected_values = rows.ranges(starts, lengths)
        assert columns.tolist() == expected_columns.tolist()
        assert values.tolist() == expected_values.tolist()


def test_a_damaged_file_is_refused_when_the_index_is_opened(rows: Rows, tmp_path: Path) -> None:
    """Then the cache fits the index anew (it reads it as it reads any damaged file)."""
    _saved(rows, tmp_path)
    entries = tmp_path / "rows_entries.npy"
    entries.write_bytes(entries.read_bytes()[:-8])
    with pytest.raises(UNREADABLE, match=r"rows_entries\.npy is shorter"):
        FileRows(tmp_path, "rows_")


def test_a_file_cut_short_while_open_is_an_error_not_wrong_answers(
    rows: Rows, tmp_path: Path
) -> None:
    on_disk = _saved(rows, tmp_path)
    entries = tmp_path / "rows_entries.npy"
    entries.write_bytes(entries.read_bytes()[:-8])  # cut short after it was opened
    last = np.array([len(rows) - 1])
    while rows.indptr[last + 1] == rows.indptr[last]:
        last -= 1  # the last row with entries
    with pytest.raises(OSError, match=r"rows_entries\.npy is shorter"):
        on_disk.ranges(on_disk.indptr[last], np.diff(rows.indptr)[last])


def test_the_limit_on_open_files_is_raised_to_what_the_system_allows() -> None:
    """Each large server's index keeps two files open: a bot with hundreds of them must
    not run out at the usual soft limit of 1,024."""
    resource = pytest.importorskip("resource")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    lowered = min(hard, 256)
    resource.setrlimit(resource.RLIMIT_NOFILE, (lowered, hard))
    try:
        index_files.allow_open_files()
        assert resource.getrlimit(resource.RLIMIT_NOFILE) == (hard, hard)
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_where_there_is_no_pread_the_files_are_read_all_the_same(
    rows: Rows, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(index_files.os, "preadv", raising=False)
    on_disk = _saved(rows, tmp_path)
    starts, lengths = rows.indptr[:-1], np.diff(rows.indptr)
    columns, values = on_disk.ranges(starts, lengths)
    assert columns.tolist() == rows.indices.tolist()
    assert values.tolist() == rows.data.tolist()
