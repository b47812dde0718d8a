"""A message that asks several things: where it splits into questions of their own.

"how many vacation days do I get and who runs payroll?" is two questions; "what do acme
and globex sell" is one. So is "I ordered my card a week ago and it still isn't here?
What do I do?": what comes before or after a question is often its circumstances, and
"what do I do" leans on them. A piece is a question of its own only when it ends with a
question mark or opens as questions do, and says something besides how it asks. The
answering step asks each part on its own: one combined answer when every part gets a fact
of its own, else the whole message's answer naming the parts it leaves out
(bot/answering.py).
"""

from __future__ import annotations

import re

from bot.matcher.text import FUNCTION_WORDS, fold, words

MAX_PARTS = 3
MIN_WORDS = 2
OPENERS = frozenset(
    """what what's whats how how's hows who who's whos whom whose when where where's
    wheres why which is isn't are aren't was wasn't were do does did don't doesn't didn't
    can can't could will won't would should shall may might has have had am tell any""".split()
)
"""Words questions open with: after "and", only one of these starts a new question."""
LEANING = FUNCTION_WORDS | frozenset("i i'm im my me we our you your it this that".split())
"""Words that only say how something is asked: "what do I do?" has nothing else."""

ASKING = OPENERS | frozenset("anyone anybody someone somebody explain".split())
"""How a sentence that asks may open without a question mark: "anyone know who runs
payroll", "explain the parking rules"."""

_SENTENCE_END = re.compile(r"(\?)+\s*|\s*;\s*")
_ANY_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n")
_OPENER = "|".join(re.escape(w) for w in sorted(OPENERS, key=len, reverse=True))
_AND = re.compile(rf",?\s+(?:and|also|plus|&)\s+(?=(?:{_OPENER})\b)")


def parts_of(message: str) -> list[str]:
    """The questions a message may be made of; one part when it does not split."""
    parts = []
    chunks = [c for line in message.splitlines() for c in _sentences(fold(line))]
    for sentence, mark in chunks:
        pieces = _AND.split(sentence)
        for n, piece in enumerate(pieces):
            said = words(piece)
            if len(said) < MIN_WORDS or set(said) <= LEANING:
                continue
            if said[0] in OPENERS or (mark is not None and n == len(pieces) - 1):
                parts.append(piece.strip(" ,.!"))
    if not 1 < len(parts) <= MAX_PARTS:
        return [message]
    return parts


def _sentences(line: str) -> list[tuple[str, str | None]]:
    """A line's sentences, each with the "?" that ended it, or None."""
    chunks = _SENTENCE_END.split(line)  # with a group: sentence, its "?" or None, ...
    return list(zip(chunks[::2], [*chunks[1::2], None], strict=True))


def asks(message: str) -> bool:
    """Whether a message asks something: one of its sentences ends with a question mark
    or opens as questions do. In an answer channel only such messages are answered: "I
    read that payroll moved to Fridays" tells, and the bot has nothing to add."""
    for sentence in _ANY_SENTENCE_END.split(fold(message)):
        said = words(sentence)
        if said and (sentence.rstrip().endswith("?") or said[0] in ASKING):
            return True
    return False
