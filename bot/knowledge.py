"""Reads and validates the knowledge base shipped in the ``knowledge`` package.

Layout::

    knowledge/sources/<id>.yaml   metadata + sentences with stable ids (+ the raw text file)
    knowledge/facts/<name>.yaml   facts citing those sentences
    knowledge/aliases.yaml        entity and word synonyms
    knowledge/questions.yaml      labelled questions the matcher learns from: fact id ->
                                  questions; ``none`` -> questions that must not be answered
                                  (``a+b`` labels need two facts: kept for evaluation only)
    knowledge/encoded.npz         optional: the sentence vectors of the pack's texts,
                                  worked out ahead (``scripts/encode_ahead.py``)

Nothing is guessed: every problem is collected and reported together, each naming its file
and, where there is one, its fact.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.cache_files import keep, read_kept
from bot.errors import BadInput
from bot.matcher import NONE, Example, Vocabulary
from bot.matcher.encoder import known_ahead
from bot.matcher.text import fold
from bot.models import Fact, Sentence, SentenceRef, Source

if TYPE_CHECKING:
    import yaml

log = logging.getLogger(__name__)

CACHE_FORMAT = "factbot-pack-4"
"""Names a knowledge base kept parsed in the cache folder; change it when reading a pack
or a class the pickle holds (``KnowledgeBase``, ``Fact``, ``Source``, ``Example``,
``Vocabulary``) changes."""


ENCODED = "encoded.npz"
"""A pack's sentence vectors of its own texts, so that its first fit need not encode them."""


class KnowledgeError(Exception):
    """The knowledge base is invalid; ``problems`` lists every reason, one line each."""

    def __init__(self, problems: Iterable[str]) -> None:
        self.problems = list(problems)
        super().__init__("invalid knowledge base:\n  " + "\n  ".join(self.problems))


@dataclass(frozen=True)
class Aliases:
    entities: dict[str, tuple[str, ...]]
    words: dict[str, tuple[str, ...]]
    people: frozenset[str] = frozenset()
    """The entities that are people."""
    qualifiers: frozenset[str] = frozenset()
    """Words that ask about someone or something other than a fact names ("new", "former")."""


@dataclass(frozen=True)
class KnowledgeBase:
    sources: tuple[Source, ...]
    facts: tuple[Fact, ...]
    aliases: Aliases
    digest: str
    """A hash of every file, so the store re-seeds only when the shipped files change."""
    examples: tuple[Example, ...] = ()
    """Labelled questions beside the facts' own phrasings (``questions.yaml``)."""

    @cached_property
    def vocabulary(self) -> Vocabulary:
        """The aliases as questions are read with them; kept with the parsed pack, since
        building it (folding 1,700 spellings of the shipped pack) took 5 ms of every start."""
        return Vocabulary(self.aliases.entities, self.aliases.words)


class _Strict(BaseModel):
    # Built when first used: a start that finds the pack in the cache reads no YAML.
    model_config = ConfigDict(extra="forbid", defer_build=True)


class _SourceFile(_Strict):
    id: str
    title: str
    publisher: str = "unknown"
    url: str | None = None
    date: str | None = None
    text_file: str | None = None
    sentences: dict[str, str] = Field(min_length=1)


class _FactEntry(_Strict):
    id: str
    answer: str
    cite: list[str] = Field(min_length=1)
    questions: list[str] = Field(min_length=1)
    keywords: list[str] = []


class _FactsFile(_Strict):
    source: str
    facts: list[dict[str, Any]]


class _AliasesFile(_Strict):
    entities: dict[str, list[str] | None] = {}
    people: list[str] = []
    words: dict[str, list[str] | None] = {}
    qualifiers: list[str] = []


def default_root() -> Path:
    return Path(str(importlib.resources.files("knowledge")))


def parse_ref(text: str, default_source: str | None) -> SentenceRef:
    """``s4`` (in the default source) or ``other-source:s4``."""
    source_id, sep, sentence_id = text.strip().rpartition(":")
    if not sep:
        if default_source is None:
            raise ValueError(f"{text!r} does not say which source it is in")
        source_id = default_source
    return SentenceRef(source_id=source_id, sentence_id=sentence_id)


def _describe(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']}" for e in error.errors()
    )


