"""`factbot bench scale`: FactBot on knowledge bases of thousands of facts, beside a plain
anchor (BM25 candidates over every phrasing, the top 50 re-ranked with rapidfuzz), on the
same data, on the same machine, in the same run.

The knowledge is synthetic but worded by people: fact *j* is CLINC150 intent ``j % 150``
about one made-up name ("kalomi"), with 5 of that intent's train utterances as its
phrasings ("what's my balance for kalomi"). A question is a test utterance of the intent
about the name; out-of-scope questions are CLINC150's. Many facts share an intent, so
the name is what tells them apart, as product or team names do in a real handbook.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import math
import multiprocessing
import random
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, utils
from scipy import sparse

from bot import bench, bulk
from bot.engine import Engine
from bot.matcher.text import words
from bot.models import GLOBAL

GUILD = 4242
PHRASINGS = 5
QUESTIONS = 400
SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
TEMPLATES = ("{u} for {e}", "{e}: {u}", "{u} ({e})", "about {e}, {u}", "{u}, {e}")


@dataclass(frozen=True)
class Knowledge:
    facts: dict[str, list[str]]
    """fact id -> its phrasings"""
    questions: list[tuple[str, str | None]]
    """(question, the fact that answers it, or None)"""


def names(n: int, rng: random.Random) -> list[str]:
    made: set[str] = set()
    while len(made) < n:
        made.add("".join(rng.choice(SYLLABLES) for _ in range(3)))
    return sorted(made)


def knowledge(
    n: int, data: dict[str, list[list[str]]], seed: int = 0, phrasings: int = PHRASINGS
) -> Knowledge:
    rng = random.Random(seed)
    train: dict[str, list[str]] = {}
    test: dict[str, list[str]] = {}
    for text, intent in data["train"]:
        train.setdefault(intent, []).append(text)
    for text, intent in data["test"]:
        test.setdefault(intent, []).append(text)
    intents = sorted(train)
    facts: dict[str, list[str]] = {}
    about: dict[str, tuple[str, str]] = {}
    for j, name in enumerate(names(n, rng)):
        intent = intents[j % len(intents)]
        fact_id = f"{bench.fact_id(intent)}-{name}"
        picked = rng.sample(train[intent], phrasings)
        facts[fact_id] = [rng.choice(TEMPLATES).format(u=u.rstrip("?"), e=name) for u in picked]
        about[fact_id] = (intent, name)
    asked = rng.sample(sorted(facts), min(QUESTIONS, len(facts)))
    questions: list[tuple[str, str | None]] = []
    for fact_id in asked:
        intent, name = about[fact_id]
        questions.append((f"{rng.choice(test[intent]).rstrip('?')} for {name}", fact_id))
    oos = [text for text, _ in data["oos_test"]]
    questions += [(q, None) for q in rng.sample(oos, QUESTIONS // 4)]
    return Knowledge(facts, questions)


# -- the anchor --------------------------------------------------------------------------


class Anchor:
    """BM25 (k1 1.2, b 0.75) over every phrasing's words; the 50 best phrasings re-ranked
    by rapidfuzz token-sort ratio; the best one's fact, if it scores at least ``cut``."""

    def __init__(self, facts: dict[str, list[str]], cut: float = 60.0) -> None:
        self.texts = [utils.default_process(p) for ps in facts.values() for p in ps]
        self.owners = [f for f, ps in facts.items() for _ in ps]
        self.cut = cut
        counted = [Counter(words(t)) for t in self.texts]
        vocabulary: dict[str, int] = {}
        rows, cols, tf = [], [], []
        for row, counts in enumerate(counted):
            for word, count in counts.items():
                rows.append(row)
                cols.append(vocabulary.setdefault(word, len(vocabulary)))
                tf.append(count)
        lengths = np.array([sum(c.values()) for c in counted], dtype=np.float64)
        tf_array = np.array(tf, dtype=np.float64)
        k1, b = 1.2, 0.75
        norm = k1 * (1 - b + b * lengths[rows] / lengths.mean())
        df = np.bincount(cols, minlength=len(vocabulary))
        idf = np.log(1 + (len(counted) - df + 0.5) / (df + 0.5))
        weights = idf[cols] * tf_array * (k1 + 1) / (tf_array + norm)
        self.vocabulary = vocabulary
        # Words by row: a question's scores are the sum of its words' columns.
        self.by_word = sparse.csc_matrix(
            (weights, (rows, cols)), shape=(len(counted), len(vocabulary))
        )

    def answer(self, question: str) -> str | None:
        """The fact it answers with (None: it abstains)."""
        best, closeness = self._best(question)
        return best if closeness >= self.cut else None

    def ranked_first(self, question: str) -> str | None:
        return self._best(question)[0]

    def _best(self, question: str) -> tuple[str | None, float]:
        """The fact of the best phrasing, and how close that phrasing is (0-100)."""
        processed = utils.default_process(question)
        columns = [self.vocabulary[w] for w in set(words(processed)) if w in self.vocabulary]
        if not columns:
            return None, 0.0
        scores = np.asarray(self.by_word[:, columns].sum(axis=1)).ravel()
        top = np.argpartition(-scores, min(50, len(scores) - 1))[:50]
        best = max(top, key=lambda i: fuzz.token_sort_ratio(processed, self.texts[i]))
        return self.owners[best], fuzz.token_sort_ratio(processed, self.texts[best])


