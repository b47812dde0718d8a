"""Typo correction against the words the knowledge base uses, as people slip when typing.

A word is fixed only towards a word the facts, the aliases or chat use ("scael" -> "scale",
"hw mch" -> "how much"), or towards the English word it was meant to be; a word the
dictionary knows is left alone ("charge" is not "change"), and so is a name nobody knows
("giphy"). The speller learns the facts' words as they are indexed; what it derives from
them is forgotten whenever the index changes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.normalise import (
    COMMON_WORDS,
    STOPWORDS,
    UNIT_NAMES,
    english_frequency,
    english_spelling,
    is_english_word,
    is_number,
    stem,
)
from bot.question_kinds import ROLES

COMMON_ENGLISH = 1000
"""How often the dictionary's corpus must use a word for a slip of it to be read as it."""
RARE_WORD_RATIO = 1000
"""How much more common a known word must be than a dictionary word with two of its letters
swapped for the dictionary word to be read as a slip ("pya" is a coin, and "pay")."""
_VOWELS = frozenset("aeiou")
_DRAWN_OUT = re.compile(r"([a-z])\1{2,}")
"""A letter typed three times or more: "heyyy", "sooo"."""
_WORD = re.compile(r"(?<![\w'$@#<:/.-])[A-Za-z]+(?![\w'@>:/.-])")
"""A word as typed, not part of a name, mention, link or number."""


