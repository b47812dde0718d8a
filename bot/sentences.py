"""Splitting documents into sentences, with a maintained splitter (pysbd)."""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pysbd

_SCRIPTS = (
    # (first, last code point, pysbd's language for text in that script)
    (0x0370, 0x03FF, "el"),  # Greek: ";" asks
    (0x0400, 0x04FF, "ru"),  # Cyrillic: "стр." is not a sentence's end
    (0x0530, 0x058F, "hy"),  # Armenian: "։" ends a sentence
    (0x0600, 0x06FF, "ar"),  # Arabic: "؟" asks
    (0x0900, 0x097F, "hi"),  # Devanagari: the danda "।" ends a sentence
    (0x1000, 0x109F, "my"),  # Myanmar: "။"
    (0x1200, 0x137F, "am"),  # Ethiopic: "።"
    (0x3040, 0x30FF, "ja"),  # kana
    (0x4E00, 0x9FFF, "zh"),  # Han, when no kana says Japanese
)
"""Scripts whose sentences end with marks pysbd's English rules do not know."""


_STARTERS = (
    "A|An|The|It|Its|This|That|These|Those|There|Then|They|We|He|She|You|I|Our|Your|Their|"
    "His|Her|My|In|On|At|For|If|When|After|Before|Please|Each|Every|All|No"
)
_LABELLED = (
    "lot|gate|building|block|wing|zone|floor|level|room|hall|door|entrance|exit|terminal|"
    "platform|bay|dock|area|site|unit|ward|plan|option|type|class|grade|group|team|phase|"
    "stage|step|track|vitamin"
)
_AFTER_A_LETTER = re.compile(
    rf"\b(?:\w+ [A-Z]\.\s+(?=(?:{_STARTERS})\b)|(?i:{_LABELLED}) [A-Z]\.\s+(?=[A-Z]))"
)
"""Where a sentence ends in a single capital letter ("in lot B. The office…", "take
vitamin C. It…"): pysbd takes such a letter for an initial and never ends a sentence
there. A word that starts sentences after it says it is not one, and so does a word that
names places and choices by a letter before it ("lot B. Visitors…", "Gate C. Boarding…");
a name has neither ("by John F. Kennedy", "I met J. Smith" stay whole). Not the parts of
a document: "section G. General Conditions" is a title."""


@cache
def _segmenter(language: str) -> pysbd.Segmenter:
    import pysbd  # here: only a new document is split, never a question (`factbot ask`)

    return pysbd.Segmenter(language=language, clean=False)


def language_of(text: str) -> str:
    """The pysbd language to split ``text`` with: that of the script most of its letters
    are written in, if pysbd has rules for it, else English (an English text that names
    "Москва" stays English)."""
    if text.isascii():
        return "en"
    counts = Counter(_script(ch) for ch in text if ch.isalpha())
    if counts["ja"] and counts["zh"] + counts["ja"] >= counts["en"]:
        return "ja"  # Japanese writes Han beside its kana
    return counts.most_common(1)[0][0] if counts else "en"


def _script(letter: str) -> str:
    point = ord(letter)
    return next((lang for first, last, lang in _SCRIPTS if first <= point <= last), "en")


def split_sentences(text: str) -> list[str]:
    """The document's sentences, verbatim; each line break also ends a sentence."""
    language = language_of(text)
    segmenter = _segmenter(language)
    sentences: list[str] = []
    for line in text.splitlines():
        if line.strip():
            segments = segmenter.segment(line.strip())
            if language == "en":
                segments = [part for s in segments for part in _after_a_letter(s)]
            sentences += [s.strip() for s in segments if s.strip()]
    return sentences


def _after_a_letter(segment: str) -> list[str]:
    ends = [m.end() for m in _AFTER_A_LETTER.finditer(segment)]
    return [segment[a:b] for a, b in zip([0, *ends], [*ends, len(segment)], strict=True)]
