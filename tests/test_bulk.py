"""`factbot import` and `factbot export`: a team's FAQ in and out, all or nothing."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path

import pytest

from bot import bulk
from bot.engine import Engine
from bot.models import Fact, SentenceRef
from tests.conftest import CommandRunner

FAQ = """\
fact_id,question,answer
wifi-password,what is the wifi password,The guest wifi password is on the fridge.
wifi-password,how do I get on the wifi,
wifi-password,"wifi pw, anyone?",
lunch-time,when is lunch,Lunch is at 12:30 in the kitchen.
lunch-time,what time do we eat,
none,who will win the match tonight,
"""


PARKING = "Staff park behind the office. Visitors park at the front."


def _rows(db: Path, table: str) -> int:
    with sqlite3.connect(db) as connection:
        (count,) = connection.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(count)


@pytest.fixture
def faq(tmp_path: Path) -> Path:
    path = tmp_path / "office-faq.csv"
    path.write_text(FAQ, encoding="utf-8")
    return path


def test_a_csv_faq_answers_in_its_server_and_cites_the_file(
    factbot: CommandRunner, faq: Path
) -> None:
    imported = factbot("import", str(faq), "--guild", "42")
    assert imported.returncode == 0, imported.stderr
    assert "2 facts added" in imported.stdout
    assert "5 phrasings and 1 out-of-scope question added." in imported.stdout

    answer = json.loads(factbot("ask", "--json", "--guild", "42", "wifi password?").stdout)
    assert answer["fact_id"] == "wifi-password"
    assert answer["citations"][0]["text"] == "The guest wifi password is on the fridge."
    assert answer["citations"][0]["title"] == "office-faq.csv"
    # Another server never sees it.
    elsewhere = json.loads(factbot("ask", "--json", "--guild", "7", "wifi password?").stdout)
    assert elsewhere["fact_id"] != "wifi-password"


def test_only_an_explicit_global_import_writes_facts_every_server_sees(
    factbot: CommandRunner, faq: Path
) -> None:
    both = factbot("import", str(faq), "--guild", "42", "--global")
    assert both.returncode == 2
    assert "not allowed with argument" in both.stderr

    assert factbot("import", str(faq), "--global").returncode == 0
    for where in ("0", "7", "42"):  # a direct message, and any server
        answer = json.loads(factbot("ask", "--json", "--guild", where, "wifi password?").stdout)
        assert answer["fact_id"] == "wifi-password"


def test_importing_the_same_file_again_changes_nothing(
    factbot: CommandRunner, faq: Path, db_path: Path
) -> None:
    assert factbot("import", str(faq), "--guild", "42").returncode == 0
    counts = {t: _rows(db_path, t) for t in ("facts", "phrasings", "fact_history", "sentences")}
    again = factbot("import", str(faq), "--guild", "42")
    assert again.returncode == 0
    assert "0 facts added, 0 changed, 2 unchanged" in again.stdout
    assert {t: _rows(db_path, t) for t in counts} == counts


@pytest.mark.parametrize(
    ("bad_row", "says"),
    [
        ("Bad Id!,how do I park,Use the back lot.", "row 3: fact_id"),
        ("parking,,Use the back lot.", "row 3: Ask me a question in words"),
        ("parking,where do I park", "row 3: expected 3 fields"),
        ("wifi-password,wifi?,The password is taped under the desk.", "different answer on row 2"),
        ("none,is it friday,Yes.", "row 3: a `none` row"),
        ("lunch,Wifi,Lunch is at noon.", "row 3: “Wifi” is under `wifi-password` on row 2"),
    ],
)
def test_a_bad_row_is_named_and_nothing_from_the_file_is_stored(
    factbot: CommandRunner, tmp_path: Path, db_path: Path, bad_row: str, says: str
) -> None:
    factbot("ask", "hello")  # the database exists, seeded, before the import
    before = {t: _rows(db_path, t) for t in ("facts", "sources", "out_of_scope")}
    path = tmp_path / "faq.csv"
    path.write_text(
        "fact_id,question,answer\nwifi-password,wifi?,The password is on the fridge.\n"
        f"{bad_row}\nnone,what is the weather,\n",
        encoding="utf-8",
    )
    result = factbot("import", str(path), "--guild", "42")
    assert result.returncode == 2
    assert says in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert {t: _rows(db_path, t) for t in before} == before


@pytest.mark.parametrize("server", ["-5", "99999999999999999999", "abc"])
def test_a_server_id_no_server_can_have_is_refused(
    factbot: CommandRunner, faq: Path, db_path: Path, server: str
) -> None:
    """Facts imported for server -5 would be stored where no server ever sees them, and an
    id past 64 bits made the import fail with an unexpected error (exit 1)."""
    factbot("ask", "hello")
    before = _rows(db_path, "facts")
    result = factbot("import", str(faq), "--guild", server)
    assert result.returncode == 2
    assert f"argument --guild: {server!r} is not a server id" in result.stderr
    assert _rows(db_path, "facts") == before
    assert factbot("ask", "--guild", server, "wifi password?").returncode == 2


def test_a_file_that_is_not_an_faq_gets_one_line(factbot: CommandRunner, tmp_path: Path) -> None:
    wrong_header = tmp_path / "faq.csv"
    wrong_header.write_text("question,answer\nq,a\n", encoding="utf-8")
    not_utf8 = tmp_path / "latin.csv"
    not_utf8.write_bytes(b"fact_id,question,answer\nx,caf\xe9?,Yes.\n")
    for path, says in [(wrong_header, "header"), (not_utf8, "not UTF-8")]:
        result = factbot("import", str(path), "--guild", "42")
        assert result.returncode == 2
        assert says in result.stderr


@pytest.mark.parametrize(
    "saved",
    [
        FAQ.replace(",", ";").replace('"wifi pw; anyone?"', '"wifi pw, anyone?"').encode(),
        FAQ.replace(",", "\t").replace('"wifi pw\t anyone?"', "wifi pw, anyone?").encode(),
        FAQ.replace("\n", "\r\n").encode("utf-16"),
        FAQ.replace("\nlunch-time,when", "\n,,\n\nlunch-time,when").encode("utf-8-sig"),
    ],
    ids=["semicolons", "tabs", "utf-16", "blank rows"],
)
def test_a_faq_as_spreadsheets_save_it_reads_as_the_same_faq(saved: bytes) -> None:
    """Semicolons or tabs between fields, UTF-16 text, CRLF lines, blank rows: what
    spreadsheets in other countries and settings save when asked for CSV."""
    assert bulk.parse("office-faq.csv", saved) == bulk.parse("office-faq.csv", FAQ.encode())


def test_export_writes_a_pack_that_imports_back_to_the_same_facts(
    factbot: CommandRunner, faq: Path, tmp_path: Path
) -> None:
    assert factbot("import", str(faq), "--guild", "42").returncode == 0
    pack = tmp_path / "pack"
    exported = factbot("export", "--guild", "42", str(pack))
    assert exported.returncode == 0, exported.stderr
    assert "2 facts, 1 source, 1 out-of-scope question written to" in exported.stdout
    assert factbot("import", str(pack), "--guild", "43").returncode == 0
    again = tmp_path / "again"
    assert factbot("export", "--guild", "43", str(again)).returncode == 0

    def facts(root: Path) -> dict[str, tuple[str, list[str]]]:
        import yaml

        data = yaml.safe_load((root / "facts" / "facts.yaml").read_text(encoding="utf-8"))
        return {f["id"]: (f["answer"], f["questions"]) for f in data["facts"]}

    assert facts(again) == facts(pack)
    assert (again / "questions.yaml").read_text() == (pack / "questions.yaml").read_text()
    answer = json.loads(factbot("ask", "--json", "--guild", "43", "When is lunch?").stdout)
    assert answer["fact_id"] == "lunch-time"


def test_a_zipped_export_imports_back_and_a_zip_reaching_outside_is_refused(
    factbot: CommandRunner, faq: Path, tmp_path: Path, db_path: Path
) -> None:
    assert factbot("import", str(faq), "--guild", "42").returncode == 0
    packed = tmp_path / "office.zip"
    exported = factbot("export", "--guild", "42", str(packed))
    assert exported.returncode == 0, exported.stderr
    assert set(zipfile.ZipFile(packed).namelist()) == {
        "facts/facts.yaml",
        "questions.yaml",
        "sources/office-faq-csv.yaml",
    }
    assert factbot("export", "--guild", "42", str(packed)).returncode == 2  # no overwriting
    imported = factbot("import", str(packed), "--guild", "43")
    assert imported.stdout.startswith("office.zip: 2 facts added, 0 changed, 0 unchanged;")
    answer = json.loads(factbot("ask", "--json", "--guild", "43", "When is lunch?").stdout)
    assert answer["fact_id"] == "lunch-time"

    before = {t: _rows(db_path, t) for t in ("facts", "sources", "out_of_scope")}
    hostile = tmp_path / "hostile.zip"
    with zipfile.ZipFile(hostile, "w") as archive:
        for name in zipfile.ZipFile(packed).namelist():
            archive.writestr(name, zipfile.ZipFile(packed).read(name))
        archive.writestr("../escaped.yaml", "id: x\n")
    refused = factbot("import", str(hostile), "--guild", "44")
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "factbot: hostile.zip: '../escaped.yaml' points outside the pack."
    )
    assert not (tmp_path.parent / "escaped.yaml").exists()
    assert {t: _rows(db_path, t) for t in before} == before


def test_the_shipped_pack_imports_into_a_server(factbot: CommandRunner) -> None:
    from bot.knowledge import default_root

    result = factbot("import", str(default_root()), "--guild", "42")
    assert result.returncode == 0, result.stderr
    # The server saw them as shipped facts; now they are its own versions, same ids.
    assert "0 facts added, 25 changed" in result.stdout
    answer = json.loads(factbot("ask", "--json", "--guild", "42", "how much did meta pay").stdout)
    assert answer["fact_id"] == "meta-investment"


def test_words_given_to_two_facts_are_refused_at_import(
    factbot: CommandRunner, tmp_path: Path
) -> None:
    """Two moderators' rows give one question to two facts: the bot could only ask which
    is meant, so the sheet is sent back with the row to fix, and nothing is stored."""
    path = tmp_path / "clash.csv"
    path.write_text(
        "fact_id,question,answer\n"
        "parking-staff,where do I park,Staff park in lot B.\n"
        "parking-visitors,Where do I park?,Visitors park at the front.\n",
        encoding="utf-8",
    )
    refused = factbot("import", str(path), "--guild", "42")
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "factbot: clash.csv: row 3: “Where do I park?” is under `parking-staff` on row 2 already."
    )
    asked = json.loads(factbot("ask", "--json", "--guild", "42", "where do I park").stdout)
    assert asked["fact_id"] is None or not asked["fact_id"].startswith("parking")

    staff = tmp_path / "staff.csv"
    staff.write_text(
        "fact_id,question,answer\nparking-staff,where do I park,Staff park in lot B.\n",
        encoding="utf-8",
    )
    assert factbot("import", str(staff), "--guild", "42").returncode == 0
    visitors = tmp_path / "visitors.csv"
    visitors.write_text(
        "fact_id,question,answer\nparking-visitors,where do i park?,Visitors park at the front.\n",
        encoding="utf-8",
    )
    refused = factbot("import", str(visitors), "--guild", "42")
    assert refused.stderr.strip() == (
        "factbot: visitors.csv: “where do i park?” (`parking-visitors`) is a phrasing of "
        "`parking-staff` already."
    )
    unwanted = tmp_path / "unwanted.csv"
    unwanted.write_text("fact_id,question,answer\nnone,Where do I park,\n", encoding="utf-8")
    assert factbot("import", str(unwanted), "--guild", "42").stderr.strip() == (
        "factbot: unwanted.csv: “Where do I park”, not to be answered, is a phrasing of "
        "`parking-staff`."
    )

    # Removed, its words may go to another fact; importing it again does not take them back.
    chat = factbot("chat", "--guild", "42", stdin="!fact remove id: parking-staff\n\n")
    assert "Removed `parking-staff`" in chat.stdout
    assert factbot("import", str(visitors), "--guild", "42").returncode == 0
    assert factbot("import", str(staff), "--guild", "42").stderr.strip() == (
        "factbot: staff.csv: “where do I park” (`parking-staff`) is a phrasing of "
        "`parking-visitors` already."
    )


async def test_words_two_facts_were_given_before_are_asked_back_not_decided(
    db_path: Path,
) -> None:
    """A knowledge base from before such words were refused: the bot cannot know which
    is meant, so it asks instead of answering with whichever sorts first."""
    async with await Engine.open(db_path) as engine:
        await engine.curator.add_source(42, title="Parking", text=PARKING, actor="al")
        for fact_id, sentence in (("parking-staff", "s1"), ("parking-visitors", "s2")):
            fact = Fact(
                id=fact_id,
                guild_id=42,
                answer=fact_id,
                questions=("where do I park",),
                cites=(SentenceRef(source_id="parking", sentence_id=sentence),),
            )
            await engine.store.save_fact(fact, "add", "an older factbot", None)
    async with await Engine.open(db_path) as engine:
        await engine.ready(42)
        answer = engine.ask("Where do I park?", 42)
    assert not answer.answered
    assert [s.fact_id for s in answer.suggestions][:2] == ["parking-staff", "parking-visitors"]


def test_a_sheet_without_the_header_says_what_it_has(
    factbot: CommandRunner, tmp_path: Path
) -> None:
    """The usual FAQ sheet has two columns: the moderator sees which one is missing."""
    path = tmp_path / "faq.csv"
    path.write_text("Question,Answer\nWhere do I park?,Lot B.\n", encoding="utf-8")
    result = factbot("import", str(path), "--guild", "42")
    assert result.returncode == 2
    assert result.stderr == (
        "factbot: faq.csv: row 1 must be the header fact_id,question,answer, not Question,Answer.\n"
    )
