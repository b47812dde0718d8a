"""One fitted matcher per knowledge scope: trained when its knowledge changes, kept on disk.

A guild that only sees the shipped facts shares the global matcher. A guild with facts or
out-of-scope questions of its own gets its own, trained on its own knowledge only; if it
also sees the shipped pack, the global matcher keeps judging the shipped facts there
(``shipped``). Each knowledge is judged by what was taught about it: the pack's thousands
of labelled questions, and the questions it must not answer, are about the pack, and
would drown a guild's facts with three phrasings each (a pack about a deal teaches that
questions about who paid what are not to be answered; "when is salary paid" is one).
Training runs in a worker thread; until it finishes, the last matcher keeps answering (the
phrasing lookup in ``bot.answering`` covers what it has not learned yet). Fitted matchers
are kept in the cache folder (``bot.matcher_cache``): a second start, or a second process,
loads one instead of training again, or learns what changed on top of the last one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from bot.library import Library
from bot.matcher import (
    NONE,
    AnyMatcher,
    Example,
    Matcher,
    RetrievalMatcher,
    Vocabulary,
    kind_for,
    matcher_for,
)
from bot.matcher_cache import FITTING, MatcherCache
from bot.models import GLOBAL

if TYPE_CHECKING:
    from multiprocessing.process import BaseProcess

log = logging.getLogger(__name__)

POLISH_AFTER = 5.0
"""Seconds without a change before a scope's full refit starts (the quick update answers
meanwhile)."""
ANSWER_LEARNED_BELOW = 10
"""A fact's answer is learned as its words while it has fewer phrasings than this: it
stands in for the wordings moderators have not added yet. On the shipped article cut to K
phrasings a fact, learning answers ranked the right fact first for 14 more questions in
100 at K = 1, 4 at K = 5 and 1 at K = 10; with all its phrasings (19 or more a fact) it
gained nothing and moved two of the 148 held-out questions under the cut-off
(docs/matching.md, "A fact's answer")."""


@cache
def small_talk() -> tuple[str, ...]:
    """Chat that asks nothing (``bot/matcher/small_talk.txt``): every matcher learns it as
    ``NONE``, whatever knowledge it holds."""
    text = resources.files("bot.matcher").joinpath("small_talk.txt").read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and line[0] != "#")


@dataclass
class _Trained:
    matcher: AnyMatcher
    generation: tuple[int, int]
    refit_due: bool = False
    """True for a matcher that learned the latest changes without a full fit, and would
    answer better after one."""
    encoded_ahead: int = 0
    """Phrasings added since, encoded for it by :meth:`Matchers.expect`."""


def _in_daemon_thread(fit: Callable[[], AnyMatcher]) -> asyncio.Future[AnyMatcher]:
    """Run a full fit in a thread that never keeps the process alive: `factbot chat`
    ending mid-fit must not wait a minute for a model nobody will use."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[AnyMatcher] = loop.create_future()

    def settle(result: AnyMatcher | None, error: BaseException | None) -> None:
        if not future.done():
            future.set_exception(error) if error else future.set_result(result)  # type: ignore[arg-type]

    def run() -> None:
        try:
            result, error = fit(), None
        except BaseException as failure:  # handed to the awaiting task
            result, error = None, failure
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=run, name=FITTING, daemon=True).start()
    return future


def fitting() -> bool:
    """Whether a full fit is under way in this process (in a thread of its own)."""
    return any(t.name == FITTING and t.is_alive() for t in threading.enumerate())


def child_processes() -> list[BaseProcess]:
    """This process's children still running. `multiprocessing` is imported by the first
    one spawned (bot/matcher_cache.py), so without it there are none."""
    spawned = sys.modules.get("multiprocessing")
    return spawned.active_children() if spawned else []


def stop_fitting_processes() -> None:
    """Stop the processes fitting an index for this one (multiprocessing would, at exit)."""
    for child in child_processes():
        if child.name == FITTING:
            child.terminate()


def _learned(base: AnyMatcher, examples: list[Example]) -> AnyMatcher | None:
    """``base`` with what changed learned, ready for the first question (prepared here, in
    the worker thread)."""
    learned = base.learned(examples)
    if learned is not None:
        learned.prepare()
    return learned


