"""Text as the matcher reads it: one spelling of every character, words split out.

Generic on purpose: nothing here knows a knowledge base. A pack's aliases are applied by
:class:`bot.matcher.vocabulary.Vocabulary`, from its data.
"""

from __future__ import annotations

import re
import string
import unicodedata
from functools import cache, lru_cache

_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "´": "'", "`": "'"})
_QUESTION_MARKS = str.maketrans({"؟": "?", "\u037e": "?"})
"""Arabic's question mark, and Greek's (which Unicode would otherwise fold to ";")."""
_WORD = re.compile(r"[a-z0-9]+(?:['.,][a-z0-9]+)*|[$€£%]")
MAX_READ = 2_000
"""No more characters of a message are read: the work per question is bounded."""


_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d{1,2}(?!\d))")
"""A decimal comma, as much of the world writes "14,3" for 14.3 ("1,000" is a thousand)."""


_MENTION = re.compile(r"<(?:@[!&]?|#)\d+>|(?<!\w)@(?:everyone|here)\b")
_DOUBLE_MARK = re.compile(r"\*\*|__|~~|\|\||`+")
_EDGE_MARK = re.compile(r"(?<!\w)[*_]+(?=\w)|(?<=\w)[*_]+(?!\w)")
_QUOTE_MARK = re.compile(r"^>{1,3}\s", re.MULTILINE)


def without_mentions(text: str) -> str:
    """Text without the mentions in it ("<@123>", "@everyone"), one space between words:
    a phrasing copied from a member's message names no one."""
    if "@" not in text and "<#" not in text:
        return text
    return " ".join(_MENTION.sub(" ", text).split())


def without_markup(message: str) -> str:
    """A chat message as the words it says: "@everyone **how much** did _acme_ pay??"
    asks what "how much did acme pay??" asks. Chat formatting (bold, italics, strike,
    spoilers, code, quotes) and mentions are not what a member asks about, and the
    matcher reads characters as well as words. A marker is taken out only at a word's
    edge, so "snake_case" and "5*3" stay as they are (discord.py's ``remove_markdown``
    would make them "snakecase" and "53"). Lines stay lines: they may be separate
    questions."""
    if not any(mark in message for mark in "*_~|`>@<"):
        return message
    text = _QUOTE_MARK.sub("", _DOUBLE_MARK.sub("", _MENTION.sub(" ", message)))
    lines = (" ".join(line.split()) for line in _EDGE_MARK.sub("", text).splitlines())
    return "\n".join(line for line in lines if line)


def fold(text: str) -> str:
    """Lowercase, accents and curly quotes folded, control characters dropped, one space,
    decimal commas read as points."""
    text = text[:MAX_READ]
    if text.isascii() and text.isprintable():  # most text: the quick way, same result
        text = text.replace("`", "'")
    else:
        text = unicodedata.normalize("NFKD", text.translate(_QUESTION_MARKS))
        text = "".join(ch for ch in text if ch.isprintable() and not unicodedata.combining(ch))
        text = text.translate(_QUOTES)
    text = " ".join(text.casefold().split())
    return _DECIMAL_COMMA.sub(".", text) if "," in text else text


def words(text: str) -> list[str]:
    """The words of folded text; "what's" stays one word, "$14.3b" is "$" and "14.3b".
    Words of any script: "где парковка" is two, and so is "पार्किंग कहाँ" (the vowel signs
    of Devanagari are marks, which belong to their word). Text without spaces between
    words (Japanese, Thai) is one word per run, which its character n-grams then
    match."""
    return (_WORD if text.isascii() else _any_script_word()).findall(text)


@cache
def _any_script_word() -> re.Pattern[str]:
    r""":data:`_WORD` for text of any script. Python's ``\w`` takes letters and digits
    but not the combining marks some scripts write their vowels with; the marks that
    :func:`fold` keeps are listed here, once, on the first text that is not ASCII."""
    marks = "".join(
        re.escape(chr(c))
        for c in range(0x300, 0x10000)
        if unicodedata.category(chr(c)).startswith("M") and not unicodedata.combining(chr(c))
    )
    letter = rf"(?:[^\W_]|[{marks}])"
    return re.compile(rf"{letter}+(?:['.,]{letter}+)*|[$€£%]")


_CONTRACTIONS = {
    w.replace("'", ""): w
    for w in """can't don't won't isn't aren't wasn't weren't doesn't didn't hasn't haven't
    hadn't couldn't wouldn't shouldn't mustn't needn't ain't i'm i've you're you've
    they're they've we've that's there's where's who's how's""".split()
}
"""English contractions as chat types them, without the apostrophe. Only those that are
no other word: "its", "well", "ill" and "were" are words of their own."""
_UNAPOSTROPHED = re.compile(rf"\b(?:{'|'.join(_CONTRACTIONS)})\b")


def with_apostrophes(text: str) -> str:
    """Folded text with each contraction typed without its apostrophe given it back:
    "i cant join" is "i can't join". Else "cant" is read as a slip for "can", which says
    the opposite."""
    return _UNAPOSTROPHED.sub(lambda m: _CONTRACTIONS[m.group()], text)


@lru_cache(maxsize=1 << 17)
def wording(text: str) -> str:
    """Only the words, in order: "Who runs Acme's payroll?" and "who runs acme's payroll"
    are worded the same. Remembered: a guild's phrasings are worded again after each change
    to its facts, and all but the new ones were worded before."""
    return " ".join(words(fold(text)))


_PUNCTUATION = bytes.maketrans(string.punctuation.encode(), b" " * len(string.punctuation))


def said_key(text: str) -> str:
    """A phrasing as :meth:`Library.said` compares it: the same words, case and
    punctuation aside. Cheaper than :func:`wording` (a large knowledge base has half a
    million phrasings to key), and only ever compared with itself."""
    if text.isascii():
        return " ".join(text.encode().translate(_PUNCTUATION).decode().casefold().split())
    folded = fold(text).encode().translate(_PUNCTUATION).decode()
    # Punctuation beyond ASCII too: "¿Dónde aparco?", "«где парковка»", "何ですか。"
    return " ".join("".join(" " if _is_punctuation(c) else c for c in folded).split())


def _is_punctuation(character: str) -> bool:
    return not character.isascii() and unicodedata.category(character).startswith("P")


def said_keys(texts: list[str]) -> list[str]:
    """:func:`said_key` of each text; plain ASCII ones folded all at once (a large
    knowledge base keys half a million phrasings when it starts)."""
    joined = "\n".join(texts)
    if not texts or not joined.isascii() or len(joined.splitlines()) != len(texts):
        return [said_key(text) for text in texts]
    folded = joined.encode().translate(_PUNCTUATION).decode().casefold()
    return [" ".join(line.split()) for line in folded.split("\n")]


FUNCTION_WORDS = frozenset(
    """a an the and or but of in on at to for with by from about as is are was were be been
    do does did what which who whom whose when where why how can could would should will
    any some this that these those it its there here so then than just also too more
    s 's tell me us you know anything something news update updates what's whats how's
    hows up regarding re""".split()
)
"""Generic English words that carry no topic: a question made only of these and names
("what about acme?") names something without asking anything about it."""
