"""Text as the matcher reads it: one spelling of every character, words split out.

Generic on purpose: nothing here knows a knowledge base. A pack's aliases are applied by
:class:`bot.matcher.vocabulary.Vocabulary`, from its data.
"""

from __future__ import annotations

import re
import unicodedata

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "´": "'", "`": "'"})
_WORD = re.compile(r"[a-z0-9]+(?:['.,][a-z0-9]+)*|[$€£%]")
MAX_READ = 2_000
"""No more characters of a message are read: the work per question is bounded."""


def fold(text: str) -> str:
    """Lowercase, accents and curly quotes folded, control characters dropped, one space."""
    text = unicodedata.normalize("NFKD", text[:MAX_READ]).translate(_QUOTES)
    kept = "".join(ch for ch in text if ch.isprintable() and not unicodedata.combining(ch))
    return " ".join(kept.casefold().split())


def words(text: str) -> list[str]:
    """The words of folded text; "what's" stays one word, "$14.3b" is "$" and "14.3b"."""
    return _WORD.findall(text)
