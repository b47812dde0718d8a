"""Answers as text for a console and as JSON for machines (Discord embeds live in the
Discord adapter, which is the only part allowed to import discord.py)."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Sequence
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


def left_out(answer: Answer, escape: Callable[[str], str] = str) -> str:
    """The line naming the parts of a message that its answer leaves out; "" when none."""
    parts = answer.unanswered_parts
    if not parts:
        return ""
    named = _quoted(parts, escape)
    return f"Not answered here: {named}. Ask {'it' if len(parts) == 1 else 'each'} on its own."


def _quoted(texts: Sequence[str], escape: Callable[[str], str] = str) -> str:
    return ", ".join(f"“{escape(text)}”" for text in texts)


def answer_json(answer: Answer) -> str:
    return json.dumps(answer.model_dump(mode="json"), ensure_ascii=False)


def answer_text(answer: Answer) -> str:
    if not answer.answered:
        lines = [ASK_BACK if answer.ambiguous else NOT_ANSWERED]
        if answer.suggestions:
            lines.append("Did you mean:")
            lines += [f"  - {s.question}  [{s.fact_id}]" for s in answer.suggestions]
        return "\n".join(lines)
    lines = [line for line in (answer.answer or "", left_out(answer)) if line] + [""]
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
    """Why a question was or was not answered: how it was read, each candidate's chance,
    and, for a message that asks several things, the same for each part."""
    lines = [f"question: {why.question}", f"read as:  {why.read_as}"]
    lines.append(f"verdict:  {_verdict(why.answer)}")
    if not why.matcher_current:
        lines.append("note:     the matcher is still learning the latest changes")
    lines += _candidates(why)
    for number, part in enumerate(why.parts, start=1):
        lines += [f"part {number}:   {part.question}", f"  verdict: {_verdict(part.answer)}"]
        lines += ["  " + line for line in _candidates(part)]
    return "\n".join(lines)


def _verdict(answer: Answer) -> str:
    if answer.answered:
        said = f"answered with {answer.fact_id} ({answer.confidence:.1f}%)"
        parts = answer.unanswered_parts
        return f"{said}; leaves out {_quoted(parts)}" if parts else said
    if answer.ambiguous:
        return "asked back: two facts are close, or it only names what several involve"
    return "not answered: no fact is likely enough"


def _candidates(why: Explanation) -> list[str]:
    lines = []
    for judged in why.candidates:
        notes = []
        if judged.repeated:
            notes.append("repeats one of its phrasings")
        if judged.blocked_by:
            notes.append(f"blocked: names {', '.join(sorted(judged.blocked_by))}, not in this fact")
        score = f"score {judged.score:+.2f}, " if judged.score is not None else ""
        if judged.likeness is not None:
            score += f"nearest phrasing {judged.likeness:.2f}, "
        lines.append(
            f"  {judged.fact.id}: {100 * judged.chance:.1f}% ({score}"
            f"{'; '.join(notes) or 'learned'})"
        )
    return lines


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
