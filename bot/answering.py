"""Match -> decide -> Answer: the one place that says whether the bot answers.

The bot answers only when the best fact clears the confidence cut-off *and* stands clear
of the runner-up; otherwise it abstains and offers the nearest facts as suggestions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.matching import Match
from bot.models import Answer, Citation, Fact, SentenceRef, Suggestion


@dataclass(frozen=True)
class Thresholds:
    answer: float = 61.0
    """Below this score the bot does not answer."""
    margin: float = 3.0
    """When the runner-up is this close, the bot asks back with both instead of guessing."""
    suggest: float = 30.0
    """Facts scoring at least this are offered as suggestions when the bot abstains."""
    max_suggestions: int = 3
    second_opinion: float = 0.5
    """The bot answers with the matcher's choice when the second opinion puts the chance
    that it is right at least this high: when it is more likely right than not."""


CitationLookup = Callable[[SentenceRef], Citation]


def decide(
    question: str,
    matches: Sequence[Match],
    cite: CitationLookup,
    thresholds: Thresholds = Thresholds(),
) -> Answer:
    subjects = [m for m in matches if m.sole_subject]
    if len(subjects) == 1 and subjects[0].score >= thresholds.answer:
        # "what about microsoft?", "google and scale, what's up?": the one fact about the
        # company named, or the one curators made its headline, however others score.
        return compose(question, subjects[0].fact, subjects[0].score, cite)
    best = matches[0] if matches else None
    runner_up = matches[1] if len(matches) > 1 else None
    if best is None or best.score < thresholds.answer:
        return _abstain(question, matches, best.score if best else 0.0, thresholds)
    if runner_up is not None and (
        best.score - runner_up.score < thresholds.margin or (best.vague and not runner_up.mismatch)
    ):
        # Two facts fit about equally, or the question only names something several facts
        # are about ("what about google?"): ask back with both rather than guess. "What
        # about microsoft?" has one fact about Microsoft, which answers it.
        return _abstain(question, matches[:2], best.score, thresholds, ambiguous=True)
    return compose(question, best.fact, best.score, cite)


def reconsider(
    answer: Answer, choice: Fact, chance: float, cite: CitationLookup, thresholds: Thresholds
) -> Answer:
    """The matcher's answer, or the fact it suggested first (``choice``), given or withheld
    as the second opinion's ``chance`` that the fact is right says. The confidence stays the
    matcher's score."""
    if (chance >= thresholds.second_opinion) == answer.answered:
        return answer
    if answer.answered:
        suggestion = Suggestion(fact_id=choice.id, question=choice.canonical_question)
        return Answer(
            question=answer.question,
            answered=False,
            confidence=answer.confidence,
            suggestions=(suggestion,),
        )
    return compose(answer.question, choice, answer.confidence, cite)


def unsure(
    question: str, known: Sequence[Fact], unknown: Answer, thresholds: Thresholds = Thresholds()
) -> Answer:
    """Not an answer to a message one part of which no fact answers: the facts it could
    answer for the other parts are offered first, then what that part comes near."""
    offered = [Suggestion(fact_id=fact.id, question=fact.canonical_question) for fact in known]
    offered += [s for s in unknown.suggestions if s.fact_id not in {o.fact_id for o in offered}]
    return Answer(
        question=question,
        answered=False,
        confidence=unknown.confidence,
        suggestions=tuple(offered[: thresholds.max_suggestions]),
        partial=True,
    )


def combine(question: str, parts: Sequence[Answer]) -> Answer:
    """One answer to a question that needed several facts, citing every sentence used."""
    citations = {(c.source_id, c.sentence_id): c for part in parts for c in part.citations}
    return Answer(
        question=question,
        answered=True,
        answer=" ".join(part.answer or "" for part in parts),
        confidence=min(part.confidence for part in parts),
        fact_id="+".join(part.fact_id or "" for part in parts),
        citations=tuple(citations.values()),
    )


def compose(question: str, fact: Fact, confidence: float, cite: CitationLookup) -> Answer:
    return Answer(
        question=question,
        answered=True,
        answer=fact.answer,
        confidence=confidence,
        fact_id=fact.id,
        citations=tuple(cite(ref) for ref in fact.cites),
    )


def _abstain(
    question: str,
    matches: Sequence[Match],
    confidence: float,
    thresholds: Thresholds,
    *,
    ambiguous: bool = False,
) -> Answer:
    nearest = [m for m in matches if m.score >= thresholds.suggest]
    return Answer(
        question=question,
        answered=False,
        confidence=confidence,
        suggestions=tuple(
            Suggestion(fact_id=m.fact.id, question=m.fact.canonical_question)
            for m in nearest[: thresholds.max_suggestions]
        ),
        ambiguous=ambiguous,
    )