# -- measuring ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    name: str
    facts: int
    right: float
    """In-scope questions answered with the right fact (%)."""
    first: float
    """In-scope questions whose right fact is ranked first, answered or not (%)."""
    abstained: float
    """Out-of-scope questions not answered (%)."""
    p50_ms: float
    p99_ms: float
    build_seconds: float
    open_seconds: float = math.nan
    reopen_seconds: float = math.nan
    """Open again after the serving process added facts and ended before any full refit:
    the changes are learned on top of the index fitted last."""
    add_ms: float = math.nan
    edit_ms: float = math.nan
    pause_ms: float = math.nan
    """The longest the event loop stood still while the engine learned one more fact: what
    a member asking meanwhile waits on top of the ask."""
    rss_mib: float = math.nan
    """The serving process's peak resident memory."""
    own_mib: float = math.nan
    """What the serving process holds of its own at the end (not the pages of files it
    maps, its libraries')."""


Choice = Callable[[str], str | None]
"""A question -> a fact id, or None."""


def _timed(
    questions: Sequence[tuple[str, str | None]], answer: Choice, ranked_first: Choice
) -> dict[str, float]:
    """Right, ranked first, abstained (%) and ask p50 / p99 (ms) of one pass: each
    question answered (timed), then the fact ranked first for it looked up (not timed)."""
    times, rows = [], []
    for question, expected in questions:
        started = time.perf_counter()
        got = answer(question)
        times.append(1000 * (time.perf_counter() - started))
        rows.append((expected, got, ranked_first(question)))
    in_scope = sum(e is not None for e, _, _ in rows)
    out = len(rows) - in_scope
    times.sort()
    return {
        "right": 100 * sum(e is not None and g == e for e, g, _ in rows) / in_scope,
        "first": 100 * sum(e is not None and t == e for e, _, t in rows) / in_scope,
        "abstained": 100 * sum(e is None and g is None for e, g, _ in rows) / max(out, 1),
        "p50_ms": statistics.median(times),
        "p99_ms": times[min(len(times) - 1, int(0.99 * len(times)))],
    }


def _memory_mib() -> tuple[float, float]:
    """This process's peak resident memory (VmHWM: ru_maxrss would count the build
    process it was forked from), and what it holds of its own now (RssAnon: not the pages
    of files it maps, which the kernel can drop and read again), in MiB."""
    found = {"VmHWM:": math.nan, "RssAnon:": math.nan}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            name, *value = line.split()
            if name in found:
                found[name] = int(value[0]) / 1024
    return found["VmHWM:"], found["RssAnon:"]


async def measure_factbot(kb: Knowledge, folder: Path) -> Measured:
    """Build the knowledge base through the store (this process), then serve it from a
    fresh process as a bot would: open, ask every question once, add and edit facts."""
    db, cache = folder / "scale.sqlite3", folder / "cache"
    faq = folder / "scale.csv"
    bulk.write_csv(
        faq,
        {
            fact_id: (phrasings, bench.neutral_answer(n))
            for n, (fact_id, phrasings) in enumerate(kb.facts.items(), start=1)
        },
    )
    started = time.perf_counter()
    async with await Engine.open(
        db, cache_dir=cache, shipped_pack=False, answering=False
    ) as engine:
        await engine.curator.switch_shipped_pack(GUILD, False, "bench")
        await engine.curator.import_bundle(GUILD, bulk.read(faq), actor="bench")
        await engine.ready(GUILD)  # learns the whole knowledge base: the first open
        await engine.ready(GLOBAL)  # what every start needs: ready before the first, too
    build = time.perf_counter() - started
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        loop = asyncio.get_running_loop()
        served = await loop.run_in_executor(pool, _serve, db, cache, kb.questions)
        reopened = await loop.run_in_executor(pool, _reopen, db, cache)
    return Measured(
        "FactBot", len(kb.facts), build_seconds=build, reopen_seconds=reopened, **served
    )


def _serve(db: Path, cache: Path, questions: list[tuple[str, str | None]]) -> dict[str, float]:
    return asyncio.run(_serving(db, cache, questions))


def _reopen(db: Path, cache: Path) -> float:
    async def reopening() -> float:
        started = time.perf_counter()
        async with await Engine.open(db, cache_dir=cache, shipped_pack=False) as engine:
            await engine.ready(GUILD)
            opened = time.perf_counter() - started
            if engine.ask("where is room 3 of the annex?", GUILD).fact_id != "annex-room-3":
                raise RuntimeError("a fact added before the restart is not answered")
        return opened

    return asyncio.run(reopening())


