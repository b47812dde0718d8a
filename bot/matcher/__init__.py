"""Matching a question to facts: a small pipeline of learned pieces, fitted per knowledge
base. ``matcher.py`` weighs every fact against every other (best up to a few hundred
facts); ``retrieval.py`` looks up candidates in an inverted index and judges only those
(thousands of facts). Imports numpy and scipy; scikit-learn only when fitting."""

from bot.matcher.encoder import load_soon
from bot.matcher.matcher import Candidate, Example, Matcher
from bot.matcher.model import NONE
from bot.matcher.retrieval import RetrievalMatcher
from bot.matcher.vocabulary import Vocabulary

AnyMatcher = Matcher | RetrievalMatcher

LEARNED_UP_TO = 400
"""Facts a knowledge base may have for the learned matcher; beyond, the retrieval one. At
1,000 facts the learned one takes three minutes and 1.8 GB to fit (docs/scale.md)."""


def kind_for(examples: list[Example]) -> type[AnyMatcher]:
    """The kind of matcher the examples' number of facts calls for."""
    facts = len({e.label for e in examples} - {NONE})
    return Matcher if facts <= LEARNED_UP_TO else RetrievalMatcher


def matcher_for(examples: list[Example], vocabulary: Vocabulary) -> AnyMatcher:
    """A matcher fitted on the examples, of the kind their number of facts calls for."""
    return kind_for(examples)(vocabulary).fit(examples)


__all__ = [
    "LEARNED_UP_TO",
    "NONE",
    "AnyMatcher",
    "Candidate",
    "Example",
    "Matcher",
    "RetrievalMatcher",
    "Vocabulary",
    "kind_for",
    "load_soon",
    "matcher_for",
]
