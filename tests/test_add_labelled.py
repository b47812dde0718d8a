"""scripts/add_labelled.py: a labelled batch goes into dev.yaml once, one label at a time."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.evaluation import load_labelled

_SCRIPT = Path(__file__).parent.parent / "scripts" / "add_labelled.py"
_spec = importlib.util.spec_from_file_location("add_labelled", _SCRIPT)
assert _spec is not None
assert _spec.loader is not None
add_labelled = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(add_labelled)

DEV = """\
# A comment stays.
meta-investment:
- how much did meta pay
google-planned-spend:
- what was google's budget
none:
- how much did amazon pay
"""


@pytest.fixture
def dev(tmp_path: Path) -> Path:
    path = tmp_path / "dev.yaml"
    path.write_text(DEV, encoding="utf-8")
    return path


@pytest.fixture
def batch(tmp_path: Path) -> Callable[[str], Path]:
    def write(text: str) -> Path:
        path = tmp_path / "batch.yaml"
        path.write_text(text, encoding="utf-8")
        return path

    return write


def test_each_label_gets_its_questions_after_its_last_one(
    dev: Path, batch: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    new = batch(
        "none:\n- what did apple pay\n"
        "meta-investment:\n- 'meta paid: how much?'\n"
        "meta-investment+google-planned-spend:\n- meta's stake and google's budget\n"
    )
    assert add_labelled.main([str(new), "--into", str(dev)]) == 0
    assert dev.read_text(encoding="utf-8").splitlines() == [
        "# A comment stays.",
        "meta-investment:",
        "- how much did meta pay",
        "- 'meta paid: how much?'",
        "google-planned-spend:",
        "- what was google's budget",
        "none:",
        "- how much did amazon pay",
        "- what did apple pay",
        "meta-investment+google-planned-spend:",
        "- meta's stake and google's budget",
    ]
    assert len(load_labelled(dev)) == 6
    assert "added 3 questions (1 not answerable)" in capsys.readouterr().out


def test_a_question_labelled_before_is_refused_until_dropped(
    dev: Path, batch: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    new = batch("meta-investment:\n- How much did Meta pay?\n- what did meta pay for scale\n")
    assert add_labelled.main([str(new), "--into", str(dev)]) == 2
    assert "labelled already" in capsys.readouterr().err
    assert dev.read_text(encoding="utf-8") == DEV

    assert add_labelled.main([str(new), "--into", str(dev), "--drop-known"]) == 0
    assert [item.question for item in load_labelled(new)] == ["what did meta pay for scale"]
    assert dev.read_text(encoding="utf-8") == DEV  # dropping adds nothing
    assert add_labelled.main([str(new), "--into", str(dev)]) == 0
    assert "- what did meta pay for scale" in dev.read_text(encoding="utf-8").splitlines()


def test_a_label_that_names_no_fact_is_refused(
    dev: Path, batch: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    new = batch("meta-investmnet:\n- how much was meta's stake\n")
    assert add_labelled.main([str(new), "--into", str(dev)]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert "meta-investmnet" in error
    assert dev.read_text(encoding="utf-8") == DEV
