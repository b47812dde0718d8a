"""A knowledge base's own words: aliases to rewrite and the names a question can be about.

Everything here comes from data (a pack's ``aliases.yaml``, a guild's facts), never from
code, so one engine serves any team's knowledge.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

from bot.matcher.text import fold

MAX_GAP = 3
"""How many words may stand between a verb and its particle ("put ... into")."""
_TOKEN = re.compile(r"[\w'.$%-]+|[^\w\s]")


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


class Vocabulary:
    """Synonyms mapped to one canonical spelling, and which of them name something.

    ``entities`` are the companies, people and places a pack knows of, including ones its
    sources do not cover: a question that names one its best fact does not involve is not
    answered with that fact ("who founded globex?" is not about Acme's founder).
    """

    def __init__(
        self,
        entities: Mapping[str, Iterable[str]] | None = None,
        words: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self.entities = {name: tuple(v or ()) for name, v in (entities or {}).items()}
        self.words = {word: tuple(v or ()) for word, v in (words or {}).items()}
        self._phrases: dict[tuple[str, ...], str] = {}
        gapped: dict[tuple[str, str], str] = {}
        for canonical, spellings in (*self.entities.items(), *self.words.items()):
            target = fold(canonical)
            for spelling in (canonical, *spellings):
                if "..." in spelling:
                    verb, particle = (fold(part) for part in spelling.split("...", 1))
                    gap = rf"((?:\s+[\w'$%.-]+){{0,{MAX_GAP}}}?)\s+"
                    gapped[verb, rf"\b{re.escape(verb)}{gap}{re.escape(particle)}\b"] = target
                elif key := tuple(_tokens(fold(spelling))):
                    self._phrases.setdefault(key, target)
        # Each alias's first word, with the lengths of the aliases it begins, longest first:
        # most words begin none, and the rest are tried only at lengths that exist.
        lengths: dict[str, set[int]] = defaultdict(set)
        for key in self._phrases:
            lengths[key[0]].add(len(key))
        self._lengths = {first: sorted(ns, reverse=True) for first, ns in lengths.items()}
        # Each with its verb: a text without the verb needs no search for the rest, and
        # its pattern is compiled (by `re`, once) only when a text has the verb.
        self._gapped = [(v, p, t) for (v, p), t in gapped.items()]
        self._names = frozenset(fold(name) for name in self.entities)
        self._one_word_names = frozenset(n for n in self._names if " " not in n)
        self._longer_names = tuple(n for n in self._names if " " in n)

    def rewrite(self, text: str) -> str:
        """Folded text with every alias replaced by its canonical spelling, longest first."""
        text = fold(text)
        for verb, pattern, target in self._gapped:
            if verb in text:
                text = re.sub(pattern, lambda m, t=target: f"{t}{m.group(1)}", text)
        tokens, out, i = _tokens(text), [], 0
        while i < len(tokens):
            lengths = self._lengths.get(tokens[i], ())
            if not lengths and not tokens[i].endswith("'s"):
                out.append(tokens[i])
                i += 1
                continue
            for n in lengths:
                if (
                    n <= len(tokens) - i
                    and (target := self._phrases.get(tuple(tokens[i : i + n]))) is not None
                ):
                    out.append(target)
                    i += n
                    break
            else:
                token = tokens[i]
                # "acme's" is acme's: the possessive must not hide an alias.
                if token.endswith("'s") and (t := self._phrases.get((token[:-2],))):
                    out.append(t + "'s")
                else:
                    out.append(token)
                i += 1
        return " ".join(out)

    def names(self, text: str) -> frozenset[str]:
        """The entities a text names, after rewriting ("ibm" names IBM)."""
        return self.named(self.rewrite(text)) if self._names else frozenset()

    def named(self, rewritten: str) -> frozenset[str]:
        """The entities a text already through :meth:`rewrite` names."""
        tokens = {t.removesuffix("'s") for t in _tokens(rewritten)}
        padded = f" {rewritten} "
        longer = (n for n in self._longer_names if f" {n} " in padded)
        return self._one_word_names.intersection(tokens).union(longer)