def parse_yaml(text: str) -> Any:
    """`yaml.safe_load`, with libyaml's loader where PyYAML was built with it (its wheels
    are): the pure-Python loader took half the time of a start that reads the pack."""
    import yaml  # here: a warm start reads the pack from the cache and needs no YAML

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def yaml_problem(error: yaml.YAMLError) -> str:
    """PyYAML's several-line report as one line: ``line 2, column 1: did not find …``."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    return f"line {mark.line + 1}, column {mark.column + 1}: {problem}" if mark else problem


def read_yaml_file(path: Path) -> Any:
    """A YAML file a user named on the command line, or :class:`BadInput` saying in one
    line why it cannot be read."""
    import yaml

    try:
        return parse_yaml(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BadInput(f"{path}: cannot read: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise BadInput(f"{path}: not UTF-8 text (byte {error.start + 1}).") from None
    except yaml.YAMLError as error:
        raise BadInput(f"{path}: not valid YAML: {yaml_problem(error)}") from None


def _read_yaml(path: Path, root: Path, problems: list[str]) -> Any:
    import yaml

    try:
        return parse_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        problems.append(f"{path.relative_to(root.parent)}: not valid YAML: {yaml_problem(error)}")
    except (OSError, UnicodeDecodeError) as error:
        problems.append(f"{path.relative_to(root.parent)}: cannot read: {error}")
    return None


def load_knowledge(root: Path | None = None, *, cache_dir: Path | None = None) -> KnowledgeBase:
    """Load and validate the knowledge base in ``root`` (the shipped one by default).

    With ``cache_dir``, a knowledge base read before is taken from there, named by a hash of
    its files: parsing its YAML was a fifth of the time `factbot ask` takes."""
    root = root or default_root()
    if (encoded := root / ENCODED).exists():
        known_ahead(encoded)
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.suffix in {".yaml", ".txt"}):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    if cache_dir is None:
        return _parsed(root, digest.hexdigest())
    cached = cache_dir / f"{CACHE_FORMAT}-{digest.hexdigest()}.pickle"
    if (knowledge := read_kept(cached, KnowledgeBase)) is not None:
        return knowledge
    knowledge = _parsed(root, digest.hexdigest())
    _ = knowledge.vocabulary  # built now, to be kept with the rest
    try:
        keep(cached, knowledge)
    except OSError as error:
        log.warning("cannot keep the knowledge base in %s: %s", cache_dir, error)
    return knowledge


def _parsed(root: Path, digest: str) -> KnowledgeBase:
    problems: list[str] = []
    sources = _load_sources(root, problems)
    facts = _load_facts(root, {s.id: s for s in sources}, problems)
    aliases = _load_aliases(root, problems)
    # Checked only against facts that loaded: a broken fact would read as a missing one.
    examples = _load_examples(root, {f.id for f in facts}, problems) if not problems else []
    if problems:
        raise KnowledgeError(problems)
    return KnowledgeBase(tuple(sources), tuple(facts), aliases, digest, tuple(examples))


def _load_examples(root: Path, fact_ids: set[str], problems: list[str]) -> list[Example]:
    """``questions.yaml``: fact id (or ``none``) -> questions. A label joining two facts
    with ``+`` asks for both at once: it is there to be measured, not learned from."""
    path = root / "questions.yaml"
    if not path.exists():
        return []
    data = _read_yaml(path, root, problems)
    if not isinstance(data, dict):
        problems.append(f"{path.relative_to(root.parent)}: expected fact id -> questions")
        return []
    examples = []
    for label, questions in data.items():
        if unknown := [p for p in str(label).split("+") if p not in fact_ids | {NONE}]:
            problem = f"{path.relative_to(root.parent)}: unknown fact {unknown[0]!r}"
            if problem not in problems:
                problems.append(problem)
            continue
        if "+" not in str(label):
            examples += [Example(str(q), str(label)) for q in questions or ()]
    return examples


def _yaml_files(root: Path, folder: str, problems: list[str]) -> Iterator[tuple[Path, Any]]:
    """Each readable YAML file in a folder of the knowledge base, with its contents."""
    for path in sorted((root / folder).glob("*.yaml")):
        data = _read_yaml(path, root, problems)
        if data is not None:
            yield path, data


def _load_sources(root: Path, problems: list[str]) -> list[Source]:
    sources: list[Source] = []
    for path, data in _yaml_files(root, "sources", problems):
        name = path.relative_to(root.parent)
        try:
            raw = _SourceFile.model_validate(data)
            source = Source(
                id=raw.id,
                title=raw.title,
                publisher=raw.publisher,
                url=raw.url,
                date=raw.date,
                sentences=tuple(
                    Sentence(source_id=raw.id, id=sid, text=text)
                    for sid, text in raw.sentences.items()
                ),
            )
        except ValidationError as error:
            problems.append(f"{name}: {_describe(error)}")
            continue
        if any(s.id == source.id for s in sources):
            problems.append(f"{name}: duplicate source id {source.id!r}")
            continue
        if raw.text_file:
            document = (path.parent / raw.text_file).read_text(encoding="utf-8")
            problems.extend(
                f"{name}: sentence {s.id} is not verbatim in {raw.text_file}"
                for s in source.sentences
                if s.text not in document
            )
        sources.append(source)
    if not sources:
        problems.append(f"{root.name}/sources: no source files")
    return sources


def _load_facts(root: Path, sources: dict[str, Source], problems: list[str]) -> list[Fact]:
    facts: dict[str, Fact] = {}
    for path, data in _yaml_files(root, "facts", problems):
        name = path.relative_to(root.parent)
        try:
            file = _FactsFile.model_validate(data)
        except ValidationError as error:
            problems.append(f"{name}: {_describe(error)}")
            continue
        for position, entry in enumerate(file.facts, start=1):
            label = f"fact {entry.get('id', f'#{position}')!r}"
            try:
                raw = _FactEntry.model_validate(entry)
                fact = Fact(
                    id=raw.id,
                    answer=raw.answer,
                    questions=tuple(raw.questions),
                    keywords=tuple(raw.keywords),
                    cites=tuple(parse_ref(ref, file.source) for ref in raw.cite),
                )
            except (ValidationError, ValueError) as error:
                reason = _describe(error) if isinstance(error, ValidationError) else str(error)
                problems.append(f"{name}: {label}: {reason}")
                continue
            if fact.id in facts:
                problems.append(f"{name}: {label}: duplicate fact id")
                continue
            for ref in fact.cites:
                source = sources.get(ref.source_id)
                if source is None:
                    problems.append(f"{name}: {label}: cites unknown source {ref.source_id!r}")
                elif source.sentence(ref.sentence_id) is None:
                    problems.append(
                        f"{name}: {label}: cites {ref.sentence_id}, "
                        f"which is not a sentence of {ref.source_id}"
                    )
            facts[fact.id] = fact
    if not facts:
        problems.append(f"{root.name}/facts: no facts")
    return list(facts.values())


def _load_aliases(root: Path, problems: list[str]) -> Aliases:
    path = root / "aliases.yaml"
    if not path.exists():
        return Aliases({}, {})
    data = _read_yaml(path, root, problems) or {}
    try:
        raw = _AliasesFile.model_validate(data)
    except ValidationError as error:
        problems.append(f"{path.relative_to(root.parent)}: {_describe(error)}")
        return Aliases({}, {})
    unknown = set(raw.people) - set(raw.entities)
    if unknown:
        problems.append(
            f"{path.relative_to(root.parent)}: people not in entities: {sorted(unknown)}"
        )
    entities = {k: tuple(v or ()) for k, v in raw.entities.items()}
    words = {k: tuple(v or ()) for k, v in raw.words.items()}
    problems += [f"{path.relative_to(root.parent)}: {clash}" for clash in _clashes(entities, words)]
    return Aliases(
        entities=entities,
        words=words,
        people=frozenset(raw.people),
        qualifiers=frozenset(raw.qualifiers),
    )


def _clashes(*synonyms: dict[str, tuple[str, ...]]) -> list[str]:
    """A spelling listed under two canonical words: only one of them could ever apply."""
    seen: dict[str, str] = {}
    clashes = []
    for table in synonyms:
        for canonical, variants in table.items():
            for variant in variants:
                first = seen.setdefault(fold(variant), canonical)
                if first != canonical:
                    clashes.append(f"{variant!r} is listed under both {first} and {canonical}")
    return clashes
