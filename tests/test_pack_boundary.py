"""The engine knows no article: the shipped pack's fact ids and entity names live in
`knowledge/`, never in `bot/` (code, comments and messages alike)."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from bot.knowledge import default_root, load_knowledge

BOT = Path(__file__).parents[1] / "bot"


GENERIC = {"meta", "scale"}
"""Entity names that are also plain English words the code uses in lowercase (the store's
``meta`` table, an embedding's ``scale``); capitalised, they are still caught."""


def _pack_names() -> tuple[set[str], set[str]]:
    """Fact ids and entity names (any case), and generic-word entities (as capitalised)."""
    pack = load_knowledge(default_root())
    aliases = yaml.safe_load((default_root() / "aliases.yaml").read_text(encoding="utf-8"))
    names = set()
    for canonical, others in (aliases.get("entities") or {}).items():
        names |= {canonical, *(others or [])}
    names |= set(aliases.get("people") or [])
    # Names of three letters or fewer ("ai", "fb") are too common to mean the article.
    names = {n.lower() for n in names if len(n) > 3}
    return {f.id for f in pack.facts} | (names - GENERIC), {n.capitalize() for n in names & GENERIC}


def _alternatives(words: set[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


def test_no_shipped_fact_id_or_entity_appears_under_bot() -> None:
    anywhere, capitalised = _pack_names()
    assert {"google", "meta-investment"} <= anywhere  # the check reads the pack it guards
    pattern = re.compile(
        rf"(?<![\w-])(?:(?i:{_alternatives(anywhere)})|{_alternatives(capitalised)})(?![\w-])"
    )
    found = [
        f"{path.relative_to(BOT.parent)}:{number}: {match.group(0)}"
        for path in sorted(BOT.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        for match in pattern.finditer(line)
    ]
    assert not found, "\n".join(found)
