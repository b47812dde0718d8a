"""A message that asks several things: where it splits into questions of their own.

"how many vacation days do I get and who runs payroll?" is two questions; "what do acme
and globex sell" is one. The answering step asks each part on its own and gives one
combined answer only when every part gets a fact of its own (bot/answering.py).
"""

from __future__ import annotations

import re

from bot.matcher.text import fold, words

MAX_PARTS = 3
MIN_WORDS = 2
_BREAKS = re.compile(r"\?+\s*|\s*[;\n]\s*|,?\s+(?:and|also|plus|&)\s+(?=\S)")


def parts_of(message: str) -> list[str]:
    """The questions a message may be made of; one part when it does not split."""
    pieces = [p.strip(" ,.!") for p in _BREAKS.split(fold(message))]
    pieces = [p for p in pieces if len(words(p)) >= MIN_WORDS]
    if not 1 < len(pieces) <= MAX_PARTS:
        return [message]
    return pieces
