"""Knowledge in bulk: a CSV FAQ, a pack directory or a pack zipped read into a
:class:`Bundle`, checked whole before anything is stored, and a guild's own knowledge
written out as a pack (a folder, or zipped) that imports back to the same facts.

A CSV FAQ has the header ``fact_id,question,answer``. Rows sharing a ``fact_id`` are
phrasings of one fact; the answer on its first row is the fact's answer and becomes a
sentence of a source named after the file, which the fact cites. ``fact_id`` ``none``
marks a question that must not be answered.
"""

from __future__ import annotations

import codecs
import csv
import io
import tempfile
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath

import yaml

from bot.curation import FACT_ID, check_answer, check_question
from bot.errors import BadInput
from bot.knowledge import KnowledgeError, load_knowledge
from bot.matcher import NONE
from bot.matcher.text import said_key
from bot.models import Fact, SentenceRef, Source

HEADER = ["fact_id", "question", "answer"]
MAX_ZIP_FILES = 1_000
MAX_UNZIPPED = 50_000_000


@dataclass(frozen=True)
class Bundle:
    """Knowledge read from one file or folder, valid as a whole, not yet stored."""

    name: str
    sources: tuple[Source, ...]
    facts: tuple[Fact, ...]
    out_of_scope: tuple[str, ...]

    @property
    def phrasings(self) -> int:
        return sum(len(f.questions) for f in self.facts)


def write_csv(path: Path, facts: Mapping[str, tuple[Sequence[str], str]]) -> None:
    """A CSV FAQ of facts given as ``fact_id -> (phrasings, answer)``: one row per
    phrasing, the answer on each fact's first."""
    with path.open("w", encoding="utf-8", newline="") as file:
        out = csv.writer(file)
        out.writerow(HEADER)
        for fact_id, (phrasings, answer) in facts.items():
            for i, phrasing in enumerate(phrasings):
                out.writerow([fact_id, phrasing, answer if i == 0 else ""])


def read(path: Path) -> Bundle:
    """What ``factbot import PATH`` names: a CSV FAQ, a pack folder or a zipped pack."""
    if path.is_dir():
        return read_pack(path)
    if path.suffix.lower() in {".csv", ".zip"} and path.is_file():
        try:
            data = path.read_bytes()
        except OSError as error:
            raise BadInput(f"{path}: cannot read it ({error.strerror}).") from None
        return parse(path.name, data)
    if not path.exists():
        raise BadInput(f"{path}: no such file or folder.")
    raise BadInput(f"{path}: import takes a .csv file, a pack folder like knowledge/ or its .zip.")


def parse(name: str, data: bytes) -> Bundle:
    """A file's contents, by its name: a CSV FAQ or a zipped pack."""
    if name.lower().endswith(".zip"):
        return read_zip(name, data)
    return parse_csv(name, decoded(name, data))


def _rows(name: str, text: str) -> Iterator[tuple[int, list[str]]]:
    """Each CSV record with its row number as a spreadsheet shows it (the header is 1),
    the blank rows spreadsheets leave left out."""
    lines = text.splitlines(keepends=True)
    try:
        for number, row in enumerate(
            csv.reader(lines, delimiter=_delimiter(lines), strict=True), 1
        ):
            if any(cell.strip() for cell in row):
                yield number, row
    except csv.Error as error:
        raise BadInput(f"{name}: not valid CSV ({error}).") from None


def _delimiter(lines: Sequence[str]) -> str:
    """Spreadsheets save "CSV" with semicolons in many countries, and some export tabs:
    the header row says which."""
    header = lines[0] if lines else ""
    for delimiter in ",;\t":
        if [h.strip().strip('"').lower() for h in header.split(delimiter)] == HEADER:
            return delimiter
    return ","


