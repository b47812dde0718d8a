"""A document file a moderator registers, as the text its sentences are taken from.

A Markdown file (a handbook kept in a wiki or a repository) is read for its words, as a
reader of the rendered page sees them: each heading, paragraph, list item and table row
on a line of its own, links and images by their text, and no markup. A citation then
quotes "Staff park in lot B.", not "Staff park in **lot B**.", and the registered text it
quotes is that reading of the file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from bot.bulk import decoded
from bot.errors import BadInput

if TYPE_CHECKING:
    from markdown_it.token import Token

PLAIN = (".txt",)
MARKDOWN = (".md", ".markdown")
KINDS = "a .txt or .md file"
"""What the commands say they take."""

_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
"""The settings a site generator (Jekyll, Hugo, MkDocs) reads from a page's top."""


def document_text(name: str, data: bytes) -> str:
    """The text of an attached document named ``name``; BadInput for another kind of file
    or one that is not UTF-8 text."""
    suffix = PurePosixPath(name.lower()).suffix
    if suffix not in PLAIN + MARKDOWN:
        raise BadInput(f"{name}: give the document as {KINDS}.")
    text = decoded(name, data)
    return markdown_text(text) if suffix in MARKDOWN else text


def markdown_text(markdown: str) -> str:
    """What the rendered page says, a line per block; fenced code keeps its lines."""
    from markdown_it import MarkdownIt  # here: only a registered document is read with it

    markdown = _FRONT_MATTER.sub("", markdown, count=1)
    lines: list[str] = []
    row: list[str] | None = None  # the cells of the table row being read
    for token in MarkdownIt("commonmark").enable("table").parse(markdown):
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            lines.append(" | ".join(cell for cell in row if cell))
            row = None
        elif token.type == "inline":
            said = _inline(token.children or ())
            if row is not None:
                row.append(" ".join(said.split()))
            else:
                lines += said.splitlines()
        elif token.type in ("fence", "code_block"):
            lines += token.content.splitlines()
    return "\n".join(line.strip() for line in lines if line.strip())


def _inline(children: Sequence[Token]) -> str:
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type == "image":
            parts.append(_inline(child.children or ()))  # its alt text
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
    return "".join(parts)
