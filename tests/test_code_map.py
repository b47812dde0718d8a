"""docs/code.md is the newcomer's map of `bot/`: it must name every module there, and
nothing that is gone. And the boundary it states: only the Discord adapter imports
discord.py."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOT = ROOT / "bot"
CODE_MAP = ROOT / "docs" / "code.md"


def _modules() -> list[Path]:
    return sorted(p for p in BOT.rglob("*.py") if "__pycache__" not in p.parts)


def _module_table() -> str:
    text = CODE_MAP.read_text(encoding="utf-8")
    return text.split("## Every module", 1)[1].split("\n## ", 1)[0]


def test_the_code_map_names_every_module() -> None:
    table = _module_table()
    missing = [str(p.relative_to(ROOT)) for p in _modules() if f"`{p.name}`" not in table]
    assert missing == [], f"docs/code.md does not name {missing}"


def test_the_code_map_names_no_module_that_is_gone() -> None:
    names = {p.name for p in _modules()}
    named = set(re.findall(r"`([\w/]*?(\w+\.py))`", _module_table()))
    gone = sorted(whole for whole, name in named if name not in names)
    assert gone == [], f"docs/code.md names modules that do not exist: {gone}"


def test_only_the_discord_adapter_imports_discord() -> None:
    adapter = BOT / "discord_bot"
    importing = []
    for path in _modules():
        if adapter in path.parents:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                found = [node.module or ""]
            else:
                continue
            if any(name.split(".")[0] == "discord" for name in found):
                importing.append(str(path.relative_to(ROOT)))
    assert importing == [], f"the core imports discord.py in {importing}"