def decoded(name: str, data: bytes) -> str:
    """A file's bytes as text, its lines ending in "\n" whatever wrote it (a spreadsheet's
    byte-order mark dropped), or one line saying where it is not UTF-8. Text with a UTF-16
    byte-order mark (a spreadsheet's "Unicode text") is read as such."""
    try:
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = data.decode("utf-16")
        else:
            text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BadInput(f"{name}: not UTF-8 text (byte {error.start:,}).") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_csv(name: str, text: str) -> Bundle:
    """A CSV FAQ's text (from a file called ``name``: the new source's title)."""
    rows = _rows(name, text)
    header = next(rows, (1, []))[1]
    if [h.strip().lower() for h in header] != HEADER:
        found = ",".join(header)
        found = f", not {found[:60]}{'…' if len(found) > 60 else ''}" if found.strip() else ""
        raise BadInput(f"{name}: row 1 must be the header {','.join(HEADER)}{found}.")
    questions: dict[str, list[str]] = {}
    answers: dict[str, tuple[str, int]] = {}
    out_of_scope: list[str] = []
    said: dict[str, tuple[str, int]] = {}  # a question's words -> its fact_id and row
    for number, row in rows:
        try:
            fact_id, question, answer = _checked_row(row, answers)
            owner, first = said.setdefault(said_key(question), (fact_id, number))
            if owner != fact_id:
                # Under two ids, the bot could only ask which.
                raise BadInput(f"“{question}” is under `{owner}` on row {first} already.")
        except BadInput as error:
            raise BadInput(f"{name}: row {number}: {error}") from None
        if fact_id == NONE:
            out_of_scope.append(question)
            continue
        if fact_id not in answers:
            answers[fact_id] = (answer, number)
        known = questions.setdefault(fact_id, [])
        if question.casefold() not in (q.casefold() for q in known):
            known.append(question)
    if not questions and not out_of_scope:
        raise BadInput(f"{name}: no rows under the header.")
    source_id = "import"  # given its real id when the bundle is stored (bot.curation)
    sentences = {answer: f"s{n}" for n, (answer, _) in enumerate(answers.values(), start=1)}
    source = Source.model_validate(
        {
            "id": source_id,
            "title": name,
            "sentences": [
                {"source_id": source_id, "id": sid, "text": said} for said, sid in sentences.items()
            ],
        }
    )
    facts = tuple(
        Fact(
            id=fact_id,
            answer=answers[fact_id][0],
            questions=tuple(qs),
            cites=(SentenceRef(source_id=source_id, sentence_id=sentences[answers[fact_id][0]]),),
        )
        for fact_id, qs in questions.items()
    )
    return Bundle(name, (source,) if facts else (), facts, tuple(out_of_scope))


def _checked_row(row: list[str], answers: dict[str, tuple[str, int]]) -> tuple[str, str, str]:
    if len(row) != len(HEADER):
        raise BadInput(f"expected 3 fields ({','.join(HEADER)}), found {len(row)}.")
    fact_id, question, answer = (cell.strip() for cell in row)
    fact_id = fact_id.lower()
    if fact_id != NONE and not FACT_ID.fullmatch(fact_id):
        raise BadInput(
            f"fact_id {fact_id[:40]!r} must be up to 64 lowercase letters, digits and dashes."
        )
    question = check_question(question)
    if fact_id == NONE:
        if answer:
            raise BadInput("a `none` row is a question not to answer: leave its answer empty.")
        return fact_id, question, ""
    if fact_id not in answers:
        if not answer:
            raise BadInput(f"the first row of `{fact_id}` needs its answer.")
        return fact_id, question, check_answer(answer)
    first, first_row = answers[fact_id]
    if answer and check_answer(answer) != first:
        raise BadInput(f"`{fact_id}` has a different answer on row {first_row}.")
    return fact_id, question, first