async def _serving(
    db: Path, cache: Path, questions: list[tuple[str, str | None]]
) -> dict[str, float]:
    started = time.perf_counter()
    async with await Engine.open(db, cache_dir=cache, shipped_pack=False) as engine:
        await engine.ready(GUILD)
        opened = time.perf_counter() - started
        gc.freeze()  # as the bot does once it has loaded (FactBot.setup_hook)

        def answer(question: str) -> str | None:
            answered = engine.ask(question, GUILD)
            return answered.fact_id if answered.answered else None

        def ranked_first(question: str) -> str | None:
            candidates = engine.candidates(question, GUILD)
            return candidates[0].fact.id if candidates else None

        scored = _timed(questions, answer, ranked_first)
        source = engine.library.sources(GUILD)[0]
        adds, edits = [], []
        for i in range(20):
            started = time.perf_counter()
            await engine.curator.add_fact(
                GUILD,
                question=f"where is room {i} of the annex",
                answer=f"Room {i} is upstairs.",
                cite=f"{source.id}:s1",
                actor="bench",
                fact_id=f"annex-room-{i}",
            )
            adds.append(1000 * (time.perf_counter() - started))
            started = time.perf_counter()
            await engine.curator.edit_fact(
                GUILD, f"annex-room-{i}", actor="bench", answer=f"Room {i} is downstairs."
            )
            edits.append(1000 * (time.perf_counter() - started))
        pause = await _longest_pause(engine, source.id)
        peak, own = _memory_mib()
    return {
        **scored,
        "open_seconds": opened,
        "add_ms": statistics.median(adds),
        "edit_ms": statistics.median(edits),
        "pause_ms": pause,
        "rss_mib": peak,
        "own_mib": own,
    }


async def _longest_pause(engine: Engine, source_id: str) -> float:
    """Add one more fact, ask (which starts the relearning), and wait until the matcher has
    learned it, watching how late the event loop wakes a 1 ms sleep (ms)."""
    lags: list[float] = []
    learning = True

    async def watch() -> None:
        while learning:
            started = time.perf_counter()
            await asyncio.sleep(0.001)
            lags.append(time.perf_counter() - started - 0.001)

    watcher = asyncio.create_task(watch())
    await engine.curator.add_fact(
        GUILD,
        question="where do visitors to the annex park",
        answer="Visitors park behind the annex.",
        cite=f"{source_id}:s1",
        actor="bench",
        fact_id="annex-parking",
    )
    engine.ask("where do visitors to the annex park", GUILD)
    await engine.ready(GUILD)
    learning = False
    await watcher
    return 1000 * max(lags)


def measure_anchor(kb: Knowledge) -> Measured:
    started = time.perf_counter()
    anchor = Anchor(kb.facts)
    build = time.perf_counter() - started
    return Measured(
        "BM25 + rapidfuzz anchor",
        len(kb.facts),
        build_seconds=build,
        **_timed(kb.questions, anchor.answer, anchor.ranked_first),
    )


async def run(
    sizes: Sequence[int], data_path: Path | None = None, phrasings: int = PHRASINGS
) -> list[Measured]:
    data = bench.load(data_path)
    results = []
    for n in sizes:
        kb = knowledge(n, data, phrasings=phrasings)
        results.append(measure_anchor(kb))
        with tempfile.TemporaryDirectory(prefix="factbot-scale-") as folder:
            results.append(await measure_factbot(kb, Path(folder)))
        print(render(results[-2:]), end="\n\n", flush=True)
    return results


def render(results: Sequence[Measured]) -> str:
    lines = [
        "| facts | method | in-scope right (ranked first) | out-of-scope abstained "
        "| ask p50 / p99 | build | open (after changes) | add / edit one fact "
        "| pause while learning "
        "| memory: peak / own |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for m in results:
        lines.append(
            f"| {m.facts:,} | {m.name} | {m.right:.1f} % ({m.first:.1f} %) | {m.abstained:.1f} % "
            f"| {m.p50_ms:.2f} / {m.p99_ms:.2f} ms | {m.build_seconds:.1f} s "
            f"| {_or_dash(m.open_seconds, '{:.2f} s')} ({_or_dash(m.reopen_seconds, '{:.2f} s')}) "
            f"| {_or_dash(m.add_ms, '{:.1f}')} / {_or_dash(m.edit_ms, '{:.1f} ms')} "
            f"| {_or_dash(m.pause_ms, '{:.0f} ms')} "
            f"| {_or_dash(m.rss_mib, '{:.0f}')} / {_or_dash(m.own_mib, '{:.0f} MiB')} |"
        )
    return "\n".join(lines)


def _or_dash(value: float, form: str) -> str:
    return "–" if math.isnan(value) else form.format(value)
