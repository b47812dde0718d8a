"""Turns what a moderator writes after ``cite:`` into sentences of registered sources.

Either sentence ids (``s4 s5``, ``scale-meta-article:s4``) or a quote. A quote is located
in the sources even when retyped with different quotes, case or a small slip; one that is
not there is refused, because every fact must rest on words a source really contains. A
bare sentence id or a quote is looked for in the sources a server sees; a source named
outright may be any it may cite.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

from rapidfuzz import fuzz

from bot.errors import BadInput
from bot.matcher.text import fold as clean
from bot.models import Sentence, SentenceRef, Source
from bot.sentences import split_sentences

QUOTE_CUTOFF = 90.0
"""How alike (0-100) a quoted sentence must be to a source sentence to count as it."""

FRAGMENT_WORDS = 3
"""Words a quote of part of a sentence needs: "lot B" could be anywhere."""

_REF = re.compile(r"^(?:(?P<source>[a-z0-9][a-z0-9-]*):)?(?P<sentence>s\d+)$")


def resolve_citations(
    text: str, sources: Sequence[Source], seen: Sequence[Source] | None = None
) -> tuple[SentenceRef, ...]:
    """``sources``: what may be cited; ``seen`` (all of them by default): where a bare
    sentence id or a quote is looked for. A server that switched the shipped pack off
    means its own ``s1``, not the article's."""
    seen = sources if seen is None else seen
    parts = [p for p in re.split(r"[\s,;]+", text.strip()) if p]
    if not parts:
        raise BadInput("`cite:` is empty: give sentence ids (like `s4`) or a quote.")
    if all(_REF.match(p.lower()) for p in parts):
        refs = [_resolve_id(p.lower(), sources, seen) for p in parts]
    else:
        refs = [_locate_quote(q, seen) for q in split_sentences(_unquote(text))]
    return tuple(dict.fromkeys(refs))


def _resolve_id(text: str, sources: Sequence[Source], seen: Sequence[Source]) -> SentenceRef:
    match = _REF.match(text)
    assert match is not None
    sentence_id, source_id = match["sentence"], match["source"]
    if source_id is not None:
        source = next((s for s in sources if s.id == source_id), None)
        if source is None:
            raise BadInput(f"There is no source `{source_id}`.")
        if source.sentence(sentence_id) is None:
            raise BadInput(f"Source `{source_id}` has no sentence `{sentence_id}`.")
        return SentenceRef(source_id=source_id, sentence_id=sentence_id)
    holders = [s.id for s in seen if s.sentence(sentence_id) is not None]
    if not holders:
        elsewhere = [s.id for s in sources if s.sentence(sentence_id) is not None]
        if not elsewhere:
            raise BadInput(f"No registered source has a sentence `{sentence_id}`.")
        options = ", ".join(f"`{h}:{sentence_id}`" for h in elsewhere)
        raise BadInput(
            f"None of this server's sources has a sentence `{sentence_id}`; "
            f"to cite the shipped pack, say which: {options}."
        )
    if len(holders) > 1:
        options = ", ".join(f"`{h}:{sentence_id}`" for h in holders)
        raise BadInput(f"`{sentence_id}` is in several sources; say which: {options}.")
    return SentenceRef(source_id=holders[0], sentence_id=sentence_id)


def _unquote(text: str) -> str:
    return text.strip().strip("\"'“”‘’«»").strip()


_MARKUP = re.compile(r"[*_~`]+")
"""Discord's inline markup: a document pasted with "**lot B**" is quoted as "lot B"."""


def _plain(text: str) -> str:
    return clean(_MARKUP.sub("", text))


def _locate_quote(quote: str, sources: Sequence[Source]) -> SentenceRef:
    wanted = _plain(_unquote(quote))
    holding: list[Sentence] = []
    best: tuple[float, Sentence] | None = None
    for source in sources:
        for sentence in source.sentences:
            text = _plain(sentence.text)
            if wanted == text:
                return _ref(sentence)
            if wanted in text:
                holding.append(sentence)
            score = fuzz.ratio(wanted, text)
            if best is None or score > best[0]:
                best = (score, sentence)
    if best is not None and best[0] >= QUOTE_CUTOFF:
        return _ref(best[1])
    # A fragment of a sentence is a fine quote too, if it says enough to be that one.
    if len(wanted.split()) >= FRAGMENT_WORDS and len(holding) == 1:
        return _ref(holding[0])
    if len(wanted.split()) >= FRAGMENT_WORDS and holding:
        options = ", ".join(f"`{s.source_id}:{s.id}`" for s in holding[:5])
        raise BadInput(f"Several sentences say that ({options}): quote more, or cite by id.")
    hint = ""
    if best is not None and best[0] >= 60:
        hint = f" The closest is `{best[1].source_id}:{best[1].id}`: “{best[1].text[:120]}”"
    raise BadInput(f"That quote is not a sentence of any registered source.{hint}")


def _ref(sentence: Sentence) -> SentenceRef:
    return SentenceRef(source_id=sentence.source_id, sentence_id=sentence.id)


def sentences_holding(
    typed: str, sources: Sequence[Source], limit: int = 25
) -> tuple[str, list[Sentence]]:
    """For ``cite:`` being typed: the sentence ids already given, as typed, and the
    sentences (in source order) holding every word typed after them ("s4 meta inv": "s4",
    and the sentences with "meta" and "inv" in them). With no words yet, the first ones."""
    parts = typed.split()
    given = 0
    while given < len(parts) and _REF.match(parts[given].lower()):
        given += 1
    words = [w.casefold() for w in parts[given:]]
    found = (
        sentence
        for source in sources
        for sentence in source.sentences
        if _holds(sentence.text.casefold(), words)
    )
    return " ".join(parts[:given]), list(itertools.islice(found, limit))


def _holds(text: str, words: Sequence[str]) -> bool:
    return all(w in text for w in words)
