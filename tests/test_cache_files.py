"""Kept files: large arrays come back mapped, not copied, and a damaged file is made again."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.cache_files import LARGE, keep, read_kept


def _value() -> dict[str, object]:
    return {
        "small": np.arange(3),
        "large": np.arange(LARGE, dtype=np.float32),
        "text": "kept",
    }


def test_a_kept_value_reads_back_whole_with_its_large_arrays_mapped(tmp_path: Path) -> None:
    path = tmp_path / "factbot-test-1-x.pickle"
    keep(path, _value())
    back = read_kept(path, dict)
    assert back is not None
    assert back["text"] == "kept"
    np.testing.assert_array_equal(back["small"], np.arange(3))
    np.testing.assert_array_equal(back["large"], np.arange(LARGE, dtype=np.float32))
    assert not back["large"].flags.owndata  # a view of the mapped file


def test_writing_to_a_mapped_array_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "factbot-test-1-x.pickle"
    keep(path, _value())
    first = read_kept(path, dict)
    assert first is not None
    first["large"][0] = 7.0  # a quick update may refit weights in place
    again = read_kept(path, dict)
    assert again is not None
    assert again["large"][0] == 0.0


def test_a_damaged_or_foreign_file_is_not_read(tmp_path: Path) -> None:
    path = tmp_path / "factbot-test-1-x.pickle"
    keep(path, _value())
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    assert read_kept(path, dict) is None
    path.write_bytes(b"not a kept file")
    assert read_kept(path, dict) is None
    path.write_bytes(b"")
    assert read_kept(path, dict) is None
    assert read_kept(tmp_path / "missing.pickle", dict) is None


def test_a_value_of_another_kind_is_not_taken(tmp_path: Path) -> None:
    path = tmp_path / "factbot-test-1-x.pickle"
    keep(path, [1, 2])
    assert read_kept(path, dict) is None