class Matchers:
    def __init__(
        self,
        library: Library,
        *,
        pack_examples: Sequence[Example],
        vocabulary: Vocabulary,
        cache_dir: Path | None,
        database: str = "",
    ) -> None:
        self.library = library
        self.pack_examples = pack_examples
        self.vocabulary = vocabulary
        self.cache = MatcherCache(cache_dir, database) if cache_dir is not None else None
        self._trained: dict[int, _Trained] = {}
        self._training: dict[int, asyncio.Task[None]] = {}
        self._polishing: dict[int, asyncio.Future[AnyMatcher]] = {}
        self._polish_timers: dict[int, asyncio.TimerHandle] = {}
        self._encoding = ThreadPoolExecutor(max_workers=1, thread_name_prefix="factbot-encode")
        self._encoding_ahead: list[Future[None]] = []
        self._closed = False
        """After :meth:`close`: changes still come in (the engine takes in its own writes
        before it keeps a large library), and nothing is encoded for them."""
        self._no_vocabulary = Vocabulary()
        """What a guild without the shipped pack reads with: one object, so a matcher can
        tell it learned with the same one (`_retrain`)."""
        self._pack_names = Vocabulary(entities=vocabulary.entities)
        """What a guild's own matcher reads with beside the shipped pack: the pack's names
        of things ("fb" is meta), not its other synonyms, which were chosen for its
        article ("account" is "customer" there, "cancel" is "reduce")."""

    def expect(self, guild_id: int, questions: list[str]) -> None:
        """A fact's new phrasings, just stored: encoded now, in a worker thread, rather
        than when the next question notices the change. At 150 facts of 100 phrasings,
        encoding a new fact's hundred phrasings was 0.7 s of the 1.6-2.1 s the matcher
        took to catch up. Only as many as it would learn quickly (:meth:`Matcher.learned`):
        an import is learned by a full fit, which encodes its texts in batches."""
        trained = self._trained.get(self.scope(guild_id))
        if self._closed or trained is None or not isinstance(trained.matcher, Matcher):
            return
        if not trained.matcher.encodes_ahead(trained.encoded_ahead + len(questions)):
            return
        trained.encoded_ahead += len(questions)
        self._encoding_ahead.append(self._encoding.submit(trained.matcher.encode_ahead, questions))

    def _stop_encoding_ahead(self) -> None:
        """Learning is about to encode what is still waiting: the worker must not encode
        it too, beside it (when both did, on two cores, catching up with a fact of 100
        phrasings took 2.46 s: longer than with nothing encoded ahead, 1.60-2.08 s)."""
        for waiting in self._encoding_ahead:
            waiting.cancel()
        self._encoding_ahead.clear()

    def scope(self, guild_id: int) -> int:
        """Whose matcher answers a guild: its own, or the global one it shares."""
        return guild_id if self.library.has_own_knowledge(guild_id) else GLOBAL

    def _generation(self, scope: int) -> tuple[int, int]:
        return self.library.generation[GLOBAL], self.library.generation[scope]

    def current(self, guild_id: int) -> AnyMatcher | None:
        """The newest matcher of a guild's scope, even if its knowledge changed since (then
        a retraining is under way or about to be); None before its first is trained."""
        return self._newest(self.scope(guild_id))

    def shipped(self, guild_id: int) -> AnyMatcher | None:
        """The global matcher, for a guild with a matcher of its own that also sees the
        shipped facts: it judges them there."""
        return self._newest(GLOBAL) if len(self._scopes(guild_id)) > 1 else None

    def _newest(self, scope: int) -> AnyMatcher | None:
        trained = self._trained.get(scope)
        if trained is None or trained.generation != self._generation(scope):
            self.refresh_soon(scope)
        return trained.matcher if trained else None

    def _scopes(self, guild_id: int) -> list[int]:
        """The scopes whose matchers answer a guild."""
        scope = self.scope(guild_id)
        both = scope != GLOBAL and self.library.sees_shipped(guild_id)
        return [scope, GLOBAL] if both else [scope]

    def is_current(self, guild_id: int) -> bool:
        return all(self._is_current(scope) for scope in self._scopes(guild_id))

    def _is_current(self, scope: int) -> bool:
        trained = self._trained.get(scope)
        return trained is not None and trained.generation == self._generation(scope)

    def examples(self, scope: int) -> list[Example]:
        """What a scope learns from: its facts' phrasings and answers, and the questions it
        must not answer. The global scope also learns the pack's labelled and out-of-scope
        questions. A fact's answer only while it has few phrasings
        (:data:`ANSWER_LEARNED_BELOW`), and only up to :data:`LEARNED_UP_TO` facts: the
        retrieval matcher indexes questions. A guild that sees the shipped pack learns
        only the facts it added: the global matcher judges the shipped ones there, its own
        versions of them included (what it added to one is found by the phrasing lookup),
        because a chance for a shipped fact means nothing without the rest of the pack to
        weigh it against."""
        if scope == GLOBAL or not self.library.sees_shipped(scope):
            facts = self.library.visible(scope)
        else:
            facts = [
                f
                for f in self.library.own(scope)
                if not f.removed and not self.library.is_shipped(f.id)
            ]
        examples = [Example(q, f.id) for f in facts for q in f.questions]
        if kind_for(examples) is Matcher:
            examples += [
                Example(f.answer, f.id, answer=True)
                for f in facts
                if len(f.questions) < ANSWER_LEARNED_BELOW
            ]
        if scope == GLOBAL and self.library.sees_shipped(scope):
            known = {f.id for f in facts}
            examples += [e for e in self.pack_examples if e.label in known or e.label == NONE]
        examples += [Example(q, NONE) for q in self.library.out_of_scope(scope)]
        return examples + [Example(q, NONE) for q in small_talk()]

    async def _learning(self, scope: int) -> tuple[tuple[int, int], list[Example], Vocabulary]:
        """What a scope learns from now, and the generation of knowledge that is. Read in a
        worker thread (at 100,000 facts the event loop would otherwise stand still for a
        second after a change), under the library's lock, so no change lands meanwhile."""
        async with self.library.updating:
            examples = await asyncio.to_thread(self.examples, scope)
            return self._generation(scope), examples, self.vocabulary_for(scope)

    def vocabulary_for(self, scope: int) -> Vocabulary:
        if not self.library.sees_shipped(scope):
            return self._no_vocabulary
        return self.vocabulary if scope == GLOBAL else self._pack_names

    async def ready(self, guild_id: int) -> None:
        """Wait until the matchers for a guild have learned everything it sees."""
        for scope in self._scopes(guild_id):
            while not self._is_current(scope):
                self.refresh_soon(scope)
                await asyncio.shield(self._training[scope])

    def refresh_soon(self, scope: int) -> None:
        """Start retraining a scope in a worker thread, unless that is under way."""
        running = self._training.get(scope)
        if running is not None and not running.done():
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # asked outside an event loop: `ready` trains when one awaits it
        self._training[scope] = loop.create_task(self._retrain(scope))

    async def _retrain(self, scope: int) -> None:
        """Catch up with a scope's knowledge: in a second or two by learning only what
        changed (:meth:`Matcher.learned`) when a matcher to build on is at hand (in memory,
        or the scope's latest index in the cache), then, if it is worth it, by a full fit
        in the background; or by the full fit (or the cache) alone."""
        generation, examples, vocabulary = await self._learning(scope)
        trained = self._trained.get(scope)
        if trained is not None:
            base: AnyMatcher | None = trained.matcher
        else:
            # A start: the matcher fitted on exactly this knowledge, else the index this
            # scope fitted last, to learn what changed since on top of it.
            kept = await asyncio.to_thread(self._kept_exactly, examples, vocabulary)
            if kept is not None:
                self._trained[scope] = _Trained(kept, generation)
                return
            base = await asyncio.to_thread(self._last_index, scope, vocabulary)
        if base is not None and base.vocabulary is vocabulary:
            self._stop_encoding_ahead()
            quick = await asyncio.to_thread(_learned, base, examples)
            if quick is not None:
                due = quick.worth_refitting()
                self._trained[scope] = _Trained(quick, generation, refit_due=due)
                if due:
                    self._polish_soon(scope)
                return
        # A daemon thread, not asyncio.to_thread: a process that is ending (a command that
        # has answered, a test's event loop closing) must not wait for a fit it no longer needs.
        matcher = await _in_daemon_thread(lambda: self._load_or_fit(scope, examples, vocabulary))
        self._trained[scope] = _Trained(matcher, generation)

    def _polish_soon(self, scope: int) -> None:
        """A full fit once the scope's knowledge has stopped changing for ``POLISH_AFTER``
        seconds: a moderator's burst of changes costs one full fit, not one each, and a
        process that ends meanwhile (a command, a test) starts none."""
        if (waiting := self._polish_timers.pop(scope, None)) is not None:
            waiting.cancel()
        loop = asyncio.get_running_loop()
        self._polish_timers[scope] = loop.call_later(POLISH_AFTER, self._polish_now, scope)

    def _polish_now(self, scope: int) -> None:
        """One full fit at a time per scope, on what the scope knows when it starts."""
        self._polish_timers.pop(scope, None)
        running = self._polishing.get(scope)
        if running is not None and not running.done():
            return
        future = asyncio.ensure_future(self._polish(scope))
        future.add_done_callback(lambda done: self._polished(scope, done))
        self._polishing[scope] = future

    async def _polish(self, scope: int) -> _Trained:
        generation, examples, vocabulary = await self._learning(scope)
        matcher = await _in_daemon_thread(lambda: self._load_or_fit(scope, examples, vocabulary))
        return _Trained(matcher, generation)

    def _polished(self, scope: int, done: asyncio.Future[_Trained]) -> None:
        """The full fit replaces the quick one; if the knowledge changed again while it ran,
        the next full fit starts on that."""
        if done.cancelled():
            return
        if (error := done.exception()) is not None:
            log.warning(
                "the full refit of scope %s failed (%r): keeping the quick one", scope, error
            )
            return
        polished = done.result()
        trained = self._trained.get(scope)
        if trained is not None and trained.generation == polished.generation:
            self._trained[scope] = polished
        elif trained is not None and trained.refit_due:
            self._polish_soon(scope)

    def _load_or_fit(
        self, scope: int, examples: list[Example], vocabulary: Vocabulary
    ) -> AnyMatcher:
        matcher = self._loaded_or_fitted(scope, examples, vocabulary)
        matcher.prepare()  # here, in the worker thread, not on the first question
        return matcher

    def _loaded_or_fitted(
        self, scope: int, examples: list[Example], vocabulary: Vocabulary
    ) -> AnyMatcher:
        """The matcher for these examples from the cache folder, or fitted (and kept)."""
        if self.cache is None:
            return matcher_for(examples, vocabulary)
        if kind_for(examples) is RetrievalMatcher:
            # 2 GB more for a minute and a half at 100,000 facts: in a process of its own the
            # bot's memory stays flat, and a fit the machine cannot afford ends that process.
            return self.cache.fitted_apart(scope, examples, vocabulary)
        return self.cache.exactly_or_fitted(
            scope, examples, vocabulary, lambda: matcher_for(examples, vocabulary)
        )

    def _kept_exactly(self, examples: list[Example], vocabulary: Vocabulary) -> AnyMatcher | None:
        matcher = self.cache.exactly(examples, vocabulary) if self.cache else None
        if matcher is not None:
            matcher.prepare()  # here, in the worker thread, not on the first question
        return matcher

    def _last_index(self, scope: int, vocabulary: Vocabulary) -> RetrievalMatcher | None:
        return self.cache.last_index(scope, vocabulary) if self.cache else None

    async def close(self) -> None:
        """Stop waiting for trainings under way (a thread still finishes its fit)."""
        self._closed = True
        self._encoding.shutdown(wait=False, cancel_futures=True)
        for timer in self._polish_timers.values():
            timer.cancel()
        self._polish_timers.clear()
        for task in [*self._training.values(), *self._polishing.values()]:
            task.cancel()
        self._training.clear()
        self._polishing.clear()
