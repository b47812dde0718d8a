"""Matching a question to facts: a small pipeline of learned pieces, fitted per knowledge
base (see ``matcher.py``). Imports numpy and scipy; scikit-learn only when fitting."""

from bot.matcher.matcher import Candidate, Example, Matcher
from bot.matcher.model import NONE
from bot.matcher.vocabulary import Vocabulary

__all__ = ["NONE", "Candidate", "Example", "Matcher", "Vocabulary"]
