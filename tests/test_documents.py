"""Documents a moderator attaches: whatever the file holds, it is read or refused in one
line, and a Markdown file reads as its rendered page."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.documents import document_text, markdown_text
from bot.errors import BadInput

MARKDOWN_BITS = st.sampled_from(
    ["#", "##", "*", "**", "_", "`", "```", "~~", ">", "-", "1.", "|", "---", "[", "]", "(",
     ")", "!", "<b>", "<!--", "-->", "\\", "\n", "\n\n", " ", "lot B", "word", "é", "日本"]
)  # fmt: skip


@given(st.lists(MARKDOWN_BITS | st.text(max_size=5), max_size=60).map("".join))
def test_any_markdown_reads_as_lines_of_text(markdown: str) -> None:
    text = markdown_text(markdown)
    assert all(line.strip() == line and line for line in text.splitlines())


@given(st.binary(max_size=200), st.sampled_from(["a.md", "a.txt", "a.pdf", "A.MD", "md"]))
def test_any_file_is_read_or_refused_in_one_line(data: bytes, name: str) -> None:
    refusal = _refusal(name, data)
    assert "\n" not in refusal
    assert not refusal or refusal.startswith(f"{name}: ")


def _refusal(name: str, data: bytes) -> str:
    try:
        document_text(name, data)
    except BadInput as error:
        return str(error)
    return ""


@pytest.mark.parametrize(
    ("markdown", "reads"),
    [
        ("Staff park in **lot B**.", "Staff park in lot B."),
        ("See [the map](https://example.com).", "See the map."),
        ("![the front lot](lot.png)", "the front lot"),
        ("1. Connect to `Guest`.\n2. Type the password.", "Connect to Guest.\nType the password."),
        ("| day | lunch |\n|---|---|\n| Mon | soup |", "day | lunch\nMon | soup"),
        ("---\ntitle: Handbook\n---\n# Parking", "Parking"),
        ("Line one\\\nline two", "Line one\nline two"),
    ],
)
def test_markdown_reads_as_the_page_says(markdown: str, reads: str) -> None:
    assert markdown_text(markdown) == reads