class Speller:
    def __init__(
        self, known: Iterable[str], names: frozenset[str], knows_stem: Callable[[str], bool]
    ) -> None:
        self.known: set[str] = set(known)
        """Words as the facts and aliases type them."""
        self._names = names
        """Four-letter names as typed ("meta", "wang"): a slip in a short word is most
        likely one of them."""
        self._knows_stem = knows_stem
        """Whether the index knows a stemmed word (it changes as facts do)."""
        self._usage: Counter[str] = Counter()
        """How often the facts' own texts use each word as typed."""
        self._vocabulary: list[str] | None = None
        self._skeletons: dict[str, set[str]] = {}
        """Known words by their letters without vowels: "mch" -> {"much"}."""

    def learn(self, typed: Iterable[str]) -> None:
        """The words of a fact's texts, as typed."""
        typed = list(typed)
        self.known.update(typed)
        self._usage.update(typed)

    def forget(self) -> None:
        """Forget what was derived from the facts as they were."""
        self._vocabulary = None

    def respelled(self, text: str) -> str:
        """A message with slips in chat's own words fixed, before it is read for its frames
        and openers: "soeone in slack said…", "our team wantj to know…"."""

        def fixed(match: re.Match[str]) -> str:
            word = match[0].lower()
            if _DRAWN_OUT.search(word):
                return self._said_plainly(word)
            if len(word) < 4 or word in COMMON_WORDS:
                return match[0]
            meant = self.correct(word)
            return meant if meant in COMMON_WORDS else match[0]

        return _WORD.sub(fixed, text)

    def _said_plainly(self, word: str) -> str:
        """A word drawn out for effect, as typed plainly: "heyyy" is "hey", "sooo" is "so",
        "goooogle" is "google"."""
        once, twice = _DRAWN_OUT.sub(r"\1", word), _DRAWN_OUT.sub(r"\1\1", word)
        for plain in (once, twice):
            if plain in self.known or plain in COMMON_WORDS or is_english_word(plain):
                return plain
        return twice

    def correct_after(self, before: str, word: str) -> str:
        """The word meant, given the word typed before it: "14.3 billon" is 14.3 billion."""
        return _unit_after(before, word) or self.correct(word)

    def correct(self, word: str) -> str:
        """Fix a typo against the words the index knows; leave real unknown words alone."""
        if (
            len(word) < 2
            or is_number(word)
            or word in self.known
            or word in STOPWORDS
            or word in ROLES
            or self._knows_stem(stem(word))
        ):
            return word
        if self._vocabulary is None:
            self._vocabulary = sorted(self.known | COMMON_WORDS)
            self._skeletons = {}
            for known in self._vocabulary:
                self._skeletons.setdefault(_skeleton(known), set()).add(known)
            self._corrected.cache_clear()
        return self._corrected(word)

    @lru_cache(maxsize=4096)  # noqa: B019 - one speller per index, cleared on change
    def _corrected(self, word: str) -> str:
        if is_english_word(word):
            return self._swapped(word) or word
        # One slip (a wrong, missing, extra or swapped letter) in a short word, two in a
        # long one: "scael", "microsfot", "investmnet"; but not "amount" -> "paramount".
        if len(word) < 3:
            return self._unvowelled(word)
        allowed = 1 if len(word) < 8 else 2
        vocabulary = self._vocabulary or []
        if len(word) == 3:
            # Three letters: only swapped ones ("pya" for "pay"), or a letter left out of a
            # name ("mta").
            vocabulary = [
                known
                for known in vocabulary
                if sorted(known) == sorted(word) or known in self._names
            ]
        elif len(word) == 4:
            # Four letters leave too little to go on: only swapped letters ("wnag") or a
            # letter left out of a longer word ("scal", "mney"), not a changed one; but a
            # name is likelier than a word no one uses ("metl" is Meta).
            vocabulary = [
                known
                for known in vocabulary
                if len(known) == 5 or sorted(known) == sorted(word) or known in self._names
            ]
        near = process.extract(
            word, vocabulary, scorer=OSA.distance, score_cutoff=allowed, limit=None
        )
        if near:
            # The closest; of those equally close, the one the facts use most ("ogenai" is
            # as close to "genai" as to "openai").
            closest = min(distance for _, distance, _ in near)
            return max(
                (known for known, distance, _ in near if distance == closest),
                key=self._usage.__getitem__,
            )
        if (unvowelled := self._unvowelled(word)) != word:
            return unvowelled
        if len(word) == 3:
            return word  # not looked up in the dictionary: "cto" is not a typo of "to"
        # A slip in a word the facts do not use as typed ("runing" for "running") still
        # counts if the English word it was meant to be shares a stem with theirs ("run").
        meant = english_spelling(word)
        if meant and self._knows_stem(stem(meant)):
            return meant
        # A long word one slip from a common English word ("figrue", "towrad") is that word,
        # not a name no fact knows; a short one may well be a name ("groq", "appen").
        if meant and len(word) >= 6 and english_frequency(meant) >= COMMON_ENGLISH:
            return meant
        return word

    def _swapped(self, word: str) -> str | None:
        """The facts' word with two neighbouring letters of this dictionary word swapped, if
        the dictionary word is so rare that a slip is likelier: "pya" is "pay", but "suing"
        is not "using" and "form" is not "from"."""
        swaps = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
        known = [w for w in swaps if w in self.known]
        if not known:
            return None
        meant = max(known, key=english_frequency)
        rare = RARE_WORD_RATIO * max(1, english_frequency(word)) < english_frequency(meant)
        return meant if rare else None

    def _unvowelled(self, word: str) -> str:
        """A word typed without its vowels, as in a hurry ("hw mch", "scl", "ggl",
        "custmrs"): the known word with the same consonants that the facts use most
        ("scl" is "scale", not "social", which only an alias has)."""
        vowels = sum(letter in _VOWELS for letter in word[1:])
        if vowels > 1 or (vowels == 1 and len(word) < 6):
            return word
        meant = sorted(self._skeletons.get(_skeleton(word), ()), key=self._usage.__getitem__)
        if meant and (len(meant) == 1 or self._usage[meant[-1]] > 2 * self._usage[meant[-2]]):
            return meant[-1]
        return word


def _skeleton(word: str) -> str:
    """A word's first letter and the consonants after it: "much" -> "mch"."""
    return word[:1] + "".join(letter for letter in word[1:] if letter not in _VOWELS)


def _unit_after(before: str, word: str) -> str | None:
    """A unit one slip away right after a number: "14.3 billon" (an alloy, says the
    dictionary) is 14.3 billion."""
    if not before[:1].isdigit() or len(word) < 5 or word in UNIT_NAMES:
        return None
    close = [unit for unit in UNIT_NAMES if OSA.distance(word, unit) <= 1]
    return close[0] if len(close) == 1 else None
