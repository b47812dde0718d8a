"""Fitted matchers kept in the cache folder (``FACTBOT_CACHE``), shared by processes.

A matcher is named by a hash of everything it learned from (its examples, and the
vocabulary it reads with), so a second start, or a second process, loads it instead of
fitting again: a learned matcher as one pickle, a retrieval one as a folder of arrays whose
big parts are read question by question, not loaded.

Processes that need the same matcher at once (shards after the same change) fit it once:
the others wait on a file lock, then load it.

Each knowledge scope of a database also notes which matcher it fitted last, in a small
text file. A start whose knowledge changed since learns the changes on top of that index
(:meth:`RetrievalMatcher.learned`) instead of fitting for minutes; and when a scope fits
a new matcher, the one it replaces is removed unless another scope still names it, so the
folder holds about one matcher per scope (an index of 100,000 facts is 760 MB).
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from collections.abc import Callable, Sequence
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cache_files import UNREADABLE, keep, read_kept, written_whole
from bot.matcher import AnyMatcher, Example, Matcher, RetrievalMatcher, Vocabulary

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

log = logging.getLogger(__name__)

FITTING = "factbot-fit"
"""The name of every thread and process that runs a full fit."""

FORMAT = "factbot-matcher-32"
"""Part of every file's name: bump it when a matcher's pickled form or naming changes."""


class MatcherCache:
    def __init__(self, folder: Path, database: str) -> None:
        self.folder = folder
        self.database = database
        """Where the knowledge is stored: part of the name of each scope's note."""

    def exactly(self, examples: Sequence[Example], vocabulary: Vocabulary) -> AnyMatcher | None:
        """The matcher fitted on exactly these examples, if it is kept."""
        return self._read(self._path(examples, vocabulary), vocabulary)

    def exactly_or_fitted(
        self,
        scope: int,
        examples: Sequence[Example],
        vocabulary: Vocabulary,
        fit: Callable[[], AnyMatcher],
    ) -> AnyMatcher:
        """The matcher fitted on exactly these examples: kept, or ``fit`` now and kept.
        While one process fits it, another that needs it waits (at 100,000 facts a fit is
        a minute and a half and 2 GB), then loads it."""
        path = self._path(examples, vocabulary)
        if (kept := self._read(path, vocabulary)) is not None:
            return kept
        from filelock import FileLock  # only to fit: 15 ms of every `factbot ask` otherwise

        self.folder.mkdir(parents=True, exist_ok=True)
        with FileLock(path.with_suffix(".lock")):
            if (kept := self._read(path, vocabulary)) is not None:
                return kept  # fitted by another process while this one waited
            return self._keep_at(path, scope, vocabulary, fit())

    def last_index(self, scope: int, vocabulary: Vocabulary) -> RetrievalMatcher | None:
        """The index the scope fitted last (in this process or another), if it is kept."""
        name = self._noted(self._note(scope, vocabulary))
        if name is None or not name.endswith(".index"):
            return None
        matcher = self._read(self.folder / name, vocabulary)
        return matcher if isinstance(matcher, RetrievalMatcher) else None

    def kept(
        self,
        scope: int,
        examples: Sequence[Example],
        vocabulary: Vocabulary,
        matcher: AnyMatcher,
    ) -> AnyMatcher:
        """Keep a matcher the scope has just fitted on ``examples``, note it as the scope's
        latest and remove the one it replaces; returns the matcher to use from now on
        (an index read from its files, or the one another process kept first)."""
        return self._keep_at(self._path(examples, vocabulary), scope, vocabulary, matcher)

    def _keep_at(
        self, path: Path, scope: int, vocabulary: Vocabulary, matcher: AnyMatcher
    ) -> AnyMatcher:
        try:
            if isinstance(matcher, RetrievalMatcher):
                path = path.with_suffix(".index")
                with written_whole(path) as partial:
                    matcher.save(partial)
                # From now on the arrays on disk, not the copies the fit left in memory.
                matcher = RetrievalMatcher.load(path)
                matcher.vocabulary = vocabulary  # the very object: see `_read`
            else:
                path = path.with_suffix(".pickle")
                keep(path, matcher)
        except OSError as error:
            # A folder cannot replace one another process has just kept: use theirs.
            if (theirs := self._read(path, vocabulary)) is None:
                log.warning("cannot keep the matcher in %s: %s", self.folder, error)
                return matcher
            matcher = theirs
        self._note_latest(scope, vocabulary, path.name)
        return matcher

    def fitted_apart(
        self, scope: int, examples: Sequence[Example], vocabulary: Vocabulary
    ) -> RetrievalMatcher:
        """:meth:`exactly_or_fitted` for an index, fitted and kept by a process of its own
        (which ends with this one), then read from the files it kept."""
        path = self._path(examples, vocabulary)
        if isinstance(kept := self._read(path, vocabulary), RetrievalMatcher):
            return kept
        import multiprocessing  # here: 3 ms of every `factbot ask`, for large indexes only

        context = multiprocessing.get_context("spawn")  # not a fork of a big process
        here, there = context.Pipe()
        worker = context.Process(
            target=_fit_index,
            args=(self.folder, self.database, scope, vocabulary, there),
            name=FITTING,
            daemon=True,
        )
        worker.start()
        there.close()
        try:
            # Handed over once it runs, not with its start: a process that dies on the way
            # is then an error here, not a hang; one that never gets to run is stopped.
            if not here.poll(STARTS_WITHIN):  # nothing said, and not ended either
                worker.terminate()
                worker.join()
                raise RuntimeError(
                    f"the process to fit the index in ({worker.pid}) did not start within "
                    f"{STARTS_WITHIN:.0f} s. A new process runs the script's top level "
                    "again: in a script, open FactBot's engine under "
                    "`if __name__ == '__main__':`"
                )
            here.recv()  # it runs
            here.send(list(examples))
            here.recv()
        except (EOFError, OSError):
            worker.join()
            raise RuntimeError(
                f"fitting the index in process {worker.pid} failed (exit code {worker.exitcode})"
            ) from None
        worker.join()
        matcher = self._read(path, vocabulary)
        if not isinstance(matcher, RetrievalMatcher):
            raise RuntimeError(f"the index fitted in process {worker.pid} is not in {self.folder}")
        return matcher

    def _note_latest(self, scope: int, vocabulary: Vocabulary, name: str) -> None:
        note = self._note(scope, vocabulary)
        replaced = self._noted(note)
        try:
            with written_whole(note) as partial:
                partial.write_text(name, encoding="utf-8")
        except OSError as error:
            log.warning("cannot note the matcher scope %s fitted last: %s", scope, error)
            return
        if replaced is None or replaced == name or self._still_noted(replaced):
            return
        gone = self.folder / replaced
        if gone.is_dir():
            shutil.rmtree(gone, ignore_errors=True)
        else:
            gone.unlink(missing_ok=True)
        gone.with_suffix(".lock").unlink(missing_ok=True)
        log.info("removed %s, which %s replaces", replaced, name)

    def _still_noted(self, name: str) -> bool:
        """Whether another scope (of another database, say) still starts from ``name``.
        Notes of matchers no longer kept are removed on the way."""
        noted = False
        for note in self.folder.glob(f"{FORMAT}-latest-*.txt"):
            other = self._noted(note)
            if other is None or not (self.folder / other).exists():
                note.unlink(missing_ok=True)
            noted = noted or other == name
        return noted

    @staticmethod
    def _read(path: Path, vocabulary: Vocabulary) -> AnyMatcher | None:
        """The matcher kept at ``path`` (with or without its suffix), or None."""
        matcher: AnyMatcher | None
        if (folder := path.with_suffix(".index")).is_dir():
            try:
                matcher = RetrievalMatcher.load(folder)
            except UNREADABLE as error:
                log.warning("cannot read the kept index %s (%s): fitting anew", folder, error)
                return None
        else:
            matcher = read_kept(path.with_suffix(".pickle"), Matcher)
        if matcher is not None:
            # Files are named by the vocabulary's contents, so the one in hand is the same;
            # holding that very object is how `Matchers` knows it can build on this matcher
            # rather than fit everything again.
            matcher.vocabulary = vocabulary
        return matcher

    def _noted(self, note: Path) -> str | None:
        """The name of the matcher a scope's note names, if it can be read."""
        try:
            name = note.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as error:
            log.warning("cannot read %s: %s", note, error)
            return None
        return name if name and Path(name).name == name else None

    def _path(self, examples: Sequence[Example], vocabulary: Vocabulary) -> Path:
        """Where the matcher for these examples is kept (without its suffix)."""
        digest = hashlib.sha256(_vocabulary_key(vocabulary).encode())
        # Column by column, joined in C: a string made per example took twice as long (a
        # tenth of a second more at 100,000 facts, on every start).
        for column in ("text", "label"):
            digest.update("\x1f".join(map(attrgetter(column), examples)).encode() + b"\x1e")
        digest.update(bytes(map(attrgetter("answer"), examples)))
        return self.folder / f"{FORMAT}-{digest.hexdigest()[:32]}"

    def _note(self, scope: int, vocabulary: Vocabulary) -> Path:
        """The file naming the matcher a scope of this database fitted last."""
        digest = hashlib.sha256(_vocabulary_key(vocabulary).encode())
        digest.update(f"{self.database}\x1f{scope}".encode())
        return self.folder / f"{FORMAT}-latest-{digest.hexdigest()[:32]}.txt"


STARTS_WITHIN = 60.0
"""Seconds a new process has to start and say so (about one on this project's machine). A
script that opens the engine at its top level, unguarded, is run again by the new process
(multiprocessing's spawn), which then never gets to the fit, and would wait forever."""


def _fit_index(
    folder: Path, database: str, scope: int, vocabulary: Vocabulary, parent: Connection
) -> None:
    """In a process of its own: fit and keep the index for the examples the parent sends
    (unless another process does meanwhile), then say so."""
    parent.send("running")
    examples: list[Example] = parent.recv()
    cache = MatcherCache(folder, database)
    fit = RetrievalMatcher(vocabulary).fit
    cache.exactly_or_fitted(scope, examples, vocabulary, lambda: fit(examples))
    parent.send(True)


def _vocabulary_key(vocabulary: Vocabulary) -> str:
    """The format and the vocabulary's contents, hashed: a matcher read with another
    vocabulary is another matcher."""
    digest = hashlib.sha256(FORMAT.encode())
    for table in (vocabulary.entities, vocabulary.words):
        for key in sorted(table):
            digest.update(f"{key}\x1f{'|'.join(table[key])}\x1e".encode())
    return digest.hexdigest()
