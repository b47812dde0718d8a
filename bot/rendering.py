"""Answers as text for a console and as JSON for machines (Discord embeds live in the
Discord adapter, which is the only part allowed to import discord.py)."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.models import Answer

if TYPE_CHECKING:
    from bot.answering import Explanation
    from bot.evaluation import Score

NOT_ANSWERED = "I don't know that one."
ASK_BACK = "I'm not sure which you mean."


def counted(count: int, noun: str) -> str:
    """``1 fact``, ``2 facts``: the nouns the bot counts all take a plain -s."""
    return f"{count:,} {noun}" if count == 1 else f"{count:,} {noun}s"


def answer_json(answer: Answer) -> str:
    return json.dumps(answer.model_dump(mode="json"), ensure_ascii=False)


def answer_text(answer: Answer) -> str:
    if not answer.answered:
        lines = [ASK_BACK if answer.ambiguous else NOT_ANSWERED]
        if answer.suggestions:
            lines.append("Did you mean:")
            lines += [f"  - {s.question}  [{s.fact_id}]" for s in answer.suggestions]
        return "\n".join(lines)
    lines = [answer.answer or "", ""]
    for citation in answer.citations:
        quoted = textwrap.fill(
            citation.text, width=88, initial_indent="  > ", subsequent_indent="  > "
        )
        where = f"{citation.title} ({citation.source_id}:{citation.sentence_id})"
        if citation.url:
            where += f" {citation.url}"
        lines += [quoted, f"    — {where}"]
    lines.append(f"[{answer.fact_id}, confidence {answer.confidence:.0f}%]")
    return "\n".join(lines)


def explanation_text(why: Explanation) -> str:
    """Why a question was or was not answered: how it was read, each candidate's chance."""
    answer = why.answer
    verdict = (
        f"answered with {answer.fact_id} ({answer.confidence:.1f}%)"
        if answer.answered
        else "asked back: two facts are close, or it only names what several involve"
        if answer.ambiguous
        else "not answered: no fact is likely enough"
    )
    lines = [f"question: {why.question}", f"read as:  {why.read_as}", f"verdict:  {verdict}"]
    if not why.matcher_current:
        lines.append("note:     the matcher is still learning the latest changes")
    for judged in why.candidates:
        notes = []
        if judged.repeated:
            notes.append("repeats one of its phrasings")
        if judged.blocked_by:
            notes.append(f"blocked: names {', '.join(sorted(judged.blocked_by))}, not in this fact")
        score = f"score {judged.score:+.2f}, " if judged.score is not None else ""
        lines.append(
            f"  {judged.fact.id}: {100 * judged.chance:.1f}% ({score}"
            f"{'; '.join(notes) or 'learned'})"
        )
    return "\n".join(lines)


def render_scores(name: str, scores: Sequence[Score]) -> str:
    """A Markdown table of the scores side by side, then each scorer's misses."""
    first = scores[0]
    lines = [
        f"{name}: {len(first.answerable)} answerable, {len(first.unanswerable)} not answerable",
        "",
        "| | " + " | ".join(s.name for s in scores) + " |",
        "|---|" + "---|" * len(scores),
        "| answered right | "
        + " | ".join(
            f"{sum(o.right for o in s.answerable)}/{len(s.answerable)} ({s.accuracy:.1%})"
            for s in scores
        )
        + " |",
        "| abstained right | "
        + " | ".join(
            f"{sum(o.right for o in s.unanswerable)}/{len(s.unanswerable)} ({s.abstention:.1%})"
            for s in scores
        )
        + " |",
        "| wrong answers | " + " | ".join(str(len(s.wrong_answers)) for s in scores) + " |",
    ]
    for score in scores:
        misses = [o for o in score.outcomes if not o.right]
        lines += ["", f"{score.name} misses ({len(misses)}):"]
        lines += [
            f"  {o.question!r}: expected {o.expected or 'no answer'}, "
            f"got {o.got or 'no answer'} ({o.confidence:.1f})"
            for o in misses
        ]
    return "\n".join(lines)


def render_sweep(curve: Sequence[tuple[float, Score]]) -> str:
    lines = [
        "| cut-off | answered right | abstained right | wrong answers |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {cutoff:g} | {score.accuracy:.1%} | {score.abstention:.1%} "
        f"| {len(score.wrong_answers)} |"
        for cutoff, score in curve
    ]
    return "\n".join(lines)