def read_pack(root: Path) -> Bundle:
    try:
        pack = load_knowledge(root)
    except KnowledgeError as error:
        raise BadInput(f"{root.name}: {error.problems[0]}") from None
    extra: dict[str, list[str]] = {}
    for example in pack.examples:
        extra.setdefault(example.label, []).append(example.text)
    facts = []
    for fact in pack.facts:
        questions = list(fact.questions)
        for text in extra.get(fact.id, ()):
            if text.casefold() not in (q.casefold() for q in questions):
                questions.append(text)
        facts.append(fact.model_copy(update={"questions": tuple(questions)}))
    # A labelled question that is also a fact's phrasing is that fact's: the phrasing
    # answers it word for word wherever the pack is (the shipped one has three such).
    phrased = {said_key(q) for f in facts for q in f.questions}
    out_of_scope = tuple(q for q in extra.get(NONE, ()) if said_key(q) not in phrased)
    return Bundle(root.name, pack.sources, tuple(facts), out_of_scope)


def write_pack(
    root: Path, sources: list[Source], facts: list[Fact], out_of_scope: list[str]
) -> None:
    """A pack folder as ``knowledge/`` lays it out, loadable by :func:`read_pack`."""
    if root.exists() and (not root.is_dir() or any(root.iterdir())):
        raise BadInput(f"{root}: export needs a new or empty folder.")
    (root / "sources").mkdir(parents=True, exist_ok=True)
    (root / "facts").mkdir(exist_ok=True)
    for source in sources:
        data = {
            "id": source.id,
            "title": source.title,
            "publisher": source.publisher,
            "url": source.url,
            "date": source.date.isoformat() if source.date else None,
            "sentences": {s.id: s.text for s in source.sentences},
        }
        _dump(root / "sources" / f"{source.id}.yaml", data)
    _dump(
        root / "facts" / "facts.yaml",
        {
            "source": sources[0].id,
            "facts": [
                {
                    "id": f.id,
                    "answer": f.answer,
                    "cite": [f"{r.source_id}:{r.sentence_id}" for r in f.cites],
                    "questions": list(f.questions),
                    **({"keywords": list(f.keywords)} if f.keywords else {}),
                }
                for f in facts
            ],
        },
    )
    if out_of_scope:
        _dump(root / "questions.yaml", {NONE: out_of_scope})


def zipped_pack(sources: list[Source], facts: list[Fact], out_of_scope: list[str]) -> bytes:
    """:func:`write_pack`'s folder as a .zip, its files at the top."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "pack"
        write_pack(root, sources, facts, out_of_scope)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(p for p in root.rglob("*") if p.is_file()):
                archive.write(path, path.relative_to(root).as_posix())
        return buffer.getvalue()


def read_zip(name: str, data: bytes) -> Bundle:
    """A zipped pack (its files at the top or in one folder). Only its YAML and text files
    are unpacked, each inside the pack, within bounds: it may come from anyone."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, ValueError):
        raise BadInput(f"{name}: not a .zip file.") from None
    wanted = [i for i in members if PurePosixPath(i.filename).suffix in {".yaml", ".txt"}]
    if len(members) > MAX_ZIP_FILES or sum(i.file_size for i in wanted) > MAX_UNZIPPED:
        raise BadInput(f"{name}: too big; a pack of up to {MAX_ZIP_FILES} files and 50 MB.")
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / Path(name).name  # so a problem reads "pack.zip/facts/…"
        for info in wanted:
            inside = PurePosixPath(info.filename)
            if inside.is_absolute() or ".." in inside.parts or "\\" in info.filename:
                raise BadInput(f"{name}: {info.filename[:80]!r} points outside the pack.")
            target = root.joinpath(*inside.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                target.write_bytes(archive.read(info))
            except (zipfile.BadZipFile, NotImplementedError, RuntimeError) as error:
                raise BadInput(f"{name}: cannot unpack {info.filename[:80]!r} ({error}).") from None
        tops = list(root.iterdir()) if root.is_dir() else []
        if len(tops) == 1 and tops[0].is_dir() and tops[0].name not in {"facts", "sources"}:
            root = tops[0]
        bundle = read_pack(root)
    return replace(bundle, name=name)


def _dump(path: Path, data: object) -> None:
    path.write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100), encoding="utf-8"
    )
